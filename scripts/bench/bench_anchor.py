#!/usr/bin/env python
"""Benchmark batch anchoring: gas per anchored record, and 1,000,000 records end to end.

Prints one JSON document:

- ``gas``: for batches of 1, 64, 1,024 and 65,536 records, the gas of the ``anchor``
  transaction and that gas divided by the record count (target: <= 50 at 1,024);
- ``end_to_end``: records -> canonical JSON -> tree (``build_batch``), the ``anchor``
  transaction sent and mined on a local anvil, every proof written to a temporary JSONL
  file (``write_proofs``); wall and CPU seconds per phase (target: under 60 s in total);
- ``baseline``: the same tree built the naive way in the same run (``rfc8785.dumps``,
  ``eth_abi.encode`` per leaf, ``eth_hash`` keccak), on the same records, and the ratios.

Usage: ``.venv/bin/python scripts/bench/bench_anchor.py [--records N] [--baseline-records N]``.
The machine is shared: wall times move with its load (reported), ratios much less.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from web3 import Web3
from web3.contract import Contract

from provenance._internal.keccak import KECCAK_BACKEND, keccak256
from provenance.anchor_records import build_batch, write_proofs
from provenance.compiler import compile_contracts
from provenance.node import LocalNode

GAS_SIZES = (1, 64, 1024, 65536)
ANCHORER_ROLE = keccak256(b"ANCHORER_ROLE")


def make_records(count: int, salt: str = "") -> list[dict[str, Any]]:
    """Synthetic settled trades, shaped like the exchange's records."""
    return [
        {
            "tradeId": f"T{salt}-{i:09d}",
            "listingId": f"L-{i // 16:08d}",
            "assetId": "0x%064x" % (i * 0x9E3779B97F4A7C15 % (1 << 256)),
            "seller": "0x%040x" % (i * 7919 % (1 << 160)),
            "buyer": "0x%040x" % (i * 104729 % (1 << 160)),
            "right": ("holding", "processing", "operation")[i % 3],
            "price": 1_000 + i % 100_000,
            "currency": "CNY",
            "settledAt": 1_767_225_600 + i,
        }
        for i in range(count)
    ]


def naive_root(records: Sequence[dict[str, Any]]) -> str:
    """The baseline: the same StandardMerkleTree, built with the usual per-leaf library calls."""
    import rfc8785
    from eth_abi import encode
    from eth_hash.auto import keccak

    leaves = []
    for record in records:
        record_hash = keccak(rfc8785.dumps(record))
        leaves.append(keccak(keccak(encode(["bytes32"], [record_hash]))))
    leaves.sort()
    n = len(leaves)
    tree: list[bytes] = [b""] * (n - 1) + leaves[::-1]
    for i in range(n - 2, -1, -1):
        tree[i] = keccak(b"".join(sorted((tree[2 * i + 1], tree[2 * i + 2]))))
    return "0x" + tree[0].hex()


def _cpu() -> float:
    """CPU seconds (user + system) of this process."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``, its wall seconds and its CPU seconds."""
    wall, cpu = time.perf_counter(), _cpu()
    result = fn()
    return result, time.perf_counter() - wall, _cpu() - cpu


def deploy(w3: Web3) -> Contract:
    artifact = compile_contracts(units=["contracts/TradeAnchor.sol"])["TradeAnchor"]
    admin = w3.eth.accounts[0]
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor(admin).transact({"from": admin}))
    address = receipt["contractAddress"]
    assert address is not None
    contract = w3.eth.contract(address=address, abi=artifact.abi)
    w3.eth.wait_for_transaction_receipt(contract.functions.grantRole(ANCHORER_ROLE, admin).transact({"from": admin}))
    return contract


def send_anchor(w3: Web3, contract: Contract, root: str, count: int, batch_id: bytes) -> int:
    tx = contract.functions.anchor(root, count, batch_id, keccak256(batch_id + b"/metadata")).transact(
        {"from": w3.eth.accounts[0]}
    )
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    if receipt["status"] != 1:
        raise SystemExit(f"anchor of {count} records failed")
    return int(receipt["gasUsed"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline-records", type=int, default=None, help="default: --records")
    args = parser.parse_args()
    baseline_count = args.baseline_records or args.records
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
            "keccak_backend": KECCAK_BACKEND,
        }
    }
    with LocalNode() as node:
        w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 120}))
        contract = deploy(w3)

        # (1): gas per anchored record at several batch sizes (real trees, real roots)
        gas = []
        for size in GAS_SIZES:
            tree, _ = build_batch(make_records(size, salt=f"g{size}"))
            used = send_anchor(w3, contract, tree.root, size, keccak256(f"gas-batch-{size}".encode()))
            gas.append({"records": size, "gas_used": used, "gas_per_record": round(used / size, 3)})
        report["gas"] = gas

        # (2): end to end on --records records; generating them is not part of the figure
        records, gen_wall, _ = timed(lambda: make_records(args.records))
        gc.collect()
        with tempfile.TemporaryDirectory(prefix="bench-anchor-") as tmp:
            proofs = Path(tmp) / "batch.proofs.jsonl"
            (batch, _values), build_wall, build_cpu = timed(lambda: build_batch(records))
            gas_used, tx_wall, tx_cpu = timed(
                lambda: send_anchor(w3, contract, batch.root, args.records, keccak256(b"bench-1m"))
            )
            lines, write_wall, write_cpu = timed(lambda: write_proofs(proofs, batch))
            size = proofs.stat().st_size
            root = batch.root
            batch = _values = None
        gc.collect()
        total_wall = build_wall + tx_wall + write_wall
        report["end_to_end"] = {
            "records": args.records,
            "root": root,
            "anchor_gas": gas_used,
            "proof_lines": lines,
            "proofs_file_bytes": size,
            "generate_records_s": round(gen_wall, 2),
            "wall_s": {
                "build_tree": round(build_wall, 2),
                "anchor_tx": round(tx_wall, 3),
                "write_proofs": round(write_wall, 2),
                "total": round(total_wall, 2),
            },
            "cpu_s": {
                "build_tree": round(build_cpu, 2),
                "anchor_tx": round(tx_cpu, 3),
                "write_proofs": round(write_cpu, 2),
                "total": round(build_cpu + tx_cpu + write_cpu, 2),
            },
            "budget_s": 60,
            "share_of_budget": round(total_wall / 60, 3),
        }

    # (3): the baseline, same records, same run; the fast tree is timed again on the same subset
    subset = records[:baseline_count]
    naive, naive_wall, naive_cpu = timed(lambda: naive_root(subset))
    (fast_tree, _), fast_wall, fast_cpu = timed(lambda: build_batch(subset))
    if naive != fast_tree.root:
        raise SystemExit(f"baseline root {naive} != fast root {fast_tree.root}")
    report["baseline"] = {
        "method": "rfc8785.dumps + eth_abi.encode per leaf + eth_hash.auto keccak (pycryptodome), list sort",
        "records": baseline_count,
        "same_root": True,
        "naive_build_tree_wall_s": round(naive_wall, 2),
        "naive_build_tree_cpu_s": round(naive_cpu, 2),
        "fast_build_tree_wall_s": round(fast_wall, 2),
        "fast_build_tree_cpu_s": round(fast_cpu, 2),
        "speedup_build_tree_cpu": round(naive_cpu / fast_cpu, 2),
        "end_to_end_over_naive_build_cpu": (
            round(report["end_to_end"]["cpu_s"]["total"] / naive_cpu, 3) if baseline_count == args.records else None
        ),
        "loadavg_at_end": [round(x, 2) for x in os.getloadavg()],
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
