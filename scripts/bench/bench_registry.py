#!/usr/bin/env python
"""Registry benchmarks: gas of every operation beside its floor, and registrations per second.

Prints one JSON object. Throughput figures are measured in one run against one local anvil,
beside two baselines run in the same process:
  (a) a naive web3.py loop: build, sign (eth-account), send, wait for the receipt, per transaction;
  (b) plain value transfers signed and sent as fast as this process can (same signer, batched).
Targets: provenance >= 7x (a) and >= 0.5x (b); a plain registration <= 120,000 gas.

Usage: .venv/bin/python scripts/bench/bench_registry.py [--count N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import warnings
from typing import Any

from eth_account import Account
from web3 import Web3

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Call, Chain, Sender
from provenance.compiler import load_artifact
from provenance.deployment import deploy
from provenance.node import LocalNode
from provenance.records.registry import Category, LicenceTerms, Registration, Right, RightTransfer, Ruling
from provenance.registry import Registry

G_TX = 21_000
G_SSET = 22_100  # new slot: 20,000 + cold access 2,100
G_LOG, G_TOPIC, G_LOGBYTE = 375, 375, 8


def _reg(i: int, tag: bytes = b"", uri_len: int = 64, **kw: Any) -> Registration:
    return Registration(
        content_hash=hashlib.sha256(tag + i.to_bytes(8, "big")).digest(),
        metadata_hash=hashlib.sha256(b"meta" + tag + i.to_bytes(8, "big")).digest(),
        metadata_uri=("https://data.example.org/meta/" + str(i)).ljust(uri_len, "x")[:uri_len],
        **kw,
    )


def calldata_gas(data: bytes) -> int:
    """Intrinsic calldata cost: 4 gas per zero byte, 16 per non-zero byte (EIP-2028).

    Prague's EIP-7623 floor (10 gas per token) only binds for transactions that are almost
    all calldata, which none of these is.
    """
    zeros = data.count(0)
    return 4 * zeros + 16 * (len(data) - zeros)


def floor(data: bytes, new_slots: int, logs: list[tuple[int, int]]) -> int:
    """21,000 + calldata + required new storage + logs ((topics, data bytes) per log)."""
    return G_TX + calldata_gas(data) + G_SSET * new_slots + sum(G_LOG + G_TOPIC * t + G_LOGBYTE * n for t, n in logs)


def log_shape(outcome: Any, registry: Registry) -> list[tuple[int, int]]:
    receipt = registry.chain.rpc("eth_getTransactionReceipt", [outcome.tx_hash])
    return [(len(lg["topics"]), (len(lg["data"]) - 2) // 2) for lg in receipt["logs"]]


def tx_input(registry: Registry, tx_hash: str) -> bytes:
    return bytes.fromhex(registry.chain.rpc("eth_getTransactionByHash", [tx_hash])["input"][2:])


def gas_table(chain: Chain, signers: list[Any]) -> dict[str, dict[str, int]]:
    admin, owner, other, licensee = signers[:4]
    dep = deploy(chain, Sender(chain, admin), notice_period=0)
    reg_admin = Registry.from_deployment(dep, chain, Sender(chain, admin))
    reg_owner = Registry.from_deployment(dep, chain, Sender(chain, owner))
    reg_other = Registry.from_deployment(dep, chain, Sender(chain, other))
    reg_lic = Registry.from_deployment(dep, chain, Sender(chain, licensee))
    table: dict[str, dict[str, int]] = {}

    def record(name: str, outcome: Any, new_slots: int, per: int = 1) -> None:
        data = tx_input(reg_admin, outcome.tx_hash)
        table[name] = {
            "gas": outcome.gas_used // per,
            "floor": floor(data, new_slots, log_shape(outcome, reg_admin)) // per,
        }

    plain = reg_owner.register(_reg(1))
    record("register (plain, 64-byte URI)", plain.tx, 1)
    personal = reg_owner.register(_reg(2, category=Category.PERSONAL, consent_ref=b"\x07" * 32))
    record("register (personal data, consent)", personal.tx, 2)
    batch = reg_owner.register_batch([_reg(100 + i) for i in range(10)])
    record("registerBatch (per entry, 10 entries)", batch[0].tx, 10, per=10)
    deadline = int(chain.get_block()["timestamp"], 16) + 3600
    signed = _reg(3)
    sig = reg_owner.sign_registration(owner, signed, deadline)
    relayed = reg_other.register_for(signed, owner.address, deadline, sig)
    record("registerFor (EIP-712 relayed)", relayed.tx, 2)
    cert = reg_admin.certify(plain.asset_id)
    record("certify", cert.tx, 2)
    reg_admin.certify(personal.asset_id)
    moved = reg_owner.transfer_right(plain.asset_id, Right.OPERATION, other.address, 250_000)
    record("transferRight (to a new holder)", moved, 3)
    moved2 = reg_owner.transfer_right(plain.asset_id, Right.OPERATION, other.address, 50_000)
    record("transferRight (to an existing holder)", moved2, 0)
    now = int(chain.get_block()["timestamp"], 16)
    terms = LicenceTerms(
        plain.asset_id, licensee.address, b"\x01" * 32, now, now + 86_400 * 365, b"\x02" * 32, 1_000, True
    )
    lic = reg_owner.grant_licence(terms)
    record("grantLicence", lic.tx, 4)
    derived = reg_lic.register(_reg(4, parents=(plain.asset_id,), parent_licences=(lic.id,)))
    record("register (derived, 1 parent)", derived.tx, 4)
    rev = reg_owner.revoke_licence(lic.id, "terms breached")
    record("revokeLicence", rev, 0)
    pl = reg_owner.create_pledge(plain.asset_id, Right.HOLDING, other.address, 100_000, b"\x03" * 32)
    record("pledge", pl.tx, 3)
    rel = reg_other.release_pledge(pl.id)
    record("releasePledge", rel, 0)
    pl2 = reg_owner.create_pledge(plain.asset_id, Right.HOLDING, other.address, 100_000, b"\x03" * 32)
    enf = reg_admin.enforce_pledge(pl2.id)
    record("enforcePledge", enf, 1)
    disp = reg_other.file_dispute(plain.asset_id, b"\x04" * 32)
    record("fileDispute", disp.tx, 3)
    res = reg_admin.resolve_dispute(
        disp.id,
        Ruling.RIGHTS_TRANSFERRED,
        b"\x05" * 32,
        [RightTransfer(Right.HOLDING, owner.address, other.address, 10_000)],
    )
    record("resolveDispute (1 transfer)", res, 0)
    fr = reg_admin.freeze(plain.asset_id, b"\x06" * 32)
    record("freeze", fr, 0)
    uf = reg_admin.unfreeze(plain.asset_id, b"\x06" * 32)
    record("unfreeze", uf, 0)
    succ = reg_admin.record_succession(owner.address, signers[5].address, "merger", b"\x08" * 32)
    record("recordSuccession", succ, 2)
    rec = reg_admin.set_recognized_registry(1, "0x" + "ab" * 20, True)
    record("setRecognizedRegistry", rec, 1)
    rj = reg_admin.reject(relayed.asset_id, "incomplete metadata")
    record("reject", rj, 0)
    rv = reg_admin.revoke_certificate(personal.asset_id, "consent withdrawn")
    record("revokeCertificate", rv, 0)
    return table


def naive_web3_loop(node_url: str, address: str, regs: list[Registration], key: bytes) -> float:
    """(a): web3.py's own way, one transaction at a time."""
    w3 = Web3(Web3.HTTPProvider(node_url))
    contract = w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact("DataRegistry").abi)
    acct = Account.from_key(key)
    start = time.perf_counter()
    for reg in regs:
        tx = contract.functions.register(reg.as_abi()).build_transaction(
            {
                "from": acct.address,
                "nonce": w3.eth.get_transaction_count(acct.address),
            }
        )
        signed = acct.sign_transaction(tx)
        tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        w3.eth.wait_for_transaction_receipt(tx_hash)
    return len(regs) / (time.perf_counter() - start)


def plain_transfers(chain: Chain, signer: Any, count: int) -> float:
    """(b): value transfers, signed and sent as fast as possible, all receipts awaited."""
    sender = Sender(chain, signer)
    calls = [Call("0x" + "99" * 20, b"", value=1, gas=21_000) for _ in range(count)]
    start = time.perf_counter()
    hashes: list[str] = []
    for i in range(0, count, 500):
        hashes += sender.send_many(calls[i : i + 500], preflight=False)
    sender.wait(hashes)
    return count / (time.perf_counter() - start)


def ours(registry: Registry, regs: list[Registration], per_tx: int = 1) -> float:
    start = time.perf_counter()
    registry.register_many(regs, per_tx=per_tx)
    return len(regs) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000, help="registrations per throughput run")
    parser.add_argument("--naive-count", type=int, default=300)
    args = parser.parse_args()
    warnings.simplefilter("ignore", DevKeyWarning)
    with LocalNode() as node:
        chain = Chain(node.url)
        signers = [dev_signer(i, chain.chain_id) for i in range(8)]
        table = gas_table(chain, signers)
    with LocalNode() as node:
        chain = Chain(node.url)
        signers = [dev_signer(i, chain.chain_id) for i in range(8)]
        dep = deploy(chain, Sender(chain, signers[0]), notice_period=0)
        address = dep.contract("DataRegistry").address
        # Warm up the node and the code paths once.
        Registry(chain, address, Sender(chain, signers[3])).register_many([_reg(i, b"w") for i in range(50)])
        naive = naive_web3_loop(
            node.url, address, [_reg(i, b"n") for i in range(args.naive_count)], bytes(signers[1]._key.secret)
        )
        transfers = plain_transfers(chain, signers[2], args.count)
        fast = ours(Registry(chain, address, Sender(chain, signers[3])), [_reg(i, b"o") for i in range(args.count)])
        batched = ours(
            Registry(chain, address, Sender(chain, signers[4])),
            [_reg(i, b"b") for i in range(args.count * 5)],
            per_tx=100,
        )
    out = {
        "gas": table,
        "gas_target_plain_registration": {"gas": table["register (plain, 64-byte URI)"]["gas"], "target": 120_000},
        "throughput_per_s": {
            "provenance_register_one_per_tx": round(fast, 1),
            "baseline_a_naive_web3py_loop": round(naive, 1),
            "baseline_b_plain_value_transfers": round(transfers, 1),
            "ratio_vs_a": round(fast / naive, 2),
            "ratio_vs_b": round(fast / transfers, 2),
            "targets": {"ratio_vs_a": 7.0, "ratio_vs_b": 0.5},
            "provenance_registerBatch_100_per_tx": round(batched, 1),
        },
        "count": args.count,
    }
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
