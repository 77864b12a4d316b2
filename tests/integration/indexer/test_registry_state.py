"""The state tables, rebuilt from DataRegistry's events alone, equal the contract's own views."""

from __future__ import annotations

import contextlib
import hashlib
import json
from typing import Any

import pytest
from web3 import Web3

from provenance.chain import Chain
from provenance.compiler import (
    CONTRACT_NAMES,
    Artifact,
    build_input,
    compile_contracts,
    find_project_root,
    load_artifact,
)
from provenance.errors import CompileError
from provenance.indexer import Indexer, IndexerConfig, Store, asset_history, children_of, holders, party_history
from provenance.indexer.projections.registry import STATUS_REVOKED
from tests.integration.indexer.conftest import BACKENDS, StoreFactory
from tests.integration.indexer.support import deploy, dump_index

ROLES = ("REGISTRAR_ROLE", "ARBITRATOR_ROLE", "REGULATOR_ROLE", "EXCHANGE_ROLE")
FAR = 2**39


def _h(label: str) -> bytes:
    return hashlib.sha256(label.encode()).digest()


@pytest.fixture(scope="module")
def registry_build() -> Artifact:
    """The shipped artifact if it was built from today's sources, else a fresh compile."""
    root = find_project_root()
    data = build_input(root, [f"contracts/{n}.sol" for n in CONTRACT_NAMES])
    digest = "0x" + hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    with contextlib.suppress(CompileError):  # no shipped artifact: compile
        shipped = load_artifact("DataRegistry")
        if shipped.input_hash == digest:
            return shipped
    return compile_contracts(units=["contracts/DataRegistry.sol"])["DataRegistry"]


def _reg(
    content: bytes,
    *,
    category: int = 1,
    kind: int = 0,
    consent: bytes = b"\0" * 32,
    parents: tuple[bytes, ...] = (),
    licences: tuple[int, ...] = (),
) -> tuple[Any, ...]:
    return (
        content,
        _h("meta" + content.hex()),
        f"ipfs://{content.hex()[:8]}",
        category,
        0,
        kind,
        consent,
        list(parents),
        list(licences),
    )


def _scenario(w3: Web3, reg: Any) -> dict[str, Any]:
    """Every event kind, including lives, swap-and-pop, succession and rulings."""
    a0, A, B, C, D, E, F, G = list(w3.eth.accounts)[:8]
    fn = reg.functions

    def tx(call: Any, sender: str) -> None:
        w3.eth.wait_for_transaction_receipt(call.transact({"from": sender, "gas": 3_000_000}))

    for role in ROLES:
        tx(fn.grantRole(fn.__getattribute__(role)().call(), a0), a0)
    X, Y, P, W, Q1, Q2, Z, Z2, R = (_h(n) for n in ("X", "Y", "P", "W", "Q1", "Q2", "Z", "Z2", "R"))
    tx(fn.register(_reg(X)), A)
    tx(fn.register(_reg(Y, kind=1)), A)
    tx(fn.register(_reg(P, category=2, consent=_h("consent"))), A)
    tx(fn.register(_reg(W)), A)
    tx(fn.registerBatch([_reg(Q1), _reg(Q2, kind=1)]), B)
    for asset in (X, Y, P, Q1):
        tx(fn.certify(asset), a0)
    tx(fn.reject(W, "incomplete"), a0)
    # rights: holder list [B, C, D], C drops out (swap-and-pop), shares back to the applicant
    tx(fn.transferRight(X, 1, A, B, 300_000), A)
    tx(fn.transferRight(X, 1, A, C, 100_000), A)
    tx(fn.transferRight(X, 1, A, D, 50_000), A)
    tx(fn.transferRight(X, 1, C, D, 100_000), C)
    tx(fn.transferRight(X, 1, B, A, 50_000), B)
    tx(fn.transferRight(X, 0, A, B, 10_000), A)
    # licences
    tx(fn.grantLicence((X, D, _h("purpose"), 0, FAR, _h("terms"), 500, True)), A)
    tx(fn.grantLicence((X, E, _h("purpose2"), 0, FAR, _h("terms2"), 100, False)), A)
    tx(fn.revokeLicence(2, "ended"), A)
    tx(fn.grantLicence((Y, G, _h("purpose3"), 0, FAR, _h("terms3"), 0, False)), A)
    # derived data
    tx(fn.register(_reg(Z, parents=(X,), licences=(1,))), D)
    tx(fn.register(_reg(Z2, parents=(X, Y), licences=(0, 0))), A)
    tx(fn.certify(Z), a0)
    tx(fn.certify(Z2), a0)
    # pledges: released, enforced, left active
    tx(fn.pledge(X, 0, A, E, 100_000, _h("loan1")), A)
    tx(fn.releasePledge(1), E)
    tx(fn.pledge(X, 2, A, E, 20_000, _h("loan2")), A)
    tx(fn.enforcePledge(2), a0)
    tx(fn.pledge(X, 1, B, F, 100_000, _h("loan3")), B)
    # disputes: shares moved by a ruling; a certificate revoked by a ruling, then a new life
    tx(fn.fileDispute(X, _h("evidence1")), B)
    tx(fn.resolveDispute(1, 2, _h("ruling1"), [(0, A, B, 5_000)]), a0)
    tx(fn.fileDispute(Y, _h("evidence2")), a0)
    tx(fn.resolveDispute(2, 3, _h("ruling2"), []), a0)
    tx(fn.fileDispute(Q1, _h("evidence3")), B)
    tx(fn.register(_reg(Y, kind=1)), B)
    tx(fn.certify(Y), a0)
    tx(fn.register(_reg(W)), C)  # a rejected application applied for again
    # supervision and succession
    tx(fn.freeze(X, _h("order")), a0)
    tx(fn.unfreeze(X, _h("order2")), a0)
    tx(fn.freeze(P, _h("order3")), a0)
    tx(fn.recordSuccession(A, F, 0, _h("merger")), a0)
    tx(fn.transferRight(X, 2, A, G, 30_000), F)
    tx(fn.transferRight(X, 1, D, A, 10_000), D)  # credited to F, A's successor
    tx(fn.recordSuccession(C, F, 1, _h("split")), a0)
    tx(fn.setRecognizedRegistry(5, G, True), a0)
    tx(fn.setRecognizedRegistry(6, G, False), a0)
    tx(fn.setNoticePeriod(100), a0)
    tx(fn.register(_reg(R)), G)
    return {
        "assets": [X, Y, P, W, Q1, Q2, Z, Z2, R],
        "parties": [a0, A, B, C, D, E, F, G],
        "licences": 3,
        "pledges": 3,
        "disputes": 3,
    }


def _b(row_value: Any) -> str:
    return Web3.to_checksum_address("0x" + bytes(row_value).hex())


def _assert_state_equals_views(store: Store, reg: Any, world: dict[str, Any]) -> None:
    fn = reg.functions
    for asset in world["assets"]:
        row = store.execute(
            "SELECT applicant, category, level, kind, status, notice_ends_at, metadata_hash, consent_ref, serial, "
            "certified_at, open_disputes, regulator_frozen, active_pledges, code FROM assets "
            "WHERE asset_id = ? AND block_to IS NULL",
            (asset,),
        )[0]
        view = fn.getAsset(asset).call()
        mine = (_b(row[0]), *row[1:6], bytes(row[6]), bytes(row[7]), *row[8:11], bool(row[11]))
        assert tuple(view) == mine, asset.hex()
        assert fn.activePledgeCount(asset).call() == row[12]
        assert fn.isFrozen(asset).call() == (bool(row[11]) or row[10] > 0)
        if row[13] is not None and row[4] != STATUS_REVOKED:
            assert fn.verificationCode(asset).call() == bytes(row[13])
            assert fn.assetByCode(bytes(row[13])).call() == asset
        for right in (0, 1, 2):
            keys, shares = fn.holdersOf(asset, right).call()
            got = holders(store, asset, right)
            assert [(k.lower(), s) for k, s in zip(keys, shares, strict=True)] == [(h, s) for h, s, _p in got]
            for holder, _s, pledged in got:
                assert fn.pledgedSharesOf(asset, right, Web3.to_checksum_address(holder)).call() == pledged
        parents, bps = fn.parentsOf(asset).call()
        lineage = store.execute(
            "SELECT parent_id, revenue_share_bps FROM lineage WHERE asset_id = ? "
            "AND block_to IS NULL ORDER BY position",
            (asset,),
        )
        assert [(p, b) for p, b in zip(parents, bps, strict=True)] == [(bytes(p), b) for p, b in lineage]
        assert ["0x" + c.hex() for c in fn.childrenOf(asset).call()] == children_of(store, asset)
    for i in range(1, world["licences"] + 1):
        (terms, grantor, revoked) = fn.getLicence(i).call()
        r = store.execute(
            "SELECT asset_id, licensee, purpose_hash, starts_at, expires_at, terms_hash, "
            "revenue_share_bps, derivatives_allowed, grantor, revoked FROM licences "
            "WHERE licence_id = ? AND block_to IS NULL",
            (i.to_bytes(32, "big"),),
        )[0]
        assert tuple(terms) == (bytes(r[0]), _b(r[1]), bytes(r[2]), r[3], r[4], bytes(r[5]), r[6], bool(r[7]))
        assert (grantor, revoked) == (_b(r[8]), bool(r[9]))
    for i in range(1, world["pledges"] + 1):
        r = store.execute(
            "SELECT asset_id, right_kind, pledgor, pledgee, shares, terms_hash, active FROM pledges "
            "WHERE pledge_id = ? AND block_to IS NULL",
            (i.to_bytes(32, "big"),),
        )[0]
        assert tuple(fn.getPledge(i).call()) == (bytes(r[0]), r[1], _b(r[2]), _b(r[3]), r[4], bytes(r[5]), bool(r[6]))
    for i in range(1, world["disputes"] + 1):
        r = store.execute(
            "SELECT asset_id, claimant, evidence_hash, ruling, ruling_hash FROM disputes "
            "WHERE dispute_id = ? AND block_to IS NULL",
            (i.to_bytes(32, "big"),),
        )[0]
        assert tuple(fn.getDispute(i).call()) == (bytes(r[0]), _b(r[1]), bytes(r[2]), r[3], bytes(r[4]))
    for party in world["parties"]:
        key = bytes.fromhex(party[2:])
        succ = store.execute("SELECT successor FROM successions WHERE predecessor = ? AND block_to IS NULL", (key,))
        assert fn.successorOf(party).call() == (_b(succ[0][0]) if succ else "0x" + "00" * 20)
        preds = store.execute(
            "SELECT predecessor FROM successions WHERE successor = ? AND block_to IS NULL ORDER BY seq_block, seq_log",
            (key,),
        )
        assert fn.predecessorsOf(party).call() == [_b(p[0]) for p in preds]
    g = world["parties"][7]
    for chain_id in (5, 6):
        rows = store.execute(
            "SELECT recognized FROM recognized_registries WHERE chain_id = ? AND registry = ? AND block_to IS NULL",
            (chain_id.to_bytes(32, "big"), bytes.fromhex(g[2:])),
        )
        assert fn.isRecognizedRegistry(chain_id, g).call() == bool(rows[0][0])
    assert (
        fn.noticePeriod().call()
        == store.execute("SELECT value FROM registry_params WHERE name = 'noticePeriod' AND block_to IS NULL")[0][0]
    )


def test_state_tables_equal_the_registry_views_on_both_backends(
    w3: Web3, node: Any, registry_build: Artifact, make_store: StoreFactory
) -> None:
    reg = deploy(w3, registry_build, w3.eth.accounts[0], "PRV", 0)
    world = _scenario(w3, reg)
    dumps = []
    for backend in BACKENDS:
        store = make_store(backend)
        # SQLite in-process; PostgreSQL with worker processes and most blocks in the far regime.
        cfg = (
            IndexerConfig(initial_range=5, workers=0)
            if backend == "sqlite"
            else IndexerConfig(initial_range=3, workers=2, workers_min_blocks=1, reorg_depth=2)
        )
        with Indexer(
            store,
            Chain(node.url),
            {"DataRegistry": (reg.address, reg.deploy_block)},
            abis={"DataRegistry": registry_build.abi},
            config=cfg,
        ) as ix:
            ix.run()
        _assert_state_equals_views(store, reg, world)
        dumps.append(dump_index(store))
        # histories: an asset with its lineage, a party
        X = world["assets"][0]
        down = asset_history(store, X, lineage="down", limit=1000).items
        assert {e.name for e in down} >= {"AssetApplied", "DerivationRecorded", "AssetCertified"}
        assert any(e.args and e.args.get("assetId") == "0x" + world["assets"][6].hex() for e in down)
        f = world["parties"][6]
        assert {e.name for e in party_history(store, f, limit=1000).items} >= {
            "SuccessionRecorded",
            "PledgeCreated",
            "RightTransferred",
        }
    assert dumps[0] == dumps[1]


def test_state_at_an_earlier_block_and_after_rollback(
    w3: Web3, node: Any, registry_build: Artifact, make_store: StoreFactory
) -> None:
    reg = deploy(w3, registry_build, w3.eth.accounts[0], "PRV", 0)
    A, B = list(w3.eth.accounts)[1:3]
    X = _h("state-at")
    tx = reg.functions.register(_reg(X)).transact({"from": A})
    applied = w3.eth.wait_for_transaction_receipt(tx)["blockNumber"]
    for role in ROLES:
        reg.functions.grantRole(reg.functions.__getattribute__(role)().call(), w3.eth.accounts[0]).transact(
            {"from": w3.eth.accounts[0]}
        )
    reg.functions.certify(X).transact({"from": w3.eth.accounts[0]})
    tx = reg.functions.transferRight(X, 1, A, B, 400_000).transact({"from": A})
    moved = w3.eth.wait_for_transaction_receipt(tx)["blockNumber"]
    store = make_store("sqlite")
    with Indexer(
        store,
        Chain(node.url),
        {"DataRegistry": (reg.address, reg.deploy_block)},
        abis={"DataRegistry": registry_build.abi},
    ) as ix:
        ix.run()
        assert holders(store, X, 1, at_block=applied) == [(A.lower(), 1_000_000, 0)]
        assert holders(store, X, 1) == [(A.lower(), 600_000, 0), (B.lower(), 400_000, 0)]
        with store.transaction():
            store.rollback_to(moved - 1, b"\0" * 32, ix.tables)
        assert holders(store, X, 1) == [(A.lower(), 1_000_000, 0)]
