"""Whole trades on a real chain: every matching path, the split, the licence, rebuilding from events."""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from provenance.exchange import (
    NATIVE,
    ListingStatus,
    OfferStatus,
    TradeOrigin,
    TradeRuling,
    TradeStatus,
    order_digest,
)
from provenance.records.registry import Right
from tests.integration.exchange.helpers import ETHER, World, h, reverts, split

ZERO = b"\x00" * 32


def expected_split(w: World, amount: int) -> dict[str, int]:
    """The credits a settlement of the derived asset should make, from the registry's state."""
    reg = w.reg()
    fee_bps, _ = w.ex().fee()
    parents = [(bps, reg.holders(p, Right.OPERATION)) for p, bps in reg.parents(w.assets["derived"])]
    got = split(amount, fee_bps, parents, reg.holders(w.assets["derived"], Right.OPERATION))
    return {(w.actors.treasury.address if k == "fee" else to_checksum_address(k)): v for k, v in got.items()}


def credits(settlement: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in settlement.payouts:
        out[p.payee] = out.get(p.payee, 0) + p.amount
    return out


def test_fixed_price_trade_native(w: World) -> None:
    a = w.actors
    lid = w.listed(a.bob, price=ETHER + 7)
    assert w.ex().listing(lid).status == ListingStatus.ADMITTED
    opened = w.ex(a.dave).order(lid)
    assert (opened.origin, opened.amount, opened.seller) == (TradeOrigin.FIXED_PRICE, ETHER + 7, a.bob.address)
    assert w.ex().total_escrowed() == ETHER + 7
    delivered = w.ex(a.bob).deliver(opened.trade_id, h("the data, v1"))
    assert delivered.settleable_at == w.now() + 1_000
    w.ex(a.dave).confirm(opened.trade_id)
    settled = w.ex(a.stranger).settle(opened.trade_id)
    # (1) the split: 2.5% fee, 15% of the rest to the parent's holder (alice), 70/30 bob/carol
    assert credits(settled) == expected_split(w, ETHER + 7)
    assert settled.fee == (ETHER + 7) * 250 // 10_000
    assert sum(p.amount for p in settled.payouts) == ETHER + 7
    # (2) the licence, granted by the seller in the registry
    lic = w.reg().licence(settled.licence_id)
    assert (lic.terms.licensee, lic.grantor.lower(), lic.terms.terms_hash) == (
        a.dave.address,
        a.bob.address.lower(),
        h("standard contract v1"),
    )
    assert w.reg().may_use(w.assets["derived"], a.dave.address, h("analytics"))
    trade = w.ex().trade(opened.trade_id)
    assert (trade.status, trade.licence_id, trade.delivery_hash) == (
        TradeStatus.SETTLED,
        settled.licence_id,
        h("the data, v1"),
    )
    # (3) pull payments
    before = w.chain.balance(a.carol.address)
    got = w.ex(a.carol).withdraw(NATIVE)
    assert got.amount == credits(settled)[a.carol.address]
    assert w.chain.balance(a.carol.address) - before == got.amount - got_fee(w, got.tx.tx_hash)
    assert w.ex().withdrawable(a.carol.address) == 0
    with reverts("ExchangeNothingToWithdraw", account=a.carol.address):
        w.ex(a.carol).withdraw(NATIVE)
    w.assert_conserved()


def got_fee(w: World, tx_hash: str) -> int:
    r = w.chain.rpc("eth_getTransactionReceipt", [tx_hash])
    return int(r["gasUsed"], 16) * int(r["effectiveGasPrice"], 16)


def test_fixed_price_trade_erc20_and_resource_asset(w: World) -> None:
    a = w.actors
    usd = w.tokens["usd"]
    lid = w.listed(a.dave, "resource", price=5_000_000, currency=usd)
    opened = w.ex(a.alice).order(lid)  # approves first
    assert opened.amount == 5_000_000 and opened.currency == usd
    w.ex(a.dave).deliver(opened.trade_id, h("rows"))
    w.ex(a.alice).confirm(opened.trade_id)
    s = w.ex(a.alice).settle(opened.trade_id)
    assert credits(s) == {a.treasury.address: 125_000, a.dave.address: 4_875_000}
    before = w.token_balance("usd", a.dave.address)
    w.ex(a.dave).withdraw(usd)
    assert w.token_balance("usd", a.dave.address) - before == 4_875_000
    w.assert_conserved(usd)


def test_negotiated_offer_accept_and_cancel(w: World) -> None:
    a = w.actors
    lid = w.listed(a.bob, price=ETHER)
    low = w.ex(a.dave).make_offer(lid, ETHER // 2)
    other = w.ex(a.carol).make_offer(lid, ETHER // 3)
    assert w.ex().total_escrowed() == ETHER // 2 + ETHER // 3
    # the seller declines one, accepts the other
    w.ex(a.bob).cancel_offer(other.offer_id)
    assert w.ex().offer(other.offer_id).status == OfferStatus.CANCELLED
    assert w.ex().withdrawable(a.carol.address) == ETHER // 3
    with reverts("ExchangeUnauthorizedParty", account=a.stranger.address):
        w.ex(a.stranger).accept(low.offer_id)
    opened = w.ex(a.bob).accept(low.offer_id)
    assert (opened.origin, opened.price, opened.buyer) == (TradeOrigin.OFFER, ETHER // 2, a.dave.address)
    with reverts("ExchangeWrongOfferStatus", offerId=low.offer_id, status=int(OfferStatus.ACCEPTED)):
        w.ex(a.bob).accept(low.offer_id)
    with reverts("ExchangeWrongOfferStatus"):
        w.ex(a.dave).cancel_offer(low.offer_id)
    # the buyer withdraws an offer of their own
    mine = w.ex(a.dave).make_offer(lid, 123)
    w.ex(a.dave).cancel_offer(mine.offer_id)
    w.ex(a.bob).deliver(opened.trade_id, h("d"))
    w.ex(a.dave).confirm(opened.trade_id)
    assert credits(w.ex(a.dave).settle(opened.trade_id)) == expected_split(w, ETHER // 2)
    w.assert_conserved()


def test_order_book_match_and_batch(w: World) -> None:
    a = w.actors
    ex = w.ex(a.operator)
    lid = w.listed(a.bob, price=ETHER)
    w.ex(a.dave).deposit(NATIVE, 3 * ETHER)
    w.ex(a.carol).deposit(NATIVE, ETHER)
    deadline = w.now() + 600
    ask, bid = ex.sign_match(
        a.bob, a.dave, lid, price=ETHER, deadline=deadline, ask_nonce=1, bid_nonce=7, bid_price=2 * ETHER
    )
    # the Python digest is the contract's
    assert order_digest(ask.order, w.chain.chain_id, w.exchange_address) == ex.contract_order_digest(ask.order)
    opened = ex.match(ask, bid, price=ETHER + 1)
    assert (opened.origin, opened.amount, opened.buyer) == (TradeOrigin.ORDER_BOOK, ETHER + 1, a.dave.address)
    assert w.ex().withdrawable(a.dave.address) == 2 * ETHER - 1
    assert w.ex().is_nonce_used(a.bob.address, 1) and w.ex().is_nonce_used(a.dave.address, 7)
    with reverts("ExchangeNonceUsed", trader=a.bob.address, nonce=1):
        ex.match(ask, bid)
    # a batch of two, one signed by a buyer without enough deposit fails whole, then succeeds without it
    m1 = ex.sign_match(a.bob, a.dave, lid, price=ETHER // 2, deadline=deadline, ask_nonce=2, bid_nonce=8)
    m2 = ex.sign_match(a.bob, a.carol, lid, price=2 * ETHER, deadline=deadline, ask_nonce=3, bid_nonce=1)
    with reverts("ExchangeInsufficientBalance", account=a.carol.address, available=ETHER, needed=2 * ETHER):
        ex.match_batch([(m1[0], m1[1], None), (m2[0], m2[1], None)])
    m3 = ex.sign_match(a.bob, a.carol, lid, price=ETHER, deadline=deadline, ask_nonce=4, bid_nonce=2)
    batch = ex.match_batch([(m1[0], m1[1], None), (m3[0], m3[1], None)])
    assert [t.trade_id for t in batch] == [opened.trade_id + 1, opened.trade_id + 2]
    # cancelled, expired and forged orders
    w.ex(a.dave).invalidate_nonce(9)
    m4 = ex.sign_match(a.bob, a.dave, lid, price=1, deadline=deadline, ask_nonce=5, bid_nonce=9)
    with reverts("ExchangeNonceUsed", trader=a.dave.address, nonce=9):
        ex.match(*m4)
    m5 = ex.sign_match(a.bob, a.dave, lid, price=1, deadline=w.now() - 1, ask_nonce=6, bid_nonce=10)
    with reverts("ExchangeOrderExpired", trader=a.bob.address):
        ex.match(*m5)
    forged = ex.sign_order(a.stranger, lid, bid=True, price=ETHER, nonce=11, deadline=deadline)
    from provenance.exchange import Order, SignedOrder

    as_dave = SignedOrder(Order(lid, a.dave.address, True, ETHER, 11, deadline), forged.signature)
    ask6 = ex.sign_order(a.bob, lid, bid=False, price=1, nonce=12, deadline=deadline)
    with reverts("ExchangeInvalidSignature", trader=a.dave.address, nonce=11):
        ex.match(ask6, as_dave)
    fake_ask = ex.sign_order(a.carol, lid, bid=False, price=1, nonce=1, deadline=deadline)
    bid7 = ex.sign_order(a.dave, lid, bid=True, price=1, nonce=13, deadline=deadline)
    with reverts("ExchangeInvalidOrder", trader=a.carol.address):
        ex.match(fake_ask, bid7)
    with reverts("AccessControlUnauthorizedAccount", account=a.stranger.address):
        w.ex(a.stranger).match(ask6, bid7)
    w.assert_conserved()


def test_lapsed_confirmation_window_lets_anyone_settle(w: World) -> None:
    a = w.actors
    lid = w.listed(a.bob)
    t = w.ex(a.dave).order(lid).trade_id
    d = w.ex(a.bob).deliver(t, h("d"))
    with reverts("ExchangeConfirmationPending", tradeId=t, settleableAt=d.settleable_at):
        w.ex(a.stranger).settle(t)
    w.advance(1_000)
    assert w.ex(a.stranger).settle(t).amount == ETHER
    with reverts("ExchangeTradeAlreadySettled", tradeId=t):
        w.ex(a.stranger).settle(t)
    with reverts("ExchangeTradeAlreadySettled", tradeId=t):
        w.ex(a.dave).confirm(t)


def test_cancel_before_delivery_only(w: World) -> None:
    a = w.actors
    lid = w.listed(a.bob)
    t1 = w.ex(a.dave).order(lid).trade_id
    t2 = w.ex(a.dave).order(lid).trade_id
    refund = w.ex(a.dave).cancel(t1)
    assert (refund.buyer, refund.amount) == (a.dave.address, ETHER)
    w.ex(a.bob).cancel(t2)  # the seller may decline too
    assert w.ex().withdrawable(a.dave.address) == 2 * ETHER
    t3 = w.ex(a.dave).order(lid).trade_id
    with reverts("ExchangeUnauthorizedParty", account=a.stranger.address):
        w.ex(a.stranger).cancel(t3)
    w.ex(a.bob).deliver(t3, h("d"))
    with reverts("ExchangeWrongTradeStatus", tradeId=t3, status=int(TradeStatus.DELIVERED)):
        w.ex(a.dave).cancel(t3)
    with reverts("ExchangeWrongTradeStatus", tradeId=t1, status=int(TradeStatus.CANCELLED)):
        w.ex(a.bob).deliver(t1, h("d"))
    w.assert_conserved()


def test_dispute_freezes_and_arbitrator_rules(w: World) -> None:
    a = w.actors
    lid = w.listed(a.bob)
    t1 = w.ex(a.dave).order(lid).trade_id
    t2 = w.ex(a.dave).order(lid).trade_id
    for t in (t1, t2):
        w.ex(a.bob).deliver(t, h("d"))
    with reverts("ExchangeUnauthorizedParty", account=a.stranger.address):
        w.ex(a.stranger).dispute_trade(t2, h("x"))
    with reverts("ExchangeZeroHash"):
        w.ex(a.dave)._tx("dispute", t1, ZERO)
    w.ex(a.dave).dispute_trade(t1, h("not what was described"))
    w.ex(a.bob).dispute_trade(t2, h("buyer is stalling"))
    with reverts("ExchangeTradeDisputed", tradeId=t1):
        w.ex(a.dave).confirm(t1)
    w.advance(2_000)
    with reverts("ExchangeTradeDisputed", tradeId=t1):
        w.ex(a.stranger).settle(t1)
    with reverts("ExchangeTradeDisputed", tradeId=t1):
        w.ex(a.dave).cancel(t1)
    with reverts("ExchangeTradeDisputed", tradeId=t1):
        w.ex(a.dave).dispute_trade(t1, h("again"))
    arb = w.ex(a.arbitrator)
    with reverts("ExchangeInvalidRuling"):
        arb._tx("resolve", t1, 0, h("r"))
    refunded = arb.resolve(t1, TradeRuling.REFUND, h("ruling 1"))
    assert refunded.refund is not None and refunded.refund.amount == ETHER and refunded.settlement is None
    settled = arb.resolve(t2, "settle", h("ruling 2"))
    assert settled.settlement is not None and credits(settled.settlement) == expected_split(w, ETHER)
    assert w.ex().trade(t1).status == TradeStatus.REFUNDED
    assert w.ex().trade(t2).status == TradeStatus.SETTLED
    with reverts("ExchangeWrongTradeStatus", tradeId=t2):
        arb.resolve(t2, "refund", h("r"))
    w.assert_conserved()


def test_listing_lifecycle(w: World) -> None:
    a = w.actors
    op = w.ex(a.operator)
    lid = w.listed(a.bob, admit=False)
    assert w.ex().listing(lid).status == ListingStatus.PENDING
    with reverts("ExchangeListingNotAdmitted", listingId=lid, status=int(ListingStatus.PENDING)):
        w.ex(a.dave).order(lid)
    op.admit(lid)
    t = w.ex(a.dave).order(lid).trade_id
    op.suspend(lid, 42)
    assert (w.ex().listing(lid).status, w.ex().listing(lid).reason_code) == (ListingStatus.SUSPENDED, 42)
    with reverts("ExchangeListingNotAdmitted", status=int(ListingStatus.SUSPENDED)):
        w.ex(a.dave).order(lid)
    # an open trade runs its course
    w.ex(a.bob).deliver(t, h("d"))
    w.ex(a.dave).confirm(t)
    w.ex(a.dave).settle(t)
    op.admit(lid)  # re-admitted
    w.ex(a.bob).delist(lid)
    with reverts("ExchangeWrongListingStatus", listingId=lid, status=int(ListingStatus.DELISTED)):
        op.admit(lid)
    rejected = w.listed(a.bob, admit=False)
    with reverts("ExchangeZeroReasonCode"):
        op._tx("reject", rejected, 0)
    op.reject(rejected, 7)
    with reverts("ExchangeWrongListingStatus", status=int(ListingStatus.REJECTED)):
        op.admit(rejected)
    with reverts("ExchangeUnknownListing", listingId=999):
        op.admit(999)


def test_trade_life_rebuilt_from_events_alone(w: World) -> None:
    """Fold the exchange's logs into each trade's state; it must equal what the contract says."""
    a = w.actors
    start = w.chain.block_number() + 1
    lid = w.listed(a.bob)
    t1 = w.ex(a.dave).order(lid).trade_id
    t2 = w.ex(a.bob).accept(w.ex(a.carol).make_offer(lid, ETHER // 4).offer_id).trade_id
    t3 = w.ex(a.dave).order(lid).trade_id
    w.ex(a.bob).deliver(t1, h("d1"))
    w.ex(a.dave).confirm(t1)
    w.ex(a.dave).settle(t1)
    w.ex(a.carol).cancel(t2)
    w.ex(a.bob).deliver(t3, h("d3"))
    w.ex(a.dave).dispute_trade(t3, h("e"))
    w.ex(a.arbitrator).resolve(t3, "refund", h("r"))
    logs = w.chain.rpc("eth_getLogs", [{"address": w.exchange_address, "fromBlock": hex(start), "toBlock": "latest"}])
    ex = w.ex()
    status_of = {
        "TradeOpened": TradeStatus.ESCROWED,
        "TradeDelivered": TradeStatus.DELIVERED,
        "TradeConfirmed": TradeStatus.CONFIRMED,
        "TradeDisputed": TradeStatus.DISPUTED,
        "TradeSettled": TradeStatus.SETTLED,
        "TradeCancelled": TradeStatus.CANCELLED,
    }
    rebuilt: dict[int, dict[str, Any]] = {}
    for lg in logs:
        decoded = ex.codec.decode_log([bytes.fromhex(t[2:]) for t in lg["topics"]], bytes.fromhex(lg["data"][2:]))
        assert decoded is not None
        name, args = decoded
        if "tradeId" not in args:
            continue
        st = rebuilt.setdefault(int(args["tradeId"]), {"paid": 0, "refunded": 0})
        if name in status_of:
            st["status"] = status_of[name]
        if name == "TradeOpened":
            st.update(buyer=args["buyer"].lower(), seller=args["seller"].lower(), amount=args["amount"])
        elif name == "TradeRefunded" and st.get("status") != TradeStatus.CANCELLED:
            st["status"] = TradeStatus.REFUNDED
        if name == "TradeRefunded":
            st["refunded"] += args["amount"]
        elif name == "PayoutCredited":
            st["paid"] += args["amount"]
        elif name == "TradeDelivered":
            st["delivery"] = args["deliveryHash"]
    for tid in (t1, t2, t3):
        onchain = ex.trade(tid)
        st = rebuilt[tid]
        assert st["status"] == onchain.status
        assert (st["buyer"], st["seller"], st["amount"]) == (
            onchain.buyer.lower(),
            onchain.seller.lower(),
            onchain.amount,
        )
        assert st["paid"] + st["refunded"] == onchain.amount  # every unit of the escrow accounted for
        assert st.get("delivery", ZERO) == onchain.delivery_hash
