"""Hostile money: tokens that return false, tokens that take a fee, payees that re-enter."""

from __future__ import annotations

from provenance.exchange import NATIVE, TradeStatus
from provenance.records.registry import Right
from tests.integration.exchange.helpers import ETHER, World, h, reverts

REENTRANCY_SELECTOR = bytes.fromhex("3ee5aeb5")  # ReentrancyGuardReentrantCall()


def test_false_returning_token_is_caught(w: World) -> None:
    a = w.actors
    bad = w.tokens["bad"]
    lid = w.listed(a.bob, price=1_000, currency=bad)
    dave = w.ex(a.dave)
    # (1) no allowance: transferFrom returns false instead of reverting; SafeERC20 turns it into a revert
    with reverts("SafeERC20FailedOperation", token=bad):
        dave.order(lid, approve=False)
    # (2) allowance given, but the token refuses anyway
    dave.approve(bad, 10**9)
    w.send(a.admin, bad, "FalseReturningERC20", "setFailing", True)
    with reverts("SafeERC20FailedOperation", token=bad):
        dave.order(lid)
    with reverts("SafeERC20FailedOperation", token=bad):
        dave.deposit(bad, 5)
    assert w.ex().total_escrowed(bad) == 0
    w.send(a.admin, bad, "FalseReturningERC20", "setFailing", False)
    # (3) a working transfer goes through; a failing payout transfer keeps the balance
    t = dave.order(lid).trade_id
    w.ex(a.bob).deliver(t, h("d"))
    dave.confirm(t)
    dave.settle(t)
    owed = w.ex().withdrawable(a.bob.address, bad)
    assert owed > 0
    w.send(a.admin, bad, "FalseReturningERC20", "setFailing", True)
    with reverts("SafeERC20FailedOperation", token=bad):
        w.ex(a.bob).withdraw(bad)
    assert w.ex().withdrawable(a.bob.address, bad) == owed
    w.send(a.admin, bad, "FalseReturningERC20", "setFailing", False)
    before = w.token_balance("bad", a.bob.address)
    assert w.ex(a.bob).withdraw(bad).amount == owed
    assert w.token_balance("bad", a.bob.address) - before == owed
    w.assert_conserved(bad)


def test_fee_on_transfer_token_escrows_what_arrived(w: World) -> None:
    a = w.actors
    fee_tok = w.tokens["fee"]  # burns 1% of every transfer
    lid = w.listed(a.bob, price=1_000_000, currency=fee_tok)
    opened = w.ex(a.dave).order(lid)
    assert (opened.price, opened.amount) == (1_000_000, 990_000)
    assert w.ex().trade(opened.trade_id).amount == 990_000
    w.assert_conserved(fee_tok)
    offer = w.ex(a.carol).make_offer(lid, 500_000)
    assert offer.amount == 495_000
    dep = w.ex(a.carol).deposit(fee_tok, 100_000)
    assert dep.amount == 99_000 and w.ex().withdrawable(a.carol.address, fee_tok) == 99_000
    w.assert_conserved(fee_tok)
    w.ex(a.bob).deliver(opened.trade_id, h("d"))
    w.ex(a.dave).confirm(opened.trade_id)
    s = w.ex(a.dave).settle(opened.trade_id)
    assert sum(p.amount for p in s.payouts) == 990_000
    accepted = w.ex(a.bob).accept(offer.offer_id)
    assert accepted.amount == 495_000
    w.ex(a.bob).cancel(accepted.trade_id)
    # withdrawals send the credited amount; the holder receives it less the token's own fee
    owed = w.ex().withdrawable(a.carol.address, fee_tok)
    before = w.token_balance("fee", a.carol.address)
    w.ex(a.carol).withdraw(fee_tok)
    assert w.token_balance("fee", a.carol.address) - before == owed - owed // 100
    w.assert_conserved(fee_tok)
    assert w.ex().holdings(fee_tok) == w.ex().total_withdrawable(fee_tok)


def _receiver(w: World) -> str:
    """A ReentrantReceiver holding 10% of the derived asset's operation right (from carol)."""
    a = w.actors
    rcv = w.deploy(a.admin, "ReentrantReceiver", ["address"], [w.exchange_address])
    w.reg(a.carol).transfer_right(w.assets["derived"], Right.OPERATION, rcv, 100_000)
    return rcv


def _settled_trade(w: World, lid: int) -> int:
    a = w.actors
    t = w.ex(a.dave).order(lid).trade_id
    w.ex(a.bob).deliver(t, h("d"))
    w.ex(a.dave).confirm(t)
    return t


def test_reentrant_withdraw_fails(w: World) -> None:
    a = w.actors
    rcv = _receiver(w)
    lid = w.listed(a.bob)
    w.ex(a.dave).settle(_settled_trade(w, lid))
    owed = w.ex().withdrawable(rcv)
    assert owed > 0
    w.ex(a.stranger)  # the stranger's sender decodes exchange errors
    # (1) the receiver re-enters withdraw and lets the failure bubble: the whole withdrawal reverts
    w.send(a.stranger, rcv, "ReentrantReceiver", "configure", 1, 0, False)
    with reverts("ExchangeTransferFailed", to=rcv, amount=owed):
        w.send(a.stranger, rcv, "ReentrantReceiver", "withdrawFrom", NATIVE)
    assert w.ex().withdrawable(rcv) == owed
    # (2) the receiver swallows the failed re-entry: it is paid once, never twice
    w.send(a.stranger, rcv, "ReentrantReceiver", "configure", 1, 0, True)
    w.send(a.stranger, rcv, "ReentrantReceiver", "withdrawFrom", NATIVE)
    assert w.chain.balance(rcv) == owed
    assert w.view(rcv, "ReentrantReceiver", "attempts") == 1
    assert w.view(rcv, "ReentrantReceiver", "reentrySucceeded") is False
    assert w.view(rcv, "ReentrantReceiver", "lastError")[:4] == REENTRANCY_SELECTOR
    assert w.ex().withdrawable(rcv) == 0
    w.assert_conserved()


def test_reentrant_settle_fails(w: World) -> None:
    a = w.actors
    rcv = _receiver(w)
    lid = w.listed(a.bob)
    w.ex(a.dave).settle(_settled_trade(w, lid))
    pending = _settled_trade(w, lid)  # confirmed, not settled: the re-entry target
    w.ex(a.stranger)
    w.send(a.stranger, rcv, "ReentrantReceiver", "configure", 2, pending, False)
    with reverts("ExchangeTransferFailed", to=rcv):
        w.send(a.stranger, rcv, "ReentrantReceiver", "withdrawFrom", NATIVE)
    w.send(a.stranger, rcv, "ReentrantReceiver", "configure", 2, pending, True)
    w.send(a.stranger, rcv, "ReentrantReceiver", "withdrawFrom", NATIVE)
    assert w.view(rcv, "ReentrantReceiver", "reentrySucceeded") is False
    assert w.view(rcv, "ReentrantReceiver", "lastError")[:4] == REENTRANCY_SELECTOR
    assert w.ex().trade(pending).status == TradeStatus.CONFIRMED  # untouched by the attempt
    w.ex(a.stranger).settle(pending)  # and settles normally afterwards
    w.assert_conserved()


def test_contract_buyer_refund_is_pulled_not_pushed(w: World) -> None:
    """A refund to a contract buyer is credited; a reverting receive() cannot block the seller's cancel."""
    a = w.actors
    rcv = w.deploy(a.admin, "ReentrantReceiver", ["address"], [w.exchange_address])
    w.send(a.stranger, rcv, "ReentrantReceiver", "configure", 1, 0, False)  # receive() would revert
    lid = w.listed(a.bob)
    w.send(a.stranger, rcv, "ReentrantReceiver", "buy", lid, value=ETHER)
    t = w.ex().counts()[2]
    assert w.ex().trade(t).buyer == rcv
    refund = w.ex(a.bob).cancel(t)  # nothing is pushed, so nothing can revert
    assert (refund.buyer, refund.amount) == (rcv, ETHER)
    assert w.ex().withdrawable(rcv) == ETHER
    w.assert_conserved()
