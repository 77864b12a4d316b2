"""Stateful property test: random sequences of exchange operations against a Python model.

After every step the chain must agree with the model (every trade's status, every balance) and,
for the native coin and two ERC-20s (one plain, one taking a 1% fee on transfer), the contract
must hold exactly escrowed + withdrawable. Each example starts from the same chain snapshot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from eth_utils import to_checksum_address
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from provenance.chain import Signer
from provenance.errors import ContractRevert
from provenance.exchange import NATIVE, Exchange, TradeStatus
from provenance.records.registry import Right
from tests.integration.exchange.helpers import World, h, split

WINDOW = 1_000
FEE_BPS = 250


@dataclass
class ListingModel:
    listing_id: int
    asset: str
    seller: Signer
    currency: str
    price: int
    parents: list[tuple[int, dict[str, int]]] = field(default_factory=list)
    holders: dict[str, int] = field(default_factory=dict)


@dataclass
class TradeModel:
    listing: int  # index into listings
    buyer: str
    amount: int
    status: TradeStatus = TradeStatus.ESCROWED
    settleable_at: int = 0


@dataclass
class OfferModel:
    listing: int
    buyer: str
    amount: int
    open: bool = True


class Base:
    """The chain state every example starts from (a snapshot id, refreshed after each revert)."""

    snapshot: ClassVar[str] = ""
    listings: ClassVar[list[ListingModel]] = []


def setup_base(w: World) -> None:
    a = w.actors
    reg = w.reg()

    def book(asset: str) -> dict[str, int]:
        return {to_checksum_address(k): v for k, v in reg.holders(w.assets[asset], Right.OPERATION).items()}

    specs = [
        ("derived", a.bob, NATIVE, 10**15 + 7),
        ("derived", a.bob, w.tokens["usd"], 1_000_003),
        ("resource", a.dave, w.tokens["fee"], 2_000_001),
    ]
    Base.listings = []
    for asset, seller, currency, price in specs:
        lid = w.listed(seller, asset, price=price, currency=currency)
        parents: list[tuple[int, dict[str, int]]] = [
            (bps, {to_checksum_address(k): v for k, v in reg.holders(p, Right.OPERATION).items()})
            for p, bps in reg.parents(w.assets[asset])
        ]
        Base.listings.append(ListingModel(lid, asset, seller, currency, price, parents, book(asset)))
    for buyer in (a.alice, a.bob, a.carol, a.dave, a.stranger):
        for key in ("usd", "fee"):
            w.ex(buyer).approve(w.tokens[key], 2**255)
    Base.snapshot = str(w.chain.rpc("evm_snapshot"))


def received(w: World, currency: str, amount: int) -> int:
    return amount - amount * 100 // 10_000 if currency == w.tokens["fee"] else amount


class ExchangeMachine(RuleBasedStateMachine):
    def __init__(self, w: World) -> None:
        super().__init__()
        self.w = w
        assert w.chain.rpc("evm_revert", [Base.snapshot]) is True
        Base.snapshot = str(w.chain.rpc("evm_snapshot"))
        w.resync()
        a = w.actors
        self.buyers = [a.alice, a.bob, a.carol, a.dave, a.stranger]
        self.accounts = [s.address for s in (*self.buyers, a.treasury)]
        self.currencies = [NATIVE, w.tokens["usd"], w.tokens["fee"]]
        self.escrowed = dict.fromkeys(self.currencies, 0)
        self.balances: dict[tuple[str, str], int] = {}
        self.trade_models: dict[int, TradeModel] = {}
        self.offer_models: dict[int, OfferModel] = {}
        self.frozen = {"derived": False, "resource": False}
        self.nonce = 0
        self.clock = 0  # chain time as of the last advance (settle() picks trades lapsed by then)

    # ------------------------------------------------------------------ helpers
    def ex(self, signer: Signer) -> Exchange:
        return self.w.ex(signer)

    def credit(self, account: str, currency: str, amount: int) -> None:
        key = (to_checksum_address(account), currency)
        self.balances[key] = self.balances.get(key, 0) + amount

    def expect_fail(self, name: str, fn: Any, *args: Any) -> None:
        event(f"refused: {name}")
        try:
            fn(*args)
        except ContractRevert as err:
            assert err.name == name, f"expected {name}, got {err}"
            return
        raise AssertionError(f"expected {name}, but the call succeeded")

    def listing_of(self, tid: int) -> ListingModel:
        return Base.listings[self.trade_models[tid].listing]

    def trade_error(self, status: TradeStatus) -> str:
        return {TradeStatus.SETTLED: "ExchangeTradeAlreadySettled", TradeStatus.DISPUTED: "ExchangeTradeDisputed"}.get(
            status, "ExchangeWrongTradeStatus"
        )

    def party(self, tid: int, seller_side: bool) -> Signer:
        t = self.trade_models[tid]
        if seller_side:
            return self.listing_of(tid).seller
        return next(s for s in self.buyers if s.address == t.buyer)

    def do_settle(self, tid: int) -> None:
        t = self.trade_models[tid]
        lm = self.listing_of(tid)
        expected = split(t.amount, FEE_BPS, lm.parents, lm.holders)
        for who, x in expected.items():
            self.credit(self.w.actors.treasury.address if who == "fee" else who, lm.currency, x)
        self.escrowed[lm.currency] -= t.amount
        t.status = TradeStatus.SETTLED

    def refund(self, tid: int, status: TradeStatus) -> None:
        t = self.trade_models[tid]
        lm = self.listing_of(tid)
        self.credit(t.buyer, lm.currency, t.amount)
        self.escrowed[lm.currency] -= t.amount
        t.status = status

    # ------------------------------------------------------------------ rules: matching
    @rule(listing=st.integers(0, 2), buyer=st.integers(0, 4))
    def order(self, listing: int, buyer: int) -> None:
        lm = Base.listings[listing]
        b = self.buyers[buyer]
        if self.frozen[lm.asset]:
            self.expect_fail("ExchangeAssetFrozen", self.ex(b).order, lm.listing_id)
            return
        if b.address == lm.seller.address:
            self.expect_fail("ExchangeSelfTrade", self.ex(b).order, lm.listing_id)
            return
        opened = self.ex(b).order(lm.listing_id, approve=False)
        amount = received(self.w, lm.currency, lm.price)
        assert opened.amount == amount
        self.escrowed[lm.currency] += amount
        self.trade_models[opened.trade_id] = TradeModel(listing, b.address, amount)

    @rule(listing=st.integers(0, 2), buyer=st.integers(0, 4), price=st.integers(1, 3_000_000))
    def offer(self, listing: int, buyer: int, price: int) -> None:
        lm = Base.listings[listing]
        b = self.buyers[buyer]
        if b.address == lm.seller.address:
            return
        if self.frozen[lm.asset]:
            self.expect_fail("ExchangeAssetFrozen", self.ex(b).make_offer, lm.listing_id, price)
            return
        made = self.ex(b).make_offer(lm.listing_id, price, approve=False)
        amount = received(self.w, lm.currency, price)
        assert made.amount == amount
        self.escrowed[lm.currency] += amount
        self.offer_models[made.offer_id] = OfferModel(listing, b.address, amount)

    def do_accept(self, offer: int) -> None:
        o = self.offer_models[offer]
        lm = Base.listings[o.listing]
        seller = self.ex(lm.seller)
        if not o.open:
            self.expect_fail("ExchangeWrongOfferStatus", seller.accept, offer)
            return
        if self.frozen[lm.asset]:
            self.expect_fail("ExchangeAssetFrozen", seller.accept, offer)
            return
        opened = seller.accept(offer)
        o.open = False
        self.trade_models[opened.trade_id] = TradeModel(o.listing, o.buyer, o.amount)

    def do_cancel_offer(self, offer: int, by_seller: bool) -> None:
        o = self.offer_models[offer]
        lm = Base.listings[o.listing]
        who = lm.seller if by_seller else next(s for s in self.buyers if s.address == o.buyer)
        if not o.open:
            self.expect_fail("ExchangeWrongOfferStatus", self.ex(who).cancel_offer, offer)
            return
        self.ex(who).cancel_offer(offer)
        o.open = False
        self.credit(o.buyer, lm.currency, o.amount)
        self.escrowed[lm.currency] -= o.amount

    @rule(listing=st.integers(0, 2), buyer=st.integers(0, 4))
    def deposit_and_match(self, listing: int, buyer: int) -> None:
        lm = Base.listings[listing]
        b = self.buyers[buyer]
        if b.address == lm.seller.address:
            return
        dep = self.ex(b).deposit(lm.currency, lm.price, approve=False)
        assert dep.amount == received(self.w, lm.currency, lm.price)
        self.credit(b.address, lm.currency, dep.amount)
        self.nonce += 1
        op = self.ex(self.w.actors.operator)
        ask, bid = op.sign_match(
            lm.seller,
            b,
            lm.listing_id,
            price=lm.price,
            deadline=self.w.now() + 3_600,
            ask_nonce=self.nonce,
            bid_nonce=self.nonce,
        )
        if self.frozen[lm.asset]:
            self.expect_fail("ExchangeAssetFrozen", op.match, ask, bid)
            return
        key = (b.address, lm.currency)
        if self.balances.get(key, 0) < lm.price:
            self.expect_fail("ExchangeInsufficientBalance", op.match, ask, bid)
            return
        opened = op.match(ask, bid)
        self.balances[key] -= lm.price
        self.escrowed[lm.currency] += lm.price
        self.trade_models[opened.trade_id] = TradeModel(listing, b.address, lm.price)

    # ------------------------------------------------------------------ rules: delivery and settlement
    def do_deliver(self, trade: int) -> None:
        t = self.trade_models[trade]
        seller = self.ex(self.party(trade, True))
        if t.status != TradeStatus.ESCROWED:
            self.expect_fail(self.trade_error(t.status), seller.deliver, trade, h(f"delivery {trade}"))
            return
        done = seller.deliver(trade, h(f"delivery {trade}"))
        t.status = TradeStatus.DELIVERED
        t.settleable_at = done.settleable_at

    def do_confirm(self, trade: int) -> None:
        t = self.trade_models[trade]
        buyer = self.ex(self.party(trade, False))
        if t.status != TradeStatus.DELIVERED:
            self.expect_fail(self.trade_error(t.status), buyer.confirm, trade)
            return
        buyer.confirm(trade)
        t.status = TradeStatus.CONFIRMED

    def do_settle_rule(self, trade: int) -> None:
        t = self.trade_models[trade]
        anyone = self.ex(self.w.actors.stranger)
        lapsed = t.status == TradeStatus.DELIVERED and self.w.now() + 1 >= t.settleable_at
        if t.status == TradeStatus.DELIVERED and not lapsed:
            self.expect_fail("ExchangeConfirmationPending", anyone.settle, trade)
        elif t.status not in (TradeStatus.CONFIRMED, TradeStatus.DELIVERED):
            self.expect_fail(self.trade_error(t.status), anyone.settle, trade)
        elif self.frozen[self.listing_of(trade).asset]:
            self.expect_fail("RegistryAssetFrozen", anyone.settle, trade)
        else:
            s = anyone.settle(trade)
            assert s.amount == t.amount and sum(p.amount for p in s.payouts) == t.amount
            self.do_settle(trade)
            event("settled (lapsed)" if lapsed else "settled (confirmed)")

    def do_cancel(self, trade: int, by_seller: bool) -> None:
        t = self.trade_models[trade]
        who = self.ex(self.party(trade, by_seller))
        if t.status != TradeStatus.ESCROWED:
            self.expect_fail(self.trade_error(t.status), who.cancel, trade)
            return
        who.cancel(trade)
        self.refund(trade, TradeStatus.CANCELLED)

    def do_dispute(self, trade: int, by_seller: bool) -> None:
        t = self.trade_models[trade]
        who = self.ex(self.party(trade, by_seller))
        if t.status not in (TradeStatus.ESCROWED, TradeStatus.DELIVERED, TradeStatus.CONFIRMED):
            self.expect_fail(self.trade_error(t.status), who.dispute_trade, trade, h("evidence"))
            return
        who.dispute_trade(trade, h("evidence"))
        t.status = TradeStatus.DISPUTED

    def do_resolve(self, trade: int, settle: bool) -> None:
        t = self.trade_models[trade]
        arb = self.ex(self.w.actors.arbitrator)
        ruling = "settle" if settle else "refund"
        if t.status != TradeStatus.DISPUTED:
            self.expect_fail("ExchangeWrongTradeStatus", arb.resolve, trade, ruling, h("ruling"))
        elif settle and self.frozen[self.listing_of(trade).asset]:
            self.expect_fail("RegistryAssetFrozen", arb.resolve, trade, ruling, h("ruling"))
        else:
            arb.resolve(trade, ruling, h("ruling"))
            event(f"resolved: {ruling}")
            if settle:
                self.do_settle(trade)
            else:
                self.refund(trade, TradeStatus.REFUNDED)

    # ------------------------------------------------------------------ rules: pick applicable items
    def trades_in(self, *statuses: TradeStatus) -> list[int]:
        return sorted(t for t, m in self.trade_models.items() if m.status in statuses)

    def open_offers(self) -> list[int]:
        return sorted(o for o, m in self.offer_models.items() if m.open)

    @precondition(lambda self: self.open_offers())
    @rule(data=st.data())
    def accept(self, data: st.DataObject) -> None:
        self.do_accept(data.draw(st.sampled_from(self.open_offers())))

    @precondition(lambda self: self.open_offers())
    @rule(data=st.data(), by_seller=st.booleans())
    def cancel_offer(self, data: st.DataObject, by_seller: bool) -> None:
        self.do_cancel_offer(data.draw(st.sampled_from(self.open_offers())), by_seller)

    @precondition(lambda self: self.trades_in(TradeStatus.ESCROWED))
    @rule(data=st.data())
    def deliver(self, data: st.DataObject) -> None:
        self.do_deliver(data.draw(st.sampled_from(self.trades_in(TradeStatus.ESCROWED))))

    @precondition(lambda self: self.trades_in(TradeStatus.DELIVERED))
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        self.do_confirm(data.draw(st.sampled_from(self.trades_in(TradeStatus.DELIVERED))))

    def settleable(self) -> list[int]:
        return sorted(
            t
            for t, m in self.trade_models.items()
            if m.status == TradeStatus.CONFIRMED
            or (m.status == TradeStatus.DELIVERED and 0 < m.settleable_at <= self.clock)
        )

    @precondition(lambda self: self.settleable())
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        self.do_settle_rule(data.draw(st.sampled_from(self.settleable())))

    @precondition(lambda self: self.trades_in(TradeStatus.ESCROWED))
    @rule(data=st.data(), by_seller=st.booleans())
    def cancel(self, data: st.DataObject, by_seller: bool) -> None:
        self.do_cancel(data.draw(st.sampled_from(self.trades_in(TradeStatus.ESCROWED))), by_seller)

    @precondition(lambda self: self.trades_in(TradeStatus.ESCROWED, TradeStatus.DELIVERED, TradeStatus.CONFIRMED))
    @rule(data=st.data(), by_seller=st.booleans())
    def dispute(self, data: st.DataObject, by_seller: bool) -> None:
        live = self.trades_in(TradeStatus.ESCROWED, TradeStatus.DELIVERED, TradeStatus.CONFIRMED)
        self.do_dispute(data.draw(st.sampled_from(live)), by_seller)

    @precondition(lambda self: self.trades_in(TradeStatus.DISPUTED))
    @rule(data=st.data(), settle=st.booleans())
    def resolve(self, data: st.DataObject, settle: bool) -> None:
        self.do_resolve(data.draw(st.sampled_from(self.trades_in(TradeStatus.DISPUTED))), settle)

    @precondition(lambda self: self.trade_models or self.offer_models)
    @rule(
        data=st.data(),
        op=st.sampled_from(["deliver", "confirm", "settle", "cancel", "dispute", "resolve", "accept", "cancel_offer"]),
        flag=st.booleans(),
    )
    def misuse(self, data: st.DataObject, op: str, flag: bool) -> None:
        """Any operation on any trade or offer, whatever its state: the contract must refuse exactly as modelled."""
        if op in ("accept", "cancel_offer"):
            if not self.offer_models:
                return
            offer = data.draw(st.sampled_from(sorted(self.offer_models)))
            if op == "accept":
                self.do_accept(offer)
            else:
                self.do_cancel_offer(offer, flag)
            return
        if not self.trade_models:
            return
        trade = data.draw(st.sampled_from(sorted(self.trade_models)))
        if op in ("deliver", "confirm"):
            getattr(self, f"do_{op}")(trade)
        elif op == "settle":
            self.do_settle_rule(trade)
        else:
            getattr(self, f"do_{op}")(trade, flag)

    # ------------------------------------------------------------------ rules: time, money, supervision
    @precondition(lambda self: any(t.status == TradeStatus.DELIVERED for t in self.trade_models.values()))
    @rule()
    def advance_time(self) -> None:
        self.w.advance(WINDOW + 500)
        self.clock = self.w.now()

    @precondition(lambda self: any(v > 0 for v in self.balances.values()))
    @rule(account=st.integers(0, 5), currency=st.integers(0, 2))
    def withdraw(self, account: int, currency: int) -> None:
        a = self.w.actors
        who = [*self.buyers, a.treasury][account]
        cur = self.currencies[currency]
        owed = self.balances.get((who.address, cur), 0)
        if owed == 0:
            self.expect_fail("ExchangeNothingToWithdraw", self.ex(who).withdraw, cur)
            return
        assert self.ex(who).withdraw(cur).amount == owed
        self.balances[(who.address, cur)] = 0

    @precondition(lambda self: not any(self.frozen.values()))
    @rule(asset=st.sampled_from(["derived", "resource"]), now=st.integers(0, 2))
    def freeze(self, asset: str, now: int) -> None:
        """A regulator freezes an asset (one draw in three, so frozen spells stay short)."""
        if now == 0:
            self.w.reg(self.w.actors.regulator).freeze(self.w.assets[asset], h("order"))
            self.frozen[asset] = True

    @precondition(lambda self: any(self.frozen.values()))
    @rule()
    def unfreeze(self) -> None:
        for asset, frozen in self.frozen.items():
            if frozen:
                self.w.reg(self.w.actors.regulator).unfreeze(self.w.assets[asset], h("lifted"))
                self.frozen[asset] = False

    # ------------------------------------------------------------------ invariants
    @invariant()
    def chain_matches_model(self) -> None:
        w = self.w
        ex = w.ex()
        calls: list[tuple[str, list[Any]]] = []
        for cur in self.currencies:
            if cur == NATIVE:
                calls.append(("eth_getBalance", [w.exchange_address, "latest"]))
            else:
                data = ex._erc20.encode("balanceOf", w.exchange_address)
                calls.append(("eth_call", [{"to": cur, "data": "0x" + data.hex()}, "latest"]))
            for fn in ("totalEscrowed", "totalWithdrawable"):
                calls.append(
                    ("eth_call", [{"to": w.exchange_address, "data": "0x" + ex.codec.encode(fn, cur).hex()}, "latest"])
                )
        pairs = [(acct, cur) for acct in self.accounts for cur in self.currencies]
        for acct, cur in pairs:
            calls.append(
                (
                    "eth_call",
                    [
                        {"to": w.exchange_address, "data": "0x" + ex.codec.encode("withdrawableOf", acct, cur).hex()},
                        "latest",
                    ],
                )
            )
        for tid in self.trade_models:
            calls.append(
                (
                    "eth_call",
                    [{"to": w.exchange_address, "data": "0x" + ex.codec.encode("getTrade", tid).hex()}, "latest"],
                )
            )
        values: list[Any] = [
            int(v, 16) if i < len(self.currencies) * 3 + len(pairs) else v for i, v in enumerate(w.chain.batch(calls))
        ]
        for i, cur in enumerate(self.currencies):
            held, escrowed, withdrawable = values[3 * i : 3 * i + 3]
            # (1) conservation: the contract holds exactly what it owes
            assert held == escrowed + withdrawable, f"{cur}: {held} != {escrowed} + {withdrawable}"
            # (2) and the model agrees on both totals
            assert escrowed == self.escrowed[cur], (cur, escrowed, self.escrowed[cur])
            owed = sum(v for (_, c), v in self.balances.items() if c == cur)
            assert withdrawable == owed, (cur, withdrawable, owed)
        offset = 3 * len(self.currencies)
        for j, key in enumerate(pairs):
            assert values[offset + j] == self.balances.get(key, 0), (key, values[offset + j])
        offset += len(pairs)
        for j, (tid, t) in enumerate(self.trade_models.items()):
            raw = values[offset + j]
            got = ex.codec.decode_output("getTrade", bytes.fromhex(raw[2:]))[0]
            assert TradeStatus(got[3]) == t.status, (tid, TradeStatus(got[3]), t.status)
            assert got[4] == t.amount


def test_exchange_state_machine(w: World) -> None:
    setup_base(w)
    run_state_machine_as_test(
        lambda: ExchangeMachine(w),  # type: ignore[arg-type]  # any factory works; the stub asks for a class
        settings=settings(
            max_examples=60,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
