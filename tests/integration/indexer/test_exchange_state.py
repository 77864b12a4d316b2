"""The exchange's state tables, rebuilt from DataExchange's events alone, equal the contract's own views.

Trades are driven through every path on a real anvil (settled, cancelled by either party,
disputed and refunded, disputed and settled, a lapsed confirmation window, an accepted offer,
order-book matches from deposits, a fee-on-transfer token) and the index is built on both
backends; every listing, trade, offer, balance, total, nonce and parameter must equal what
``getListing`` / ``getTrade`` / ``getOffer`` / ``withdrawableOf`` / ... say.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eth_utils import to_checksum_address

from provenance import compiler
from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Chain, Sender
from provenance.compiler import Artifact, build_input, compile_contracts, find_project_root, write_artifacts
from provenance.deployment import deploy
from provenance.exchange import NATIVE
from provenance.indexer import (
    Indexer,
    IndexerConfig,
    Store,
    exchange_balance,
    listing_state,
    offer_state,
    trade_history,
    trade_state,
)
from provenance.indexer.projections.exchange import TRADE_CANCELLED, TRADE_REFUNDED, TRADE_SETTLED
from provenance.node import LocalNode
from tests.integration.exchange.helpers import ETHER, Actors, World, build_world, h
from tests.integration.indexer.conftest import BACKENDS, StoreFactory
from tests.integration.indexer.support import dump_index

SHIPPED = ["contracts/DataRegistry.sol", "contracts/TradeAnchor.sol", "contracts/DataExchange.sol"]
HELPERS = [
    f"tests/integration/exchange/contracts/{n}.sol"
    for n in ("MockERC20", "FalseReturningERC20", "FeeOnTransferERC20", "ReentrantReceiver", "StubRegistry")
]
ZERO_ADDRESS = "0x" + "00" * 20


def _compile_cached(units: list[str]) -> dict[str, Artifact]:
    root = find_project_root()
    key = hashlib.sha256(json.dumps(build_input(root, units), sort_keys=True).encode()).hexdigest()[:24]
    cache = Path(tempfile.gettempdir()) / f"provenance-exchange-build-{key}.json"
    if cache.is_file():
        doc = json.loads(cache.read_text())
        return {
            n: Artifact(
                n, a["abi"], bytes.fromhex(a["bytecode"]), bytes.fromhex(a["deployed"]), a["compiler"], a["inputHash"]
            )
            for n, a in doc.items()
        }
    arts = compile_contracts(root, units)
    tmp = cache.with_suffix(f".{uuid_suffix()}.tmp")
    tmp.write_text(
        json.dumps(
            {
                n: {
                    "abi": a.abi,
                    "bytecode": a.bytecode.hex(),
                    "deployed": a.deployed_bytecode.hex(),
                    "compiler": a.compiler,
                    "inputHash": a.input_hash,
                }
                for n, a in arts.items()
            }
        )
    )
    tmp.replace(cache)
    return arts


def uuid_suffix() -> str:
    import uuid

    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def world(node: LocalNode, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A fresh deployment of the checkout's contracts, with tokens and certified assets."""
    build = _compile_cached(SHIPPED + HELPERS)
    directory = tmp_path_factory.mktemp("artifacts")
    write_artifacts({n: build[n] for n in compiler.CONTRACT_NAMES}, directory)
    patch = pytest.MonkeyPatch()
    patch.setattr(compiler, "ARTIFACTS_DIR", directory)
    compiler._CACHE.clear()
    try:
        chain = Chain(node.url)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DevKeyWarning)
            actors = Actors(*(dev_signer(i, chain.chain_id) for i in range(11)))
        deployment = deploy(
            chain,
            Sender(chain, actors.admin),
            notice_period=0,
            exchange_fee_bps=250,
            fee_recipient=actors.treasury.address,
            confirmation_window=1_000,
            roles={
                "REGISTRAR_ROLE": [actors.registrar.address],
                "ARBITRATOR_ROLE": [actors.arbitrator.address],
                "REGULATOR_ROLE": [actors.regulator.address],
                "EXCHANGE_ROLE": [],
                "OPERATOR_ROLE": [actors.operator.address],
            },
        )
        yield build_world(chain, actors, deployment, build)
    finally:
        patch.undo()
        compiler._CACHE.clear()


def _scenario(w: World) -> dict[str, Any]:
    """Every path of a listing, a trade and an offer; returns what was opened and the block of each step."""
    a = w.actors
    op = w.ex(a.operator)
    marks: dict[str, int] = {}
    lid = w.listed(a.bob, price=ETHER + 7)
    # settled: order, deliver, confirm, settle
    t_settled = w.ex(a.dave).order(lid).trade_id
    w.ex(a.bob).deliver(t_settled, h("d1"))
    w.ex(a.dave).confirm(t_settled)
    w.ex(a.stranger).settle(t_settled)
    marks["settled"] = w.chain.block_number()
    # cancelled by the buyer and by the seller
    t_cancel_buyer = w.ex(a.dave).order(lid).trade_id
    w.ex(a.dave).cancel(t_cancel_buyer)
    t_cancel_seller = w.ex(a.carol).order(lid).trade_id
    w.ex(a.bob).cancel(t_cancel_seller)
    # disputed, refunded by the ruling; disputed, settled by the ruling
    t_refund = w.ex(a.dave).order(lid).trade_id
    t_ruled_settle = w.ex(a.dave).order(lid).trade_id
    for t in (t_refund, t_ruled_settle):
        w.ex(a.bob).deliver(t, h(f"d{t}"))
    w.ex(a.dave).dispute_trade(t_refund, h("not what was described"))
    w.ex(a.bob).dispute_trade(t_ruled_settle, h("buyer is stalling"))
    marks["disputed"] = w.chain.block_number()
    w.ex(a.arbitrator).resolve(t_refund, "refund", h("ruling 1"))
    w.ex(a.arbitrator).resolve(t_ruled_settle, "settle", h("ruling 2"))
    # negotiated offers: one accepted and settled after the window lapsed, one declined, one withdrawn
    accepted = w.ex(a.carol).make_offer(lid, ETHER // 4).offer_id
    declined = w.ex(a.dave).make_offer(lid, ETHER // 5).offer_id
    withdrawn = w.ex(a.dave).make_offer(lid, 123).offer_id
    left_open = w.ex(a.stranger).make_offer(lid, 456).offer_id
    t_offer = w.ex(a.bob).accept(accepted).trade_id
    w.ex(a.bob).cancel_offer(declined)
    w.ex(a.dave).cancel_offer(withdrawn)
    w.ex(a.bob).deliver(t_offer, h("offer delivery"))
    w.advance(1_000)
    w.ex(a.stranger).settle(t_offer)
    # order book: deposits, a match, a batch, an invalidated nonce
    w.ex(a.dave).deposit(NATIVE, 3 * ETHER)
    w.ex(a.carol).deposit(NATIVE, ETHER)
    deadline = w.now() + 600
    ask, bid = op.sign_match(
        a.bob, a.dave, lid, price=ETHER, deadline=deadline, ask_nonce=1, bid_nonce=7, bid_price=2 * ETHER
    )
    t_match = op.match(ask, bid, price=ETHER + 1).trade_id
    m1 = op.sign_match(a.bob, a.dave, lid, price=ETHER // 2, deadline=deadline, ask_nonce=2, bid_nonce=8)
    m2 = op.sign_match(a.bob, a.carol, lid, price=ETHER, deadline=deadline, ask_nonce=4, bid_nonce=2)
    batch = [t.trade_id for t in op.match_batch([(m1[0], m1[1], None), (m2[0], m2[1], None)])]
    w.ex(a.dave).invalidate_nonce(9)
    w.ex(a.bob).deliver(t_match, h("match delivery"))  # left delivered
    # a fee-on-transfer token: the escrow is what arrived
    lid_fee = w.listed(a.bob, currency=w.tokens["fee"], price=10_000)
    t_fee = w.ex(a.dave).order(lid_fee).trade_id
    w.ex(a.bob).deliver(t_fee, h("fee delivery"))
    w.ex(a.dave).confirm(t_fee)
    w.ex(a.dave).settle(t_fee)
    lid_usd = w.listed(a.bob, currency=w.tokens["usd"], price=5_000)
    t_usd_open = w.ex(a.carol).order(lid_usd).trade_id  # left escrowed
    # listing lifecycle: suspended and re-admitted, delisted, rejected, left pending
    op.suspend(lid_usd, 42)
    lid_suspended = w.listed(a.bob, price=77)
    op.suspend(lid_suspended, 9)
    op.admit(lid_usd)
    lid_delisted = w.listed(a.bob, price=5)
    w.ex(a.bob).delist(lid_delisted)
    lid_rejected = w.listed(a.bob, admit=False)
    op.reject(lid_rejected, 7)
    lid_pending = w.listed(a.bob, admit=False)
    # withdrawals, parameter changes
    w.ex(a.carol).withdraw(NATIVE)
    w.ex(a.treasury).withdraw(w.tokens["fee"])
    w.ex(a.admin).set_fee(100, a.stranger.address)
    w.ex(a.admin).set_confirmation_window(500)
    return {
        "listings": [lid, lid_fee, lid_usd, lid_suspended, lid_delisted, lid_rejected, lid_pending],
        "trades": [
            t_settled,
            t_cancel_buyer,
            t_cancel_seller,
            t_refund,
            t_ruled_settle,
            t_offer,
            t_match,
            *batch,
            t_fee,
            t_usd_open,
        ],
        "offers": [accepted, declined, withdrawn, left_open],
        "nonces": [(a.bob.address, n) for n in range(1, 6)]
        + [(a.dave.address, n) for n in range(6, 11)]
        + [(a.carol.address, n) for n in range(1, 4)],
        "marks": marks,
        "statuses": {
            t_settled: TRADE_SETTLED,
            t_cancel_buyer: TRADE_CANCELLED,
            t_refund: TRADE_REFUNDED,
            t_ruled_settle: TRADE_SETTLED,
        },
    }


def _addr(raw: Any) -> str:
    return to_checksum_address("0x" + bytes(raw).hex())


def _u(raw: Any) -> int:
    return int.from_bytes(bytes(raw), "big")


def _assert_state_equals_views(store: Store, w: World, world: dict[str, Any]) -> None:
    ex = w.exchange_address

    def view(fn: str, *args: Any) -> Any:
        return w.view(ex, "DataExchange", fn, *args)

    def one(sql: str, *params: Any) -> tuple[Any, ...]:
        rows = store.execute(sql, params)
        assert len(rows) == 1, (sql, params, rows)
        return tuple(rows[0])

    n_listings, n_offers, n_trades = (int(x) for x in w.ex().counts())
    assert store.execute("SELECT COUNT(*) FROM listings WHERE block_to IS NULL")[0][0] == n_listings
    assert store.execute("SELECT COUNT(*) FROM offers WHERE block_to IS NULL")[0][0] == n_offers
    assert store.execute("SELECT COUNT(*) FROM trades WHERE block_to IS NULL")[0][0] == n_trades
    for lid in range(1, n_listings + 1):
        r = one(
            "SELECT asset_id, contract_hash, price, currency, purpose_hash, licence_duration, revenue_share_bps, "
            "derivatives_allowed, seller, status, reason_code FROM listings WHERE listing_id = ? "
            "AND block_to IS NULL",
            lid.to_bytes(32, "big"),
        )
        terms, seller, status, reason = view("getListing", lid)
        assert tuple(terms) == (bytes(r[0]), bytes(r[1]), _u(r[2]), _addr(r[3]), bytes(r[4]), r[5], r[6], bool(r[7]))
        assert (seller, status, reason) == (_addr(r[8]), r[9], r[10]), lid
    for tid in range(1, n_trades + 1):
        r = one(
            "SELECT listing_id, buyer, seller, status, amount, opened_at, settleable_at, delivery_hash, "
            "licence_id FROM trades WHERE trade_id = ? AND block_to IS NULL",
            tid.to_bytes(32, "big"),
        )
        mine = (_u(r[0]), _addr(r[1]), _addr(r[2]), r[3], _u(r[4]), r[5], r[6], bytes(r[7]), _u(r[8]))
        assert tuple(view("getTrade", tid)) == mine, tid
        st = trade_state(store, tid)
        assert st is not None
        paid = sum(amount for _p, _s, amount in st.payouts)
        # every unit of a closed trade's escrow is accounted for
        if st.status == TRADE_SETTLED:
            assert paid == st.amount and st.refunded == 0 and st.licence_id > 0
        elif st.status in (TRADE_CANCELLED, TRADE_REFUNDED):
            assert paid == 0 and st.refunded == st.amount
    for oid in range(1, n_offers + 1):
        r = one(
            "SELECT listing_id, buyer, status, price, amount FROM offers WHERE offer_id = ? AND block_to IS NULL",
            oid.to_bytes(32, "big"),
        )
        assert tuple(view("getOffer", oid)) == (_u(r[0]), _addr(r[1]), r[2], _u(r[3]), _u(r[4])), oid
    currencies = [NATIVE, *w.tokens.values()]
    for who in [*w.actors.everyone(), w.actors.treasury]:
        for currency in currencies:
            assert exchange_balance(store, who.address, currency) == view("withdrawableOf", who.address, currency)
    for currency in currencies:
        rows = store.execute(
            "SELECT escrowed, withdrawable FROM exchange_totals WHERE currency = ? AND block_to IS NULL",
            (bytes.fromhex(currency[2:]),),
        )
        escrowed, withdrawable = (_u(rows[0][0]), _u(rows[0][1])) if rows else (0, 0)
        assert (escrowed, withdrawable) == (view("totalEscrowed", currency), view("totalWithdrawable", currency))
    for trader, nonce in world["nonces"]:
        used = store.execute(
            "SELECT 1 FROM used_nonces WHERE trader = ? AND nonce = ? AND block_to IS NULL",
            (bytes.fromhex(trader[2:]), nonce.to_bytes(32, "big")),
        )
        assert bool(used) == view("isNonceUsed", trader, nonce), (trader, nonce)
    fee_bps, recipient = w.ex().fee()
    assert one("SELECT value, address FROM exchange_params WHERE name = 'fee' AND block_to IS NULL") == (
        fee_bps,
        bytes.fromhex(recipient[2:]),
    )
    assert one("SELECT value FROM exchange_params WHERE name = 'confirmationWindow' AND block_to IS NULL") == (
        w.ex().confirmation_window(),
    )


def _run(store: Store, w: World, node: LocalNode, cfg: IndexerConfig) -> Indexer:
    contracts = {
        name: (w.deployment.contract(name).address, w.deployment.contract(name).block_number)
        for name in ("DataRegistry", "DataExchange")
    }
    ix = Indexer(store, Chain(node.url), contracts, abis={n: w.build[n].abi for n in contracts}, config=cfg)
    with ix:
        ix.run()
    return ix


def test_exchange_state_tables_equal_the_contract_views_on_both_backends(
    world: World, node: LocalNode, make_store: StoreFactory
) -> None:
    w = world
    world_info = _scenario(w)
    dumps = []
    for backend in BACKENDS:
        store = make_store(backend)
        cfg = (
            IndexerConfig(initial_range=5, workers=0)
            if backend == "sqlite"
            else IndexerConfig(initial_range=3, workers=2, workers_min_blocks=1, reorg_depth=2)
        )
        _run(store, w, node, cfg)
        _assert_state_equals_views(store, w, world_info)
        dumps.append(dump_index(store))
        # query helpers
        lid = world_info["listings"][0]
        listing = listing_state(store, lid)
        assert listing is not None and listing.price == ETHER + 7 and listing.status == 2
        assert listing.seller == w.actors.bob.address.lower()
        for tid, status in world_info["statuses"].items():
            st = trade_state(store, tid)
            assert st is not None and st.status == status
        t_refund = world_info["trades"][3]
        st = trade_state(store, t_refund)
        assert st is not None and st.claimant == w.actors.dave.address.lower() and st.ruling == 1
        assert st.ruling_hash == "0x" + h("ruling 1").hex()
        assert st.evidence_hash == "0x" + h("not what was described").hex()
        # the state as it was: disputed before the ruling
        before = trade_state(store, t_refund, at_block=world_info["marks"]["disputed"])
        assert before is not None and before.status == 4 and before.ruling == 0
        offer = offer_state(store, world_info["offers"][0])
        assert offer is not None and offer.status == 2 and offer.trade_id == world_info["trades"][5]
        assert trade_state(store, 10**6) is None and listing_state(store, 10**6) is None
        names = [e.name for e in trade_history(store, t_refund, limit=100).items]
        assert names == ["TradeOpened", "TradeDelivered", "TradeDisputed", "TradeResolved", "TradeRefunded"]
    assert dumps[0] == dumps[1]


def test_exchange_state_after_rollback_and_reindex_is_identical(
    world: World, node: LocalNode, make_store: StoreFactory
) -> None:
    """A reorg rollback to the middle of the exchange's history, then re-reading, gives the same state."""
    w = world
    a = w.actors
    lid = w.listed(a.bob, price=ETHER)
    t = w.ex(a.dave).order(lid).trade_id
    mid = w.chain.block_number()
    w.ex(a.bob).deliver(t, h("rb"))
    w.ex(a.dave).confirm(t)
    w.ex(a.dave).settle(t)
    for backend in BACKENDS:
        store = make_store(backend)
        ix = _run(store, w, node, IndexerConfig(initial_range=50, workers=0))
        full = dump_index(store)
        st = trade_state(store, t)
        assert st is not None and st.status == TRADE_SETTLED
        block_hash = bytes.fromhex(w.chain.get_block(mid)["hash"][2:])
        with store.transaction():
            store.rollback_to(mid, block_hash, ix.tables)
        st = trade_state(store, t)
        assert st is not None and st.status == 1 and st.delivery_hash == "0x" + "00" * 32
        _run(store, w, node, IndexerConfig(initial_range=50, workers=0))
        assert dump_index(store) == full
