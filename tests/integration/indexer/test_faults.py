"""RPC faults through a loopback proxy: dropped connections, 5xx, truncated and garbled bodies, delays."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from web3 import Web3

from provenance.compiler import Artifact
from provenance.errors import IndexerError
from provenance.indexer import Indexer, IndexerConfig
from provenance.rpc import RpcClient, RpcError, RpcTimeout, RpcTransportError
from tests.integration.indexer.conftest import StoreFactory
from tests.integration.indexer.support import FaultProxy, dump_index, emit_bulk

FAST_RETRIES: dict[str, Any] = {"timeout": 1.0, "retries": 8, "backoff": 0.01}


def _indexer(
    store: Any, url: str, emitter: Any, artifact: Artifact, rpc: dict[str, Any] | None = None, **cfg: Any
) -> Indexer:
    return Indexer(
        store,
        RpcClient(url, **(rpc or {})),
        {"Emitter": (emitter.address, emitter.deploy_block)},
        abis={"Emitter": artifact.abi},
        config=IndexerConfig(**cfg),
    )


@pytest.mark.parametrize("fault", ["drop", "500", "truncate", "delay", "garble"])
def test_client_retries_each_fault(node: Any, proxy_factory: Callable[[str], FaultProxy], fault: str) -> None:
    proxy = proxy_factory(node.url)
    proxy.faults, proxy.rate, proxy.delay = (fault,), 0.5, 0.5
    client = RpcClient(proxy.url, timeout=0.3, retries=20, backoff=0.01, max_backoff=0.05)
    for _ in range(4):
        assert int(client.call("eth_chainId"), 16) == 31337
        assert len(client.batch([("eth_blockNumber", []), ("eth_chainId", [])])) == 2
    assert proxy.injected.get(fault, 0) > 0 and client.retried >= proxy.injected[fault]


def test_client_errors_are_typed(node: Any, proxy_factory: Callable[[str], FaultProxy]) -> None:
    proxy = proxy_factory(node.url)
    client = RpcClient(proxy.url, timeout=0.5, retries=2, backoff=0.01)
    with pytest.raises(RpcError) as err:
        client.call("eth_noSuchMethod")
    assert err.value.code != 0
    proxy.faults, proxy.rate, proxy.delay = ("delay",), 1.0, 1.0
    with pytest.raises(RpcTimeout, match="did not answer within 0.5s .after 3 attempts"):
        client.call("eth_chainId")
    proxy.faults = ("500",)
    with pytest.raises(RpcTransportError, match="HTTP 500"):
        client.call("eth_chainId")


def test_indexer_under_faults_misses_nothing(
    w3: Web3,
    node: Any,
    emitter: Any,
    emitter_artifact: Artifact,
    make_store: StoreFactory,
    proxy_factory: Callable[[str], FaultProxy],
) -> None:
    emit_bulk(w3, emitter, 0, 3000, per_tx=100, assets=9, pings=True)
    clean = make_store("sqlite")
    with _indexer(clean, node.url, emitter, emitter_artifact) as ix:
        ix.run()
    proxy = proxy_factory(node.url)
    proxy.rate, proxy.delay = 0.25, 1.2
    for backend in ("sqlite", "postgresql"):
        faulty = make_store(backend)
        with _indexer(
            faulty, proxy.url, emitter, emitter_artifact, initial_range=2, max_range=3, reorg_depth=8, rpc=FAST_RETRIES
        ) as ix:
            result = ix.run()
        assert result.events == 6000
        assert dump_index(faulty) == dump_index(clean)
    print(f"proxy: {proxy.requests} requests, faults {proxy.injected}")
    assert set(proxy.injected) == {"drop", "500", "truncate", "delay", "garble"}


def test_a_range_that_can_never_be_read_stops_the_indexer(
    w3: Web3,
    node: Any,
    emitter: Any,
    emitter_artifact: Artifact,
    make_store: StoreFactory,
    proxy_factory: Callable[[str], FaultProxy],
) -> None:
    first = emit_bulk(w3, emitter, 0, 100, per_tx=10)
    bad = first - 4
    proxy = proxy_factory(node.url)

    def unreadable(doc: Any) -> bool:
        if not isinstance(doc, dict) or doc.get("method") != "eth_getLogs":
            return False
        q = doc["params"][0]
        return "fromBlock" in q and int(q["fromBlock"], 16) <= bad <= int(q["toBlock"], 16)

    proxy.deny_if = unreadable
    store = make_store("sqlite")
    started = time.monotonic()
    with (
        pytest.raises(IndexerError, match=f"block {bad} cannot be read"),
        _indexer(
            store,
            proxy.url,
            emitter,
            emitter_artifact,
            block_attempts=2,
            rpc={"retries": 1, "backoff": 0.01},
            reorg_depth=2,
        ) as ix,
    ):
        ix.run()
    assert time.monotonic() - started < 60
    cur = store.cursor()
    assert cur is None or cur[0] < bad  # never past the unreadable block
    assert store.event_count() == (0 if cur is None else store.event_count())
