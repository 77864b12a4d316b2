"""Running the CLI in-process: ``provenance.cli.main`` under click's CliRunner isolation.

Each call gets its own stdin (empty, not a terminal), stdout and stderr, and environment
overrides; the exit status is what the console script would exit with. A subprocess is
needed only where the process itself is under test (see tests/integration/cli/test_console_script.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from provenance.cli import main

__all__ = ["CliResult", "one_line_error", "run", "run_cli"]


@dataclass(frozen=True)
class CliResult:
    """Exit status and output of one in-process run (names as in ``subprocess.CompletedProcess``)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, env: Mapping[str, str | None] | None = None, stdin: str = "") -> CliResult:
    """``provenance ARGS...`` in-process; ``PROVENANCE_PASSWORD`` is unset unless ``env`` sets it."""
    overrides: dict[str, str | None] = {"PROVENANCE_PASSWORD": None, **(env or {})}
    with CliRunner().isolation(input=stdin, env=overrides) as (out, err, _):
        code = main(list(args))
    return CliResult(code, out.getvalue().decode(), err.getvalue().decode())


def run(*args: str, data_dir: Path, rpc: str, env: Mapping[str, str | None] | None = None) -> CliResult:
    """``provenance --data-dir DATA_DIR --rpc RPC ARGS...`` in-process."""
    return run_cli("--data-dir", str(data_dir), "--rpc", rpc, *args, env=env)


def one_line_error(result: CliResult, pattern: str, code: int = 1) -> None:
    """The run failed with exit ``code`` and exactly one ``error: `` line matching ``pattern``."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert re.search(pattern, errors[0]), errors[0]
