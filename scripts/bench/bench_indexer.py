#!/usr/bin/env python
"""Benchmark the event indexer end to end from a local anvil into SQLite and PostgreSQL.

Prints one JSON document with, for N events (default 1,000,000):

* generation: how the events were made (a bulk emitter contract: one transaction emits
  ``--per-tx`` events in a loop) and how long it took;
* ``raw_getlogs``: (a) the rate at which the node serves eth_getLogs and the client parses the
  JSON (sequential, one persistent connection, orjson), the ceiling for any indexer;
* ``sqlite`` / ``postgresql``: the indexer end to end (fetch, decode, refs, checkpointed
  commits, secondary indexes built at the end), events/s, and RSS sampled at 10 %, 50 %
  and 100 % of the run (current and peak) to show memory stays flat;
* ``web3_baseline``: (b) web3.py's ``contract.events.Moved.get_logs`` (which runs
  ``process_log`` on every log) plus inserting into SQLite, measured in the same run on the
  first ``--baseline-events`` events (it is ~40x slower: a full run would take long);
* ratios of the indexer's SQLite rate to (a) and to (b);
* ``query``: asset-history latency (first page of 100 events, random assets) p50/p99 over the
  indexed set, on both backends.

Usage::

    .venv/bin/python scripts/bench/bench_indexer.py --events 200000
    .venv/bin/python scripts/bench/bench_indexer.py            # 1,000,000 events
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import orjson
from web3 import Web3

from provenance.chain import Chain
from provenance.compiler import compile_contracts
from provenance.indexer import (
    Indexer,
    IndexerConfig,
    PostgresStore,
    Progress,
    SqliteStore,
    asset_history,
)
from provenance.node import LocalNode
from provenance.rpc import RpcClient

PAGE = os.sysconf("SC_PAGE_SIZE")


def note(msg: str) -> None:
    """Progress on stderr (stdout carries only the JSON)."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2**20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(node: LocalNode, events: int, per_tx: int, assets: int) -> tuple[Any, Any, dict[str, Any]]:
    art = compile_contracts(units=["tests/integration/indexer/contracts/Emitter.sol"])["Emitter"]
    w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 120}))
    me = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": me}))
    emitter: Any = w3.eth.contract(address=receipt["contractAddress"], abi=art.abi)
    emitter.deploy_block = receipt["blockNumber"]
    rpc = RpcClient(node.url, timeout=300)
    t0 = time.perf_counter()
    last = None
    for first in range(0, events, per_tx):
        n = min(per_tx, events - first)
        data = emitter.functions.bulk(first, n, assets, False)._encode_transaction_data()
        last = rpc.call(
            "eth_sendTransaction",
            [{"from": me, "to": emitter.address, "data": data, "gas": hex(min(55_000_000, 60_000 + 3_300 * n))}],
        )
    assert last is not None
    w3.eth.wait_for_transaction_receipt(last, timeout=600)
    elapsed = time.perf_counter() - t0
    head = w3.eth.block_number
    info = {
        "how": f"Emitter.bulk(): one transaction emits {per_tx} Moved(bytes32 indexed assetId, address indexed from, "
        f"address indexed to, uint64 shares, uint256 nonce) events in a loop over {assets} asset ids; "
        "anvil automine, one transaction per block",
        "events": events,
        "blocks": head - emitter.deploy_block,
        "seconds": round(elapsed, 1),
    }
    rpc.close()
    return (w3, emitter, art), head, info


def raw_getlogs(url: str, address: str, start: int, head: int, per_request_blocks: int) -> dict[str, Any]:
    rpc = RpcClient(url, timeout=300)
    n = 0
    t0 = time.perf_counter()
    for lo in range(start, head + 1, per_request_blocks):
        logs = rpc.call(
            "eth_getLogs",
            [{"fromBlock": hex(lo), "toBlock": hex(min(head, lo + per_request_blocks - 1)), "address": address}],
        )
        n += len(logs)
    dt = time.perf_counter() - t0
    rpc.close()
    return {"events": n, "seconds": round(dt, 2), "events_per_s": round(n / dt)}


def run_indexer(store: Any, url: str, emitter: Any, abi: Any, total: int) -> dict[str, Any]:
    samples: dict[str, dict[str, float]] = {}
    marks = [(0.10, "10%"), (0.50, "50%")]

    def progress(p: Progress) -> None:
        done = p.events / total if total else 1.0
        while marks and done >= marks[0][0]:
            _f, label = marks.pop(0)
            samples[label] = {"rss_mb": round(rss_mb(), 1), "peak_rss_mb": round(peak_mb(), 1), "events": p.events}

    t0 = time.perf_counter()
    with Indexer(
        store,
        Chain(url),
        {"Emitter": (emitter.address, emitter.deploy_block)},
        abis={"Emitter": abi},
        config=IndexerConfig(),
    ) as ix:
        result = ix.run(progress=progress)
        stats = ix.fetcher.stats
    dt = time.perf_counter() - t0
    samples["100%"] = {"rss_mb": round(rss_mb(), 1), "peak_rss_mb": round(peak_mb(), 1), "events": result.events}
    return {
        "events": result.events,
        "seconds": round(dt, 2),
        "events_per_s": round(result.events / dt),
        "rss": samples,
        "getlogs_requests": stats.ranges,
        "splits": stats.splits,
    }


def registry_projection(node: LocalNode, events: int, per_tx: int, tmp: Path) -> dict[str, Any]:
    """DataRegistry.registerBatch() applications, indexed with the state projection (general decode
    path: AssetApplied carries a string; four state rows per event)."""
    from provenance.compiler import load_artifact

    art = load_artifact("DataRegistry")
    w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 120}))
    me = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=art.abi, bytecode=art.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(me, "BENCH", 0).transact({"from": me}))
    reg: Any = w3.eth.contract(address=receipt["contractAddress"], abi=art.abi)
    rpc = RpcClient(node.url, timeout=300)
    last = None
    for first in range(0, events, per_tx):
        regs: list[tuple[Any, ...]] = [
            (
                (first + i + 1).to_bytes(32, "big"),
                b"\x01" * 32,
                f"ipfs://bench/{first + i}",
                1,
                0,
                0,
                b"\0" * 32,
                [],
                [],
            )
            for i in range(min(per_tx, events - first))
        ]
        data = reg.functions.registerBatch(regs)._encode_transaction_data()
        last = rpc.call("eth_sendTransaction", [{"from": me, "to": reg.address, "data": data, "gas": hex(50_000_000)}])
    assert last is not None
    w3.eth.wait_for_transaction_receipt(last, timeout=600)
    store = SqliteStore(tmp / "registry.sqlite")
    t0 = time.perf_counter()
    with Indexer(
        store, Chain(node.url), {"DataRegistry": (reg.address, receipt["blockNumber"])}, abis={"DataRegistry": art.abi}
    ) as ix:
        result = ix.run()
    dt = time.perf_counter() - t0
    assets = store.execute("SELECT COUNT(*) FROM assets WHERE block_to IS NULL")[0][0]
    store.close()
    rpc.close()
    return {
        "events": result.events,
        "assets_rows": assets,
        "seconds": round(dt, 2),
        "events_per_s": round(result.events / dt),
        "how": f"registerBatch of {per_tx} applications per transaction; AssetApplied decoded by the general "
        "path (string argument) and projected (assets + 3 rights rows each)",
    }


def query_latency(store: Any, assets: int, n: int) -> dict[str, Any]:
    rng = random.Random(7)
    lat = []
    rows = 0
    for _ in range(n):
        asset = (rng.randrange(assets) + 1).to_bytes(32, "big")
        t0 = time.perf_counter()
        page = asset_history(store, asset, limit=100, cursor=None)
        lat.append(time.perf_counter() - t0)
        rows += len(page.items)
    lat.sort()
    return {
        "queries": n,
        "page_size": 100,
        "mean_rows": rows / n,
        "p50_ms": round(1000 * lat[len(lat) // 2], 3),
        "p99_ms": round(1000 * lat[int(len(lat) * 0.99)], 3),
    }


def web3_baseline(
    w3: Web3, emitter: Any, start: int, head: int, limit: int, per_request_blocks: int, tmp: Path
) -> dict[str, Any]:
    db = sqlite3.connect(tmp / "web3-baseline.sqlite")
    db.execute(
        "CREATE TABLE events (block_number INTEGER, log_index INTEGER, tx_hash TEXT, args TEXT, "
        "PRIMARY KEY (block_number, log_index))"
    )
    n = 0
    t0 = time.perf_counter()
    lo = start
    while lo <= head and n < limit:
        hi = min(head, lo + per_request_blocks - 1)
        logs = emitter.events.Moved.get_logs(from_block=lo, to_block=hi)
        db.executemany(
            "INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?)",
            [(e.blockNumber, e.logIndex, e.transactionHash.hex(), json.dumps(dict(e.args), default=str)) for e in logs],
        )
        db.commit()
        n += len(logs)
        lo = hi + 1
    dt = time.perf_counter() - t0
    db.close()
    return {
        "events": n,
        "seconds": round(dt, 2),
        "events_per_s": round(n / dt),
        "note": "contract.events.Moved.get_logs (process_log per log) + executemany into SQLite, per range",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--per-tx", type=int, default=2_000)
    ap.add_argument("--assets", type=int, default=1_000, help="distinct asset ids the events cycle through")
    ap.add_argument("--baseline-events", type=int, default=30_000)
    ap.add_argument("--queries", type=int, default=1_000)
    ap.add_argument(
        "--pg-url", default=os.environ.get("PROVENANCE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
    )
    ap.add_argument("--skip-pg", action="store_true")
    ap.add_argument(
        "--registry-events",
        type=int,
        default=20_000,
        help="also index this many DataRegistry applications with the state projection (0: skip)",
    )
    args = ap.parse_args()

    out: dict[str, Any] = {
        "benchmark": "provenance indexer",
        "events_requested": args.events,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }
    with tempfile.TemporaryDirectory() as tmpdir, LocalNode(gas_limit=60_000_000) as node:
        tmp = Path(tmpdir)
        note(f"generating {args.events:,} events")
        (w3, emitter, art), head, gen = generate(node, args.events, args.per_tx, args.assets)
        out["generation"] = gen
        note(f"generated in {gen['seconds']} s; raw eth_getLogs")
        blocks_per_request = max(1, 10_000 // args.per_tx)  # ~10,000 logs per answer, as the indexer aims for
        out["raw_getlogs"] = raw_getlogs(node.url, emitter.address, emitter.deploy_block, head, blocks_per_request)

        note(f"raw: {out['raw_getlogs']['events_per_s']:,} events/s; indexing into SQLite")
        sqlite_store = SqliteStore(tmp / "index.sqlite")
        out["sqlite"] = run_indexer(sqlite_store, node.url, emitter, art.abi, args.events)
        out["sqlite"]["file_mb"] = round(sum(p.stat().st_size for p in tmp.glob("index.sqlite*")) / 2**20, 1)
        note(f"SQLite: {out['sqlite']['events_per_s']:,} events/s; queries")
        sqlite_store.close()
        reader = SqliteStore(tmp / "index.sqlite")  # a reader of its own, as `provenance trace` opens
        out["query_sqlite"] = query_latency(reader, args.assets, args.queries)
        reader.close()

        if not args.skip_pg:
            note("indexing into PostgreSQL")
            pg = PostgresStore(args.pg_url, schema=f"bench_{uuid.uuid4().hex[:10]}")
            try:
                out["postgresql"] = run_indexer(pg, node.url, emitter, art.abi, args.events)
                out["query_postgresql"] = query_latency(pg, args.assets, args.queries)
            finally:
                pg.drop_schema()
                pg.close()

        if args.registry_events:
            note(f"registry projection: {args.registry_events:,} applications")
            out["sqlite_registry_projection"] = registry_projection(node, args.registry_events, 100, tmp)
        note("web3.py baseline")
        out["web3_baseline"] = web3_baseline(
            w3, emitter, emitter.deploy_block, head, args.baseline_events, blocks_per_request, tmp
        )
    raw = out["raw_getlogs"]["events_per_s"]
    base = out["web3_baseline"]["events_per_s"]
    rate = out["sqlite"]["events_per_s"]
    out["ratios"] = {
        "sqlite_vs_raw_getlogs": round(rate / raw, 3),
        "sqlite_vs_web3": round(rate / base, 1),
        "targets": {"sqlite_vs_raw_getlogs": ">= 0.5", "sqlite_vs_web3": ">= 15", "query_p99_ms_sqlite": "<= 10"},
    }
    if "postgresql" in out:
        out["ratios"]["postgresql_vs_raw_getlogs"] = round(out["postgresql"]["events_per_s"] / raw, 3)
        out["ratios"]["postgresql_vs_web3"] = round(out["postgresql"]["events_per_s"] / base, 1)
    print(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


if __name__ == "__main__":
    main()
