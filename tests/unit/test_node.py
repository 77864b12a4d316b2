from __future__ import annotations

import socket
from pathlib import Path

import pytest

from provenance.chain import Chain
from provenance.errors import NodeError
from provenance.node import LocalNode, free_port


def test_starts_on_loopback_and_stops() -> None:
    node = LocalNode().start()
    try:
        assert node.url.startswith("http://127.0.0.1:")
        assert Chain(node.url).chain_id == 31337
        port = node.port
    finally:
        node.stop()
    assert not node.running
    # Nothing answers there any more.
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(1)
        sock.connect(("127.0.0.1", port))


def test_port_in_use_is_a_clear_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(NodeError, match="anvil"):
            LocalNode(port=port).start(timeout=10)


def test_bad_chain_id_rejected() -> None:
    with pytest.raises(NodeError, match="chain_id"):
        LocalNode(chain_id=0)


def test_state_persists_across_restart(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    port = free_port()
    with LocalNode(port=port, state_file=state) as node:
        chain = Chain(node.url)
        genesis = chain.genesis_hash()
        chain.rpc("anvil_setCode", ["0x" + "11" * 20, "0x6001600055"])
        chain.rpc("evm_mine", [])
        height = chain.block_number()
    assert state.exists()
    with LocalNode(port=free_port(), state_file=state) as node:
        chain = Chain(node.url)
        assert chain.rpc("eth_getCode", ["0x" + "11" * 20, "latest"]) == "0x6001600055"
        assert chain.block_number() >= height
        assert chain.genesis_hash() == genesis


def test_log_file_in_a_data_dir_that_does_not_exist_yet(tmp_path: Path) -> None:
    # `provenance node` in a fresh directory: the log opens before anything made the folder.
    data_dir = tmp_path / "fresh" / ".provenance"
    node = LocalNode(log_file=data_dir / "anvil.log").start()
    try:
        assert Chain(node.url).chain_id == 31337
    finally:
        node.stop()
    assert (data_dir / "anvil.log").exists()
