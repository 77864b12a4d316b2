"""A local chain: anvil on loopback, on a free port, always stopped by whoever started it.

``LocalNode`` is a context manager::

    with LocalNode() as node:
        chain = Chain(node.url)

With ``state_file`` set, anvil loads its state from that file at start and writes it back
periodically and at stop, so stopping and starting keeps every asset (``provenance node``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Self

from provenance.errors import ChainError, NodeError
from provenance.rpc import RpcClient

__all__ = ["DEV_CHAIN_ID", "LocalNode", "find_anvil", "free_port"]

DEV_CHAIN_ID = 31337


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_anvil() -> Path:
    """The anvil binary: ``PROVENANCE_ANVIL``, then the npm install, then PATH."""
    env = os.environ.get("PROVENANCE_ANVIL")
    if env:
        return Path(env)
    from provenance.compiler import find_project_root

    try:
        root = find_project_root()
        for candidate in sorted((root / "node_modules" / "@foundry-rs").glob("anvil-*/bin/anvil")):
            if os.access(candidate, os.X_OK):
                return candidate
    except Exception:  # noqa: BLE001, S110 - no checkout: fall through to PATH
        pass
    found = shutil.which("anvil")
    if found:
        return Path(found)
    raise NodeError("anvil not found: run the README's set-up (npm install) or set PROVENANCE_ANVIL")


class LocalNode:
    """An anvil process listening on 127.0.0.1 only."""

    def __init__(
        self,
        *,
        port: int | None = None,
        chain_id: int = DEV_CHAIN_ID,
        state_file: Path | None = None,
        block_time: float | None = None,
        accounts: int = 10,
        balance_ether: int = 1_000_000,
        gas_limit: int = 60_000_000,
        extra_args: tuple[str, ...] = (),
        log_file: Path | None = None,
    ) -> None:
        if chain_id <= 0:
            raise NodeError(f"chain_id must be positive, got {chain_id}")
        self.port = port
        self.chain_id = chain_id
        self.state_file = state_file
        self.block_time = block_time
        self.accounts = accounts
        self.balance_ether = balance_ether
        self.gas_limit = gas_limit
        self.extra_args = extra_args
        self.log_file = log_file
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise NodeError("node not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _command(self, port: int) -> list[str]:
        cmd = [
            str(find_anvil()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--chain-id",
            str(self.chain_id),
            "--accounts",
            str(self.accounts),
            "--balance",
            str(self.balance_ether),
            "--gas-limit",
            str(self.gas_limit),
            "--hardfork",
            "prague",
            "--silent",
        ]
        if self.block_time:
            cmd += ["--block-time", str(self.block_time)]
        if self.state_file is not None:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            cmd += ["--state", str(self.state_file), "--state-interval", "5", "--preserve-historical-states"]
        return cmd + list(self.extra_args)

    def start(self, timeout: float = 30.0) -> LocalNode:
        """Start anvil and wait until it answers JSON-RPC; retries on a port race."""
        if self.running:
            return self
        attempts = 1 if self.port is not None else 5
        last = ""
        for _ in range(attempts):
            port = self.port or free_port()
            if self.log_file:
                self.log_file.parent.mkdir(parents=True, exist_ok=True)
            out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
            try:
                proc = subprocess.Popen(
                    self._command(port),
                    stdout=out,
                    stderr=subprocess.PIPE,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            except OSError as exc:
                raise NodeError(f"cannot start anvil: {exc.strerror}") from None
            finally:
                if self.log_file:
                    out.close()  # type: ignore[union-attr]
            deadline = time.monotonic() + timeout
            probe = RpcClient(f"http://127.0.0.1:{port}", timeout=1.0, retries=0)
            while time.monotonic() < deadline:
                if proc.poll() is not None:
                    probe.close()
                    last = (proc.stderr.read() if proc.stderr else b"").decode(errors="replace").strip()
                    break
                if _answers(probe):
                    probe.close()
                    self._proc, self.port = proc, port
                    return self
                time.sleep(0.05)
            else:
                probe.close()
                _kill(proc)
                raise NodeError(f"anvil did not answer on 127.0.0.1:{port} within {timeout:.0f}s")
        raise NodeError(f"anvil exited at start: {last.splitlines()[-1] if last else 'no output'}")

    def stop(self, timeout: float = 15.0) -> None:
        """Stop anvil gracefully (so a state file is written), killing it if it hangs."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _kill(proc)
        if proc.stderr:
            proc.stderr.close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def __del__(self) -> None:
        proc = getattr(self, "_proc", None)
        if proc is not None and proc.poll() is None:
            _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _answers(probe: RpcClient) -> bool:
    try:
        probe.call("eth_chainId")
    except ChainError:
        return False
    return True
