#!/usr/bin/env python
"""Exchange benchmarks: gas of each step and of a whole trade, and trades per second.

Prints one JSON object.

Gas: one trade from listing to withdrawal (list, admit, order, deliver, confirm, settle,
withdraw), for a simple asset (one operation-right holder) and for derived data (a parent with a
15% revenue share, two co-holders), plus the other paths (offer, accept, order-book match,
batches, cancel, dispute, ruling, ERC-20 order).

Throughput: a trade is order (buyer) + deliver (seller) + confirm (buyer) + settle, four
transactions against a pre-admitted listing, in one Python process against one local anvil:
  provenance: the Exchange client's build_* calls sent with Exchange.send (Sender.send_many: signed
    locally, nonces managed locally, one HTTP request per phase of a batch of trades, no pre-flight
    once the gas limits are known), the four phases back to back, then every receipt collected in
    batches and checked;
  baseline: a naive web3.py loop doing the same four transactions per trade (build_transaction,
    sign with eth-account, send, wait_for_transaction_receipt), in the same run on the same node.
The variants run interleaved (a slice of each per round) so all see the same chain and state size.
Target: provenance >= 7x the baseline. A batched variant (order-book matchBatch + settleBatch, 50
per transaction; deliver and confirm stay per trade) is reported beside it.

Usage: .venv/bin/python scripts/bench/bench_exchange.py [--trades N] [--naive-trades N] [--batch N]
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
from provenance.chain import Call, Chain, Sender, Signer
from provenance.compiler import load_artifact
from provenance.deployment import deploy
from provenance.exchange import NATIVE, Exchange, Listing, ListingTerms, TradeOpened
from provenance.node import LocalNode
from provenance.records.registry import Kind, LicenceTerms, Registration, Right
from provenance.registry import Registry

PRICE = 10**15


def h(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


class Bench:
    """A deployment with named actors: admin/operator/registrar (0), sellers, buyers."""

    def __init__(self, chain: Chain, signers: list[Signer]) -> None:
        self.chain = chain
        self.s = signers
        self.admin = signers[0]
        self.senders: dict[str, Sender] = {}
        self.dep = deploy(
            chain,
            self.sender(self.admin),
            notice_period=0,
            exchange_fee_bps=250,
            fee_recipient=signers[9].address,
            confirmation_window=3_600,
        )
        self.ex_address = self.dep.contract("DataExchange").address
        self.reg_address = self.dep.contract("DataRegistry").address

    def sender(self, signer: Signer) -> Sender:
        return self.senders.setdefault(signer.address, Sender(self.chain, signer))

    def ex(self, signer: Signer) -> Exchange:
        return Exchange(self.chain, self.ex_address, self.sender(signer))

    def reg(self, signer: Signer) -> Registry:
        return Registry(self.chain, self.reg_address, self.sender(signer))

    def asset(self, owner: Signer, name: str, **kw: Any) -> bytes:
        r = Registration(h("data:" + name), h("meta:" + name), "https://example.org/" + name, kind=Kind.PRODUCT, **kw)
        self.reg(owner).register(r)
        self.reg(self.admin).certify(r.asset_id)
        return r.asset_id

    def listing(self, seller: Signer, asset: bytes, currency: str = NATIVE, price: int = PRICE) -> tuple[int, Any]:
        filed = self.ex(seller).list_asset(ListingTerms(asset, h("standard contract"), price, currency, h("analytics")))
        admitted = self.ex(self.admin).admit(filed.listing_id)
        return filed.listing_id, (filed.tx, admitted)


def gas_table(b: Bench) -> dict[str, Any]:
    s = b.s
    seller, buyer, co_holder, parent_owner = s[1], s[2], s[3], s[4]
    steps: dict[str, dict[str, int]] = {}
    # (1) a simple asset: one operation-right holder (the seller) + the exchange fee
    simple = b.asset(seller, "simple")
    lid, (listed, admitted) = b.listing(seller, simple)
    opened = b.ex(buyer).order(lid)
    delivered = b.ex(seller).deliver(opened.trade_id, h("delivery"))
    confirmed = b.ex(buyer).confirm(opened.trade_id)
    settled = b.ex(buyer).settle(opened.trade_id)
    withdrawn = b.ex(seller).withdraw(NATIVE)
    simple_steps = {
        "list": listed.gas_used,
        "admit": admitted.gas_used,
        "order": opened.tx.gas_used,
        "deliver": delivered.tx.gas_used,
        "confirm": confirmed.gas_used,
        "settle": settled.tx.gas_used,
        "withdraw": withdrawn.tx.gas_used,
    }
    steps["simple asset (1 holder)"] = {**simple_steps, "whole_trade": sum(simple_steps.values())}
    # a second trade on the same listing: balances and totals slots already in use
    t2 = b.ex(buyer).order(lid)
    d2 = b.ex(seller).deliver(t2.trade_id, h("delivery 2"))
    c2 = b.ex(buyer).confirm(t2.trade_id)
    s2 = b.ex(buyer).settle(t2.trade_id)
    w2 = b.ex(seller).withdraw(NATIVE)
    repeat = {
        "order": t2.tx.gas_used,
        "deliver": d2.tx.gas_used,
        "confirm": c2.gas_used,
        "settle": s2.tx.gas_used,
        "withdraw": w2.tx.gas_used,
    }
    steps["simple asset, repeat trade (listing reused)"] = {**repeat, "per_trade": sum(repeat.values())}
    # (2) derived data: a parent (15% revenue share) and two co-holders (70/30) + the fee
    parent = b.asset(parent_owner, "parent")
    now = int(b.chain.get_block()["timestamp"], 16)
    lic = (
        b.reg(parent_owner)
        .grant_licence(LicenceTerms(parent, seller.address, h("derive"), now, now + 10**8, h("licence"), 1_500, True))
        .id
    )
    derived = b.asset(seller, "derived", parents=(parent,), parent_licences=(lic,))
    b.reg(seller).transfer_right(derived, Right.OPERATION, co_holder.address, 300_000)
    dlid, (dlisted, dadmitted) = b.listing(seller, derived)
    o3 = b.ex(buyer).order(dlid)
    d3 = b.ex(seller).deliver(o3.trade_id, h("delivery 3"))
    c3 = b.ex(buyer).confirm(o3.trade_id)
    s3 = b.ex(buyer).settle(o3.trade_id)
    w3_ = b.ex(seller).withdraw(NATIVE)
    derived_steps = {
        "list": dlisted.gas_used,
        "admit": dadmitted.gas_used,
        "order": o3.tx.gas_used,
        "deliver": d3.tx.gas_used,
        "confirm": c3.gas_used,
        "settle": s3.tx.gas_used,
        "withdraw": w3_.tx.gas_used,
    }
    steps["derived data (parent 15%, 2 co-holders)"] = {
        **derived_steps,
        "whole_trade": sum(derived_steps.values()),
        "settle_payouts": len(s3.payouts),
    }
    # (3) the other paths
    other: dict[str, int] = {}
    off = b.ex(buyer).make_offer(lid, PRICE // 2)
    other["offer"] = off.tx.gas_used
    other["accept"] = b.ex(seller).accept(off.offer_id).tx.gas_used
    off2 = b.ex(buyer).make_offer(lid, PRICE // 3)
    other["cancelOffer"] = b.ex(buyer).cancel_offer(off2.offer_id).gas_used
    t4 = b.ex(buyer).order(lid)
    other["cancel (refund)"] = b.ex(buyer).cancel(t4.trade_id).tx.gas_used
    t5 = b.ex(buyer).order(lid)
    other["dispute"] = b.ex(buyer).dispute_trade(t5.trade_id, h("evidence")).gas_used
    other["resolve (refund)"] = b.ex(b.admin).resolve(t5.trade_id, "refund", h("ruling")).tx.gas_used
    t6 = b.ex(buyer).order(lid)
    b.ex(buyer).dispute_trade(t6.trade_id, h("evidence"))
    other["resolve (settle)"] = b.ex(b.admin).resolve(t6.trade_id, "settle", h("ruling")).tx.gas_used
    other["deposit"] = b.ex(buyer).deposit(NATIVE, 20 * PRICE).tx.gas_used
    op = b.ex(b.admin)
    deadline = now + 10**6
    ask, bid = op.sign_match(seller, buyer, lid, price=PRICE, deadline=deadline, ask_nonce=1, bid_nonce=1)
    other["matchOrders"] = op.match(ask, bid).tx.gas_used
    matches = [
        (*op.sign_match(seller, buyer, lid, price=PRICE, deadline=deadline, ask_nonce=10 + i, bid_nonce=10 + i), None)
        for i in range(10)
    ]
    batch = op.match_batch(matches)
    other["matchBatch (per match, 10)"] = batch[0].tx.gas_used // 10
    ids = [t.trade_id for t in batch]
    b.ex(seller).submit([b.ex(seller).build_deliver(t, h(f"d{t}")) for t in ids])
    b.ex(buyer).submit([b.ex(buyer).build_confirm(t) for t in ids])
    other["settleBatch (per trade, 10)"] = b.ex(buyer).settle_batch(ids)[0].tx.gas_used // 10
    token = _deploy_token(b)
    tlid, _ = b.listing(seller, simple, currency=token, price=10**6)
    b.ex(buyer).approve(token, 10**12)
    other["order (ERC-20)"] = b.ex(buyer).order(tlid, approve=False).tx.gas_used
    return {"trade_steps": steps, "other_steps": other}


def _deploy_token(b: Bench) -> str:
    """A plain ERC-20 (the tests' MockERC20, compiled on demand) minted to the buyer."""
    from eth_abi.abi import encode as abi_encode

    from provenance._internal.abi import AbiCodec
    from provenance.compiler import compile_contracts

    art = compile_contracts(units=["tests/integration/exchange/contracts/MockERC20.sol"])["MockERC20"]
    sender = b.sender(b.admin)
    receipt = sender.transact(Call(None, art.bytecode + abi_encode(["string", "string"], ["Yuan Token", "CNYT"])))
    assert receipt.contract_address is not None
    sender.transact(Call(receipt.contract_address, AbiCodec(art.abi).encode("mint", b.s[2].address, 10**24)))
    return receipt.contract_address


# ---------------------------------------------------------------------------- throughput


def pipelined_trades(b: Bench, seller: Signer, buyer: Signer, listing: Listing, n: int, gas: dict[str, int]) -> int:
    """One batch of ``n`` trades with the client's pipelining; returns how many settled.

    (1) the buyer's orders, (2) the seller's deliveries, (3) the buyer's confirmations and (4) the
    settlements go out back to back, one HTTP request per phase, each signed locally with the next
    nonces, without waiting in between: the node executes them in arrival order (anvil runs with
    ``--order fifo``), so each phase finds the previous one mined. Trade ids are predicted from the
    exchange's counter and checked against the TradeOpened events; every receipt is checked.
    """
    sell, buy = b.ex(seller), b.ex(buyer)
    first = buy.counts()[2] + 1
    ids = list(range(first, first + n))
    hashes = buy.send([_with_gas(buy.build_order(listing), gas["order"]) for _ in ids], preflight=False)
    hashes += sell.send([_with_gas(sell.build_deliver(t, h(f"d{t}")), gas["deliver"]) for t in ids], preflight=False)
    hashes += buy.send([_with_gas(buy.build_confirm(t), gas["confirm"]) for t in ids], preflight=False)
    hashes += buy.send([_with_gas(buy.build_settle(t), gas["settle"]) for t in ids], preflight=False)
    outcomes = buy.collect(hashes)  # raises on any failed transaction
    assert [o.trade_id for out in outcomes[:n] for o in buy.opened(out)] == ids
    return sum(len(buy.settlements(out)) for out in outcomes[3 * n :])


def batched_trades(b: Bench, seller: Signer, buyer: Signer, signed: list[Any]) -> int:
    """One batch of trades with order-book matchBatch and settleBatch (50 per transaction); deliveries
    and confirmations stay one transaction per trade. ``signed`` holds pre-signed (ask, bid, None)
    matches; the buyer deposited beforehand. Returns how many settled."""
    op, sell, buy = b.ex(b.admin), b.ex(seller), b.ex(buyer)
    n = len(signed)
    first = op.counts()[2] + 1
    ids = list(range(first, first + n))
    hashes = op.send(
        [_with_gas(op.build_match_batch(signed[i : i + 50]), 50 * 200_000) for i in range(0, n, 50)], preflight=False
    )
    hashes += sell.send([_with_gas(sell.build_deliver(t, h(f"d{t}")), 120_000) for t in ids], preflight=False)
    hashes += buy.send([_with_gas(buy.build_confirm(t), 80_000) for t in ids], preflight=False)
    hashes += op.send(
        [_with_gas(op.build_settle_batch(ids[i : i + 50]), 50 * 300_000) for i in range(0, n, 50)], preflight=False
    )
    outcomes = op.collect(hashes)
    assert [o.trade_id for out in outcomes for o in op.opened(out)] == ids
    return sum(len(op.settlements(out)) for out in outcomes)


def _with_gas(call: Call, gas: int) -> Call:
    return Call(call.to, call.data, call.value, gas)


class NaiveLoop:
    """The baseline: web3.py's own way, one transaction at a time, four per trade."""

    def __init__(self, node_url: str, b: Bench, seller: Signer, buyer: Signer, listing_id: int) -> None:
        self.w3 = Web3(Web3.HTTPProvider(node_url))
        self.ex = self.w3.eth.contract(
            address=Web3.to_checksum_address(b.ex_address), abi=load_artifact("DataExchange").abi
        )
        self.sell = Account.from_key(bytes(seller._key.secret))
        self.buy = Account.from_key(bytes(buyer._key.secret))
        self.listing_id = listing_id
        self.done = 0

    def _send(self, acct: Any, fn: Any, value: int = 0) -> Any:
        w3 = self.w3
        tx = fn.build_transaction(
            {"from": acct.address, "value": value, "nonce": w3.eth.get_transaction_count(acct.address)}
        )
        signed = acct.sign_transaction(tx)
        receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction))
        assert receipt["status"] == 1
        return receipt

    def trades(self, n: int) -> None:
        f = self.ex.functions
        for _ in range(n):
            receipt = self._send(self.buy, f.order(self.listing_id), PRICE)
            trade_id = self.ex.events.TradeOpened().process_receipt(receipt)[0]["args"]["tradeId"]
            self._send(self.sell, f.deliver(trade_id, h(f"naive {trade_id}")))
            self._send(self.buy, f.confirm(trade_id))
            self._send(self.buy, f.settle(trade_id))
            self.done += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trades", type=int, default=2_000, help="trades per pipelined run")
    parser.add_argument("--naive-trades", type=int, default=150, help="trades in the naive web3.py loop")
    parser.add_argument("--batch", type=int, default=250, help="trades per pipelined batch")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DevKeyWarning)
    with LocalNode() as node:
        chain = Chain(node.url)
        gas = gas_table(Bench(chain, [dev_signer(i, chain.chain_id) for i in range(10)]))
    # --order fifo: the pool executes transactions in arrival order (the pipelining relies on it;
    # the naive loop, one transaction at a time, is indifferent to it). --prune-history: this anvil
    # (1.7) clones its whole state into a history entry per block and rebuilds the whole state trie
    # per block, so every block costs more as the state grows (foundry-rs/foundry#6124, fixed in
    # #15715); keeping no history removes the first part for both contestants alike.
    with LocalNode(extra_args=("--order", "fifo", "--prune-history")) as node:
        chain = Chain(node.url)
        b = Bench(chain, [dev_signer(i, chain.chain_id) for i in range(10)])
        s = b.s
        # pre-admitted listings: one per (seller, buyer) pair so runs do not share state
        fast_lid, _ = b.listing(s[1], b.asset(s[1], "fast"))
        naive_lid, _ = b.listing(s[3], b.asset(s[3], "naive"))
        batch_lid, _ = b.listing(s[5], b.asset(s[5], "batched"))
        listing = b.ex(s[1]).listing(fast_lid)
        # warm-up trade: node, code paths, and the gas limits to send without pre-flight (x1.5)
        warm: TradeOpened = b.ex(s[2]).order(fast_lid)
        steps = {
            "order": warm.tx.gas_used,
            "deliver": b.ex(s[1]).deliver(warm.trade_id, h("warm")).tx.gas_used,
            "confirm": b.ex(s[2]).confirm(warm.trade_id).gas_used,
            "settle": b.ex(s[2]).settle(warm.trade_id).tx.gas_used,
        }
        limits = {k: v * 3 // 2 + 20_000 for k, v in steps.items()}
        # Interleaved rounds, so every variant sees the same chain and state growth: a slice of naive
        # trades, a pipelined batch, a matchBatch/settleBatch batch, and so on; times summed per variant.
        naive_loop = NaiveLoop(node.url, b, s[3], s[4], naive_lid)
        b.ex(s[6]).deposit(NATIVE, args.trades * PRICE)
        deadline = int(chain.get_block()["timestamp"], 16) + 10**7
        matches = [
            (
                *b.ex(s[0]).sign_match(s[5], s[6], batch_lid, price=PRICE, deadline=deadline, ask_nonce=i, bid_nonce=i),
                None,
            )
            for i in range(args.trades)
        ]
        rounds = max(1, -(-args.trades // args.batch))
        naive_time = fast_time = batched_time = 0.0
        fast_done = batched_done = 0
        for r in range(rounds):
            share = args.naive_trades * (r + 1) // rounds - args.naive_trades * r // rounds
            n = min(args.batch, args.trades - fast_done)
            t0 = time.perf_counter()
            naive_loop.trades(share)
            t1 = time.perf_counter()
            fast_done += pipelined_trades(b, s[1], s[2], listing, n, limits)
            t2 = time.perf_counter()
            batched_done += batched_trades(b, s[5], s[6], matches[batched_done : batched_done + n])
            t3 = time.perf_counter()
            naive_time += t1 - t0
            fast_time += t2 - t1
            batched_time += t3 - t2
        naive = naive_loop.done / naive_time
        fast = fast_done / fast_time
        batched = batched_done / batched_time
        ex = b.ex(s[0])
        conserved = ex.holdings(NATIVE) == ex.total_escrowed(NATIVE) + ex.total_withdrawable(NATIVE)
    out = {
        "gas": gas,
        "throughput_trades_per_s": {
            "trade": "order + deliver + confirm + settle (4 transactions) against a pre-admitted listing",
            "provenance_pipelined": round(fast, 1),
            "baseline_naive_web3py_loop": round(naive, 1),
            "ratio": round(fast / naive, 2),
            "target_ratio": 7.0,
            "provenance_matchBatch_settleBatch": round(batched, 1),
            "ratio_batched": round(batched / naive, 2),
            "transactions_per_s_pipelined": round(4 * fast, 1),
            "transactions_per_s_naive": round(4 * naive, 1),
        },
        "trades": args.trades,
        "naive_trades": args.naive_trades,
        "funds_conserved_after_run": conserved,
    }
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
