"""Usage errors: one line ``error: ...`` on stderr and exit 2; ``--help`` prints as usual."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.cli_support import one_line_error, run_cli


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (["--bogus"], r"^error: No such option '--bogus'"),
        (["no-such-command"], r"^error: No such command 'no-such-command'"),
        (["certify"], r"^error: Missing argument 'ASSET'"),
        (["certify", "0x12"], r"^error: Invalid value for 'ASSET': asset id must be a 32-byte hash"),
        (
            ["transfer", "0x" + "ab" * 32, "selling", "0x" + "12" * 20, "5"],
            r"Invalid value for '\{holding\|processing\|operation\}': 'selling' is not one of",
        ),
        (["transfer", "0x" + "ab" * 32, "holding", "0x" + "12" * 20, "0"], r"Invalid value for 'SHARES'"),
        (["transfer", "0x" + "ab" * 32, "holding", "0x" + "12" * 20, "9" * 5000], r"Invalid value for 'SHARES'"),
        (["licence", "check", "0x" + "ab" * 32, "0xAbC0000000000000000000000000000000000000", "p"], r"bad EIP-55"),
        (["licence", "check", "0x" + "ab" * 32, "0x" + "12" * 20, ""], r"'PURPOSE': purpose is empty"),
        (["licence", "check", "0x" + "ab" * 32, "0x" + "12" * 20, "0x1234"], r"'PURPOSE': purpose: expected 32"),
        (["dispute", "file", "0x" + "ab" * 32], r"Missing option '--evidence'"),
        (["exchange", "offer", "1", "lots"], r"Invalid value for 'PRICE': not an amount"),
        (["--timeout", "0", "certificate", "X"], r"Invalid value for '--timeout'"),
        (["--timeout", "soon", "certificate", "X"], r"Invalid value for '--timeout'"),
        (["--dev", "100", "deploy"], r"Invalid value for '--dev'"),
    ],
)
def test_usage_error_is_one_line_with_exit_2(args: list[str], pattern: str, tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path / "home"), *args)
    one_line_error(result, pattern, 2)
    assert len(result.stderr.splitlines()) == 1, result.stderr  # no "Usage:" or "Try --help" lines
    assert result.stdout == ""
    assert not (tmp_path / "home").exists()  # nothing written


def test_non_utf8_argument_is_one_line(tmp_path: Path) -> None:
    bad = b"\xff\xfe".decode("utf-8", "surrogateescape")  # how Python hands a non-UTF-8 argv to click
    result = run_cli("--data-dir", str(tmp_path), "licence", "check", "0x" + "ab" * 32, "0x" + "12" * 20, bad)
    one_line_error(result, r"'PURPOSE': purpose is not valid UTF-8", 2)


def test_bad_timeout_from_the_environment(tmp_path: Path) -> None:
    result = run_cli("--data-dir", str(tmp_path), "certificate", "X", env={"PROVENANCE_TIMEOUT": "-3"})
    one_line_error(result, r"Invalid value for '--timeout'", 2)


def test_help_prints_normally() -> None:
    result = run_cli("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: provenance [OPTIONS] COMMAND [ARGS]...")
    assert "--timeout SECONDS" in result.stdout and "[default: 10.0" in result.stdout
    sub = run_cli("exchange", "deliver", "--help")
    assert sub.returncode == 0 and "--delivery" in sub.stdout and sub.stderr == ""
    # a group without a command shows its help (on stderr, exit 2), not an "error:" line
    bare = run_cli("licence")
    assert bare.returncode == 2 and bare.stderr.startswith("Usage: provenance licence")
    assert "error:" not in bare.stderr


def test_version() -> None:
    from provenance import __version__

    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"provenance, version {__version__}"
