"""The indexer end to end on a real anvil, into SQLite and PostgreSQL: same rows, same answers."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from web3 import Web3

from provenance.chain import Chain
from provenance.compiler import Artifact
from provenance.errors import IndexerError, InputError, StoreError
from provenance.indexer import (
    Indexer,
    IndexerConfig,
    Progress,
    asset_history,
    events,
    index_status,
    iter_history,
    party_history,
    trade_history,
)
from provenance.indexer.store import EVENT_COLUMNS
from tests.integration.indexer.conftest import BACKENDS, StoreFactory
from tests.integration.indexer.support import dump_index, emit_bulk, mine

ASSET_1 = "0x" + "00" * 31 + "01"


def _populate(w3: Web3, emitter: Any) -> None:
    me, other = list(w3.eth.accounts)[:2]
    emitter.functions.ping(bytes.fromhex(ASSET_1[2:]), 2**200, 'héllo "quoted"').transact({"from": me})
    emitter.functions.ping(b"\x07" * 32, 0, "").transact({"from": other})
    emitter.functions.pong(7, b"\x02" * 32, True, -5, [1, 2, 2**64 - 1], b"\xde\xad").transact({"from": me})
    emitter.functions.pong(8, b"\x00" * 32, False, 2**63 - 1, [], b"").transact({"from": me})
    mine(w3, 3)
    emit_bulk(w3, emitter, 0, 1200, per_tx=300, assets=7, pings=True)
    mine(w3, 2)


def _indexer(store: Any, url: str, emitter: Any, artifact: Artifact, **cfg: Any) -> Indexer:
    return Indexer(
        store,
        Chain(url),
        {"Emitter": (emitter.address, emitter.deploy_block)},
        abis={"Emitter": artifact.abi},
        config=IndexerConfig(**cfg),
    )


def test_both_backends_hold_identical_rows_and_answer_identically(
    w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    _populate(w3, emitter)
    dumps, answers = [], []
    for backend in BACKENDS:
        store = make_store(backend)
        seen: list[Progress] = []
        with _indexer(store, node.url, emitter, emitter_artifact, initial_range=3, reorg_depth=4) as ix:
            result = ix.run(progress=seen.append)
        assert result.events == 2 + 2 + 2400
        assert seen and seen[-1].indexed_block == result.indexed_block and seen[-1].fraction == 1.0
        dumps.append(dump_index(store))
        me = w3.eth.accounts[0]
        answers.append(
            (
                asset_history(store, ASSET_1, limit=50),
                asset_history(store, ASSET_1, limit=7, cursor=asset_history(store, ASSET_1, limit=7).next_cursor),
                asset_history(store, ASSET_1, descending=True, limit=5),
                party_history(store, me.lower(), limit=3),
                party_history(store, list(w3.eth.accounts)[1]),
                trade_history(store, 7),
                trade_history(store, "8"),
                events(store, event="Pong"),
                events(store, contract="Emitter", from_block=result.indexed_block - 3, limit=10),
                list(iter_history(asset_history, store, ASSET_1, page_size=100)),
                index_status(store).counts,
            )
        )
    assert dumps[0] == dumps[1]
    assert answers[0] == answers[1]
    sqlite_answers = answers[0]
    pong = sqlite_answers[7].items
    assert [e.args for e in pong] == [
        {"tradeId": 7, "tag": "0x" + "02" * 32, "flag": True, "delta": -5, "xs": [1, 2, 2**64 - 1], "blob": "0xdead"},
        {"tradeId": 8, "tag": "0x" + "00" * 32, "flag": False, "delta": 2**63 - 1, "xs": [], "blob": "0x"},
    ]
    first = sqlite_answers[0].items[0]
    assert first.name == "Ping" and first.args is not None
    assert first.args["value"] == 2**200 and first.args["note"] == 'héllo "quoted"'
    assert first.args["party"] == w3.eth.accounts[0].lower()
    # asset 1 is named by the first Ping and by every 7th bulk pair (Moved + Ping)
    every = sqlite_answers[9]
    assert len(every) == 1 + 2 * len(range(0, 1200, 7))
    assert [e.block_number for e in every] == sorted(e.block_number for e in every)
    assert sqlite_answers[1].items[0] == every[7]
    assert sqlite_answers[2].items[0] == every[-1]
    assert len(sqlite_answers[4].items) == 1  # the other account pinged once
    assert len(sqlite_answers[5].items) == 1 and sqlite_answers[5].items[0].args["tradeId"] == 7  # type: ignore[index]


@pytest.mark.parametrize("backend", BACKENDS)
def test_rerun_is_idempotent_and_incremental(
    backend: str, w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    _populate(w3, emitter)
    store = make_store(backend)
    with _indexer(store, node.url, emitter, emitter_artifact) as ix:
        first = ix.run()
        before = dump_index(store)
        again = ix.run()
        assert again.events == 0 and dump_index(store) == before
        # inserting the same rows again adds nothing (idempotent on the natural key)
        rows = store.execute(f"SELECT {', '.join(EVENT_COLUMNS)} FROM events ORDER BY id LIMIT 500")
        with store.transaction():
            store.insert_events([tuple(bytes(v) if isinstance(v, memoryview) else v for v in r) for r in rows])
            store.derive_refs(0, 1 << 62, ix._ref_rules)
        assert dump_index(store) == before
        # new events are picked up from the checkpoint on
        emit_bulk(w3, emitter, 5000, 100, per_tx=100)
        more = ix.run()
        assert more.events == 100 and more.start_block == first.indexed_block + 1
    status = index_status(store)
    assert status.events == first.events + 100 and status.indexes_built


@pytest.mark.parametrize("backend", BACKENDS)
def test_block_time_and_range_filters(
    backend: str, w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    store = make_store(backend)
    me = w3.eth.accounts[0]
    stamps = []
    base = int(w3.eth.get_block("latest")["timestamp"]) + 1000
    for i in range(4):
        w3.provider.make_request("evm_setNextBlockTimestamp", [base + 1000 * i])  # type: ignore[arg-type]
        emitter.functions.ping(bytes.fromhex(ASSET_1[2:]), i, "t").transact({"from": me})
        stamps.append(base + 1000 * i)
    with _indexer(store, node.url, emitter, emitter_artifact) as ix:
        ix.run()
    all_pings = asset_history(store, ASSET_1).items
    assert [e.block_time for e in all_pings] == stamps
    mid = asset_history(store, ASSET_1, since=stamps[1], until=stamps[2]).items
    assert [e.args["value"] for e in mid if e.args] == [1, 2]
    by_block = asset_history(store, ASSET_1, from_block=all_pings[2].block_number).items
    assert [e.args["value"] for e in by_block if e.args] == [2, 3]
    assert events(store, since=stamps[3]).items == (all_pings[3],)
    with pytest.raises(InputError, match="cursor"):
        asset_history(store, ASSET_1, cursor="nope")
    with pytest.raises(InputError, match="asset id"):
        asset_history(store, "0x1234")


def test_follow_mode_picks_up_new_blocks_and_stops(
    w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    store = make_store("sqlite")
    stop = threading.Event()
    reports: list[Progress] = []
    ix = _indexer(store, node.url, emitter, emitter_artifact, poll_interval=0.1)
    thread = threading.Thread(target=lambda: ix.run(follow=True, stop=stop, progress=reports.append))
    thread.start()
    try:
        emit_bulk(w3, emitter, 0, 50, per_tx=25)
        deadline = 50
        for _ in range(deadline * 10):
            if index_status(store).events >= 50:
                break
            threading.Event().wait(0.1)
        assert index_status(store).events == 50
    finally:
        stop.set()
        thread.join(30)
        ix.close()
    assert not thread.is_alive()
    assert any(r.regime == "head" for r in reports)


def test_confirmations_hold_back_recent_blocks(
    w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    store = make_store("sqlite")
    emit_bulk(w3, emitter, 0, 30, per_tx=10)  # three blocks
    head = w3.eth.block_number
    with _indexer(store, node.url, emitter, emitter_artifact, confirmations=2) as ix:
        result = ix.run()
    assert result.indexed_block == head - 2
    assert index_status(store).events == 10


def test_second_writer_is_refused(
    node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    for backend in BACKENDS:
        store = make_store(backend)
        store.lock_writer()
        reopen: Any = type(store)  # the backend's own class: SqliteStore(path) or PostgresStore(url, schema=)
        other = reopen(store.path) if backend == "sqlite" else reopen(store.url, schema=store.schema)  # type: ignore[attr-defined]
        try:
            with pytest.raises(StoreError, match="another indexer"):
                _indexer(other, node.url, emitter, emitter_artifact).run()
        finally:
            other.close()
            store.unlock_writer()


def test_index_of_other_contracts_is_refused(
    w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    from tests.integration.indexer.support import deploy

    store = make_store("sqlite")
    with _indexer(store, node.url, emitter, emitter_artifact) as ix:
        ix.run()
    second = deploy(w3, emitter_artifact)
    with pytest.raises(IndexerError, match="other contracts"):
        _indexer(store, node.url, second, emitter_artifact).run()
    with pytest.raises(IndexerError, match="chain 5"):
        Indexer(
            store,
            Chain(node.url),
            {"Emitter": (emitter.address, 1)},
            abis={"Emitter": emitter_artifact.abi},
            chain_id=5,
        ).run()


def test_worker_processes_build_the_same_index(
    w3: Web3, node: Any, emitter: Any, emitter_artifact: Artifact, make_store: StoreFactory
) -> None:
    _populate(w3, emitter)
    threads, processes = make_store("sqlite"), make_store("postgresql")
    with _indexer(threads, node.url, emitter, emitter_artifact, workers=0) as ix:
        ix.run()
    with _indexer(
        processes, node.url, emitter, emitter_artifact, workers=2, workers_min_blocks=1, reorg_depth=2, initial_range=2
    ) as ix:
        ix.run()
        assert ix._pool is None  # shut down at the end of the run
    assert dump_index(threads) == dump_index(processes)
