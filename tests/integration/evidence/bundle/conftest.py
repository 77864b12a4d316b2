"""Fixtures for bundle export and verification: a deployment on an anvil of its own, a history.

The history of asset A (owner = dev key 1): registered, certified, licensed (EIP-2930
transaction), derived from (asset B), right transferred (legacy transaction, in one block
with a failed transaction and plain EIP-1559 ones), pledged, disputed and resolved; a trade
of asset A on the exchange; a batch of off-chain records anchored in TradeAnchor. The
index (SQLite) covers all of it.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from provenance._internal.abi import AbiCodec
from provenance.accounts import DevKeyWarning, dev_signer
from provenance.anchor_records import build_batch, proofs_path_for, read_proofs, write_proofs
from provenance.chain import Call, Chain, Sender, Signer
from provenance.compiler import load_artifact
from provenance.deployment import Deployment, deploy
from provenance.evidence.bundle import AnchoredRecord, Query, export_bundle
from provenance.exchange import Exchange, ListingTerms
from provenance.indexer import Indexer, open_store
from provenance.node import LocalNode
from provenance.records.registry import Kind, LicenceTerms, Registration, Right, Ruling
from provenance.registry import Registry

GWEI = 10**9


def h(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


@dataclass
class World:
    node: LocalNode
    chain: Chain
    deployment: Deployment
    signers: dict[str, Signer]
    asset: bytes
    derived: bytes
    trade_id: int
    mixed_block: int
    tx_types: dict[str, int]
    records: list[dict[str, Any]]
    records_path: Path
    index_path: Path

    def store(self) -> Any:
        return open_store(self.index_path)

    def export(self, kind: str, ident: str | bytes | int, *, index: bool = True, **kw: Any) -> dict[str, Any]:
        store = self.store() if index and kind != "record" else None
        try:
            return export_bundle(
                self.chain,
                self.deployment,
                Query.of(kind, ident, kw.pop("lineage", "none")),
                self.signers["exporter"],
                store=store,
                **kw,
            )
        finally:
            if store is not None:
                store.close()

    def record(self, index: int) -> AnchoredRecord:
        line = next(p for p in read_proofs(proofs_path_for(self.records_path)) if p.index == index)
        return AnchoredRecord(self.records[index], line.proof)


def _mixed_block(
    chain: Chain, registry: Registry, owner: Signer, asset: bytes, partner: Signer, admin: Sender
) -> tuple[int, dict[str, int]]:
    """One block: a legacy right transfer and an EIP-2930 licence of the asset, an EIP-1559
    registry call, a failed transaction and a plain transfer (automine off)."""
    codec = registry.codec
    now = int(chain.get_block()["timestamp"], 16)
    transfer = codec.encode("transferRight", asset, int(Right.PROCESSING), owner.address, partner.address, 50_000)
    terms = LicenceTerms(asset, partner.address, h("p2"), now, now + 86400, h("t2"), 0, False)
    licence = codec.encode("grantLicence", terms.as_abi())
    failing = codec.encode("certify", asset)  # certified already: reverts
    chain.rpc("evm_setAutomine", [False])
    try:
        legacy = chain.rpc(
            "eth_sendTransaction",
            [
                {
                    "from": owner.address,
                    "to": registry.address,
                    "type": "0x0",
                    "data": "0x" + transfer.hex(),
                    "gas": hex(300_000),
                    "gasPrice": hex(100 * GWEI),
                }
            ],
        )
        access = chain.rpc(
            "eth_sendTransaction",
            [
                {
                    "from": owner.address,
                    "to": registry.address,
                    "type": "0x1",
                    "data": "0x" + licence.hex(),
                    "gas": hex(400_000),
                    "gasPrice": hex(100 * GWEI),
                    "accessList": [{"address": registry.address, "storageKeys": ["0x" + "00" * 32]}],
                }
            ],
        )
        failed = chain.rpc(
            "eth_sendTransaction",
            [
                {
                    "from": partner.address,
                    "to": registry.address,
                    "type": "0x2",
                    "data": "0x" + failing.hex(),
                    "gas": hex(200_000),
                    "maxFeePerGas": hex(100 * GWEI),
                    "maxPriorityFeePerGas": hex(GWEI),
                }
            ],
        )
        plain = admin.send_many([Call(partner.address, b"", 1)])[0]
        chain.rpc("evm_mine", [])
    finally:
        chain.rpc("evm_setAutomine", [True])
    receipts = {
        name: chain.rpc("eth_getTransactionReceipt", [tx])
        for name, tx in (("legacy", legacy), ("access", access), ("failed", failed), ("plain", plain))
    }
    numbers = {int(r["blockNumber"], 16) for r in receipts.values()}
    assert len(numbers) == 1, "the mixed transactions missed their block"
    assert [int(receipts[n]["status"], 16) for n in ("legacy", "access", "failed")] == [1, 1, 0]
    return numbers.pop(), {name: int(r["transactionIndex"], 16) for name, r in receipts.items()}


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("bundles")
    with LocalNode() as node, warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        chain = Chain(node.url)
        names = ("admin", "owner", "partner", "licensee", "pledgee", "claimant", "buyer", "exporter")
        signers = {name: dev_signer(i, chain.chain_id) for i, name in enumerate(names)}
        senders = {name: Sender(chain, s) for name, s in signers.items()}
        deployment = deploy(chain, senders["admin"])
        reg = {name: Registry.from_deployment(deployment, chain, senders[name]) for name in names}
        owner = signers["owner"]
        # (1) asset A: register, certify, licence, derivative B, transfer, pledge, dispute
        asset = Registration(h("data:A"), h("meta:A"), "https://example.org/a", kind=Kind.PRODUCT)
        reg["owner"].register(asset)
        reg["admin"].certify(asset.asset_id)
        now = int(chain.get_block()["timestamp"], 16)
        licence = (
            reg["owner"]
            .grant_licence(
                LicenceTerms(
                    asset.asset_id,
                    signers["licensee"].address,
                    h("derive"),
                    now,
                    now + 10 * 365 * 86400,
                    h("licence"),
                    1_500,
                    True,
                )
            )
            .id
        )
        derived = Registration(
            h("data:B"),
            h("meta:B"),
            "https://example.org/b",
            kind=Kind.PRODUCT,
            parents=(asset.asset_id,),
            parent_licences=(licence,),
        )
        reg["licensee"].register(derived)
        reg["owner"].transfer_right(asset.asset_id, Right.OPERATION, signers["partner"].address, 300_000)
        mixed, tx_types = _mixed_block(chain, reg["owner"], owner, asset.asset_id, signers["partner"], senders["admin"])
        senders["admin"].resync_nonce()
        pledge = reg["owner"].create_pledge(
            asset.asset_id, Right.HOLDING, signers["pledgee"].address, 100_000, h("loan")
        )
        reg["pledgee"].release_pledge(pledge.id)
        dispute = reg["partner"].file_dispute(asset.asset_id, h("evidence")).id
        reg["admin"].resolve_dispute(dispute, Ruling.DISMISSED, h("ruling"))
        # (2) a trade of asset A on the exchange
        seller = Exchange.from_deployment(deployment, chain, senders["owner"])
        terms = ListingTerms(asset.asset_id, contract_hash=h("contract v1"), price=10**15, purpose_hash=h("use"))
        listing = seller.list_asset(terms).listing_id
        Exchange.from_deployment(deployment, chain, senders["admin"]).admit(listing)
        opened = Exchange.from_deployment(deployment, chain, senders["buyer"]).order(listing)
        seller.deliver(opened.trade_id, h("delivery"))
        Exchange.from_deployment(deployment, chain, senders["buyer"]).confirm(opened.trade_id)
        # (3) a batch of records anchored in TradeAnchor
        records = [{"tradeId": f"T-{i}", "asset": "0x" + asset.asset_id.hex(), "price": 100 + i} for i in range(7)]
        tree, _values = build_batch(records)
        records_path = base / "batch.jsonl"
        records_path.write_text("".join(json.dumps(r) + "\n" for r in records))
        write_proofs(proofs_path_for(records_path), tree)
        anchor = deployment.contract("TradeAnchor").address
        codec = AbiCodec(load_artifact("TradeAnchor").abi)
        senders["admin"].transact(
            Call(anchor, codec.encode("anchor", bytes.fromhex(tree.root[2:]), len(records), h("batch-1"), h("meta")))
        )
        # (4) the index
        index_path = base / "index.sqlite"
        with Indexer(index_path, Chain(node.url), deployment) as indexer:
            indexer.run(follow=False)
        yield World(
            node,
            chain,
            deployment,
            signers,
            asset.asset_id,
            derived.asset_id,
            opened.trade_id,
            mixed,
            tx_types,
            records,
            records_path,
            index_path,
        )


@pytest.fixture(scope="session")
def asset_bundle(world: World) -> dict[str, Any]:
    """The asset's history with its lineage, from the index (the tamper tests' sample)."""
    return world.export("asset", world.asset, lineage="both")
