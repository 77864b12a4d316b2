"""``--timeout``: a node that accepts the connection but never answers costs the timeout, not a minute."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.cli_support import one_line_error, run_cli


@pytest.fixture()
def silent_node() -> Iterator[str]:
    """An RPC URL whose TCP connections are accepted (by the kernel's backlog) and never answered."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize("how", ["option", "env"])
def test_a_silent_node_fails_within_the_timeout(silent_node: str, tmp_path: Path, how: str) -> None:
    home = tmp_path / "home"
    args = ["--data-dir", str(home), "--rpc", silent_node]
    env = None
    if how == "option":
        args += ["--timeout", "1"]
    else:
        env = {"PROVENANCE_TIMEOUT": "1"}
    started = time.monotonic()
    result = run_cli(*args, "--dev", "0", "deploy", env=env)
    elapsed = time.monotonic() - started
    one_line_error(result, r"did not answer within 1s|timed out|timeout", 1)
    assert elapsed < 1 + 2, f"took {elapsed:.1f}s"
    assert not (home / "deployment.json").exists()


@pytest.mark.slow
def test_the_default_timeout_bounds_a_read(silent_node: str, tmp_path: Path) -> None:
    from provenance._cli._context import DEFAULT_TIMEOUT

    manifest = tmp_path / "deployment.json"
    started = time.monotonic()
    result = run_cli("--data-dir", str(tmp_path), "--rpc", silent_node, "asset", "0x" + "ab" * 32)
    elapsed = time.monotonic() - started
    # no manifest: reported before the node is asked, at once
    one_line_error(result, r"no deployment manifest", 1)
    assert elapsed < 2
    manifest.write_text("{}")  # a malformed manifest is reported before the node is asked, too
    one_line_error(run_cli("--data-dir", str(tmp_path), "--rpc", silent_node, "asset", "0x" + "ab" * 32), "version")
    started = time.monotonic()
    result = run_cli("--data-dir", str(tmp_path / "fresh"), "--rpc", silent_node, "--dev", "0", "deploy")
    elapsed = time.monotonic() - started
    one_line_error(result, rf"did not answer within {DEFAULT_TIMEOUT:.0f}s|timed out|timeout", 1)
    assert DEFAULT_TIMEOUT - 0.5 < elapsed < DEFAULT_TIMEOUT + 2, f"took {elapsed:.1f}s"
