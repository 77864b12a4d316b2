"""Reorganizations: anvil_reorg and evm_snapshot/evm_revert; the index rolls back and matches the new chain."""

from __future__ import annotations

from typing import Any

import pytest
from web3 import Web3

from provenance.chain import Chain
from provenance.compiler import Artifact
from provenance.errors import IndexerError
from provenance.indexer import Indexer, IndexerConfig, Progress
from provenance.node import LocalNode
from tests.integration.indexer.conftest import BACKENDS, StoreFactory
from tests.integration.indexer.support import deploy, dump_index, emit_bulk, mine


def _w3(node: LocalNode) -> Web3:
    return Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))


def _run(store: Any, node: LocalNode, emitter: Any, artifact: Artifact, **cfg: Any) -> tuple[Any, list[Progress]]:
    seen: list[Progress] = []
    with Indexer(
        store,
        Chain(node.url),
        {"Emitter": (emitter.address, emitter.deploy_block)},
        abis={"Emitter": artifact.abi},
        config=IndexerConfig(**cfg),
    ) as ix:
        return ix.run(progress=seen.append), seen


def _fresh_dump(make_store: StoreFactory, backend: str, node: LocalNode, emitter: Any, artifact: Artifact) -> Any:
    store = make_store(backend)
    _run(store, node, emitter, artifact)
    return dump_index(store)


@pytest.mark.parametrize("backend", BACKENDS)
def test_anvil_reorg_rolls_back_to_the_fork_and_matches_the_new_chain(
    backend: str, fresh_node: LocalNode, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    w3 = _w3(fresh_node)
    emitter = deploy(w3, emitter_artifact)
    emit_bulk(w3, emitter, 0, 400, per_tx=40)  # ten blocks
    store = make_store(backend)
    first, _ = _run(store, fresh_node, emitter, emitter_artifact)
    assert first.events == 400
    # (1) replace the last 4 blocks: their events go, a new event lands in the replacement.
    me = w3.eth.accounts[0]
    tx = {
        "from": me,
        "to": emitter.address,
        "gas": hex(1_000_000),
        "data": emitter.functions.ping(b"\x09" * 32, 99, "after the reorg")._encode_transaction_data(),
    }
    w3.provider.make_request("anvil_reorg", [4, [[tx, 1]]])  # type: ignore[arg-type]
    emit_bulk(w3, emitter, 1000, 30, per_tx=30)
    second, seen = _run(store, fresh_node, emitter, emitter_artifact)
    assert second.rollbacks == 1
    assert any(p.regime == "rollback" and p.indexed_block == first.indexed_block - 4 for p in seen)
    # (2) the index equals one built from scratch on the new chain.
    assert dump_index(store) == _fresh_dump(make_store, backend, fresh_node, emitter, emitter_artifact)
    assert store.event_count() == 400 - 4 * 40 + 1 + 30


@pytest.mark.parametrize("backend", BACKENDS)
def test_snapshot_revert_then_longer_chain_rolls_back(
    backend: str, fresh_node: LocalNode, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    w3 = _w3(fresh_node)
    emitter = deploy(w3, emitter_artifact)
    emit_bulk(w3, emitter, 0, 100, per_tx=50)
    snap = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    emit_bulk(w3, emitter, 100, 150, per_tx=50)  # three blocks that will vanish
    store = make_store(backend)
    first, _ = _run(store, fresh_node, emitter, emitter_artifact)
    assert first.events == 250
    assert w3.provider.make_request("evm_revert", [snap])["result"]  # type: ignore[arg-type]
    emit_bulk(w3, emitter, 500, 60, per_tx=10, pings=True)  # six blocks: the head passes the old one
    second, _ = _run(store, fresh_node, emitter, emitter_artifact)
    assert second.rollbacks == 1
    assert dump_index(store) == _fresh_dump(make_store, backend, fresh_node, emitter, emitter_artifact)
    assert store.event_count() == 100 + 120


def test_head_going_backwards_is_a_loud_error(
    fresh_node: LocalNode, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    w3 = _w3(fresh_node)
    emitter = deploy(w3, emitter_artifact)
    snap = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    emit_bulk(w3, emitter, 0, 20, per_tx=10)
    mine(w3, 5)
    store = make_store("sqlite")
    _run(store, fresh_node, emitter, emitter_artifact)
    before = dump_index(store)
    w3.provider.make_request("evm_revert", [snap])  # type: ignore[arg-type]
    with pytest.raises(IndexerError, match="head went backwards"):
        _run(store, fresh_node, emitter, emitter_artifact)
    assert dump_index(store) == before  # nothing was touched


def test_reorg_deeper_than_the_window_stops(
    fresh_node: LocalNode, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    w3 = _w3(fresh_node)
    emitter = deploy(w3, emitter_artifact)
    emit_bulk(w3, emitter, 0, 100, per_tx=10)
    store = make_store("sqlite")
    _run(store, fresh_node, emitter, emitter_artifact, reorg_depth=3)
    w3.provider.make_request("anvil_reorg", [8, []])  # type: ignore[arg-type]
    with pytest.raises(IndexerError, match="deeper than reorg_depth"):
        _run(store, fresh_node, emitter, emitter_artifact, reorg_depth=3)


def test_a_restarted_chain_is_refused(emitter_artifact: Artifact, make_store: StoreFactory) -> None:
    store = make_store("sqlite")
    with LocalNode() as first:
        w3 = _w3(first)
        emitter = deploy(w3, emitter_artifact)
        emit_bulk(w3, emitter, 0, 10, per_tx=10)
        _run(store, first, emitter, emitter_artifact)
    with LocalNode(extra_args=("--timestamp", "1000")) as second:  # another genesis
        w3 = _w3(second)
        emitter = deploy(w3, emitter_artifact)
        emit_bulk(w3, emitter, 0, 10, per_tx=10)
        mine(w3, 5)
        with pytest.raises(IndexerError, match="genesis hash"):
            _run(store, second, emitter, emitter_artifact)
