"""``provenance exchange ...``: every step of a data trade from the command line.

Amounts are integers in the currency's smallest unit, or decimals with a unit (``1.5ether``,
``20gwei``). ``--currency`` is ``native`` (the chain's coin) or an ERC-20 token address. Hash
options take ``0x`` + 64 hex digits, or a text that is hashed with SHA-256.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from provenance._cli._context import Context, pass_ctx
from provenance._cli._params import ADDRESS, AMOUNT, ASSET, CURRENCY, HashOrTextType
from provenance.errors import InputError

if TYPE_CHECKING:
    from provenance.exchange import Exchange, TradeOpened

__all__ = ["exchange"]


def _client(c: Context, write: bool = True) -> Exchange:
    return c.exchange(write)


def _echo_opened(opened: TradeOpened) -> None:
    click.echo(
        f"trade #{opened.trade_id} opened: listing #{opened.listing_id}, price {opened.price}, "
        f"escrowed {opened.amount}; tx {opened.tx.tx_hash} (gas {opened.tx.gas_used})"
    )


@click.group()
def exchange() -> None:
    """Data exchange: list, admit, match, deliver, settle, dispute."""


# ---------------------------------------------------------------------------- listing and admission


@exchange.command("list")
@click.argument("asset", type=ASSET)
@click.option("--price", type=AMOUNT, required=True, help="Price: integer in the smallest unit, or e.g. 1.5ether.")
@click.option(
    "--currency", type=CURRENCY, default="native", show_default=True, help="native, or an ERC-20 token address."
)
@click.option(
    "--contract",
    "contract_text",
    type=HashOrTextType("contract"),
    required=True,
    help="Standard contract text: 0x hash or text hashed.",
)
@click.option(
    "--purpose",
    type=HashOrTextType("purpose"),
    required=True,
    help="Licensed purpose/scope the buyer gets: 0x hash or text hashed.",
)
@click.option("--days", type=click.IntRange(1, 36_500), default=365, show_default=True, help="Licence term.")
@click.option(
    "--share-bps",
    type=click.IntRange(0, 10_000),
    default=0,
    show_default=True,
    help="Revenue share owed on the buyer's derivatives, basis points.",
)
@click.option("--derivatives/--no-derivatives", default=False, show_default=True)
@pass_ctx
def list_(
    c: Context,
    asset: bytes,
    price: int,
    currency: str,
    contract_text: bytes,
    purpose: bytes,
    days: int,
    share_bps: int,
    derivatives: bool,
) -> None:
    """List ASSET for sale (product operation right holder); it waits for admission."""
    from provenance.exchange import ListingTerms

    terms = ListingTerms(asset, contract_text, price, currency, purpose, days * 86_400, share_bps, derivatives)
    filed = _client(c).list_asset(terms)
    click.echo(f"listing #{filed.listing_id} pending admission; tx {filed.tx.tx_hash} (gas {filed.tx.gas_used})")


@exchange.command()
@click.argument("listing_id", type=click.IntRange(1))
@pass_ctx
def admit(c: Context, listing_id: int) -> None:
    """Admit LISTING_ID (operator)."""
    click.echo(f"admitted; tx {_client(c).admit(listing_id).tx_hash}")


@exchange.command()
@click.argument("listing_id", type=click.IntRange(1))
@click.argument("reason_code", type=click.IntRange(1, 65_535))
@pass_ctx
def reject(c: Context, listing_id: int, reason_code: int) -> None:
    """Reject LISTING_ID with REASON_CODE (operator)."""
    click.echo(f"rejected; tx {_client(c).reject(listing_id, reason_code).tx_hash}")


@exchange.command()
@click.argument("listing_id", type=click.IntRange(1))
@click.argument("reason_code", type=click.IntRange(1, 65_535))
@pass_ctx
def suspend(c: Context, listing_id: int, reason_code: int) -> None:
    """Suspend LISTING_ID with REASON_CODE (operator)."""
    click.echo(f"suspended; tx {_client(c).suspend(listing_id, reason_code).tx_hash}")


@exchange.command()
@click.argument("listing_id", type=click.IntRange(1))
@pass_ctx
def delist(c: Context, listing_id: int) -> None:
    """Withdraw LISTING_ID (seller)."""
    click.echo(f"delisted; tx {_client(c).delist(listing_id).tx_hash}")


# ---------------------------------------------------------------------------- matching


@exchange.command()
@click.argument("listing_id", type=click.IntRange(1))
@pass_ctx
def order(c: Context, listing_id: int) -> None:
    """Buy LISTING_ID at its price (ERC-20: approves the exchange first if needed)."""
    _echo_opened(_client(c).order(listing_id))


@exchange.command()
@click.argument("listing_id", type=click.IntRange(1))
@click.argument("price", type=AMOUNT)
@pass_ctx
def offer(c: Context, listing_id: int, price: int) -> None:
    """Offer PRICE for LISTING_ID; the amount is escrowed."""
    made = _client(c).make_offer(listing_id, price)
    click.echo(f"offer #{made.offer_id}: price {made.price}, escrowed {made.amount}; tx {made.tx.tx_hash}")


@exchange.command()
@click.argument("offer_id", type=click.IntRange(1))
@pass_ctx
def accept(c: Context, offer_id: int) -> None:
    """Accept OFFER_ID (seller)."""
    _echo_opened(_client(c).accept(offer_id))


@exchange.command("cancel-offer")
@click.argument("offer_id", type=click.IntRange(1))
@pass_ctx
def cancel_offer(c: Context, offer_id: int) -> None:
    """Withdraw (buyer) or decline (seller) OFFER_ID; the buyer's escrow is credited back."""
    click.echo(f"offer cancelled; tx {_client(c).cancel_offer(offer_id).tx_hash}")


@exchange.command("sign-order")
@click.argument("listing_id", type=click.IntRange(1))
@click.option("--bid/--ask", "bid", required=True, help="A buyer's bid or the seller's ask.")
@click.option("--price", type=AMOUNT, required=True, help="Limit price.")
@click.option("--nonce", type=click.IntRange(0), default=None, help="Order nonce (default: current time in ns).")
@click.option("--valid-for", type=click.IntRange(1), default=3600, show_default=True, help="Seconds from now.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@pass_ctx
def sign_order(
    c: Context, listing_id: int, bid: bool, price: int, nonce: int | None, valid_for: int, output: Path
) -> None:
    """Sign an order-book order with EIP-712 and write it as JSON (for `exchange match`)."""
    ex = _client(c, write=False)
    deadline = int(c.chain().get_block()["timestamp"], 16) + valid_for
    signed = ex.sign_order(
        c.signer(),
        listing_id,
        bid=bid,
        price=price,
        nonce=time.time_ns() if nonce is None else nonce,
        deadline=deadline,
    )
    output.write_text(json.dumps(signed.to_json(), indent=2) + "\n", encoding="utf-8")
    click.echo(f"{'bid' if bid else 'ask'} by {signed.order.trader} nonce {signed.order.nonce} -> {output}")


@exchange.command("match")
@click.argument("ask_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("bid_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--price", type=AMOUNT, default=None, help="Execution price (default: the ask's).")
@pass_ctx
def match_(c: Context, ask_file: Path, bid_file: Path, price: int | None) -> None:
    """Submit a signed ASK and BID as a match (operator); the buyer's deposit pays."""
    from provenance.exchange import SignedOrder

    orders = []
    for path in (ask_file, bid_file):
        try:
            orders.append(SignedOrder.from_json(json.loads(path.read_text(encoding="utf-8"))))
        except UnicodeDecodeError:
            raise InputError(f"{path} is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} is not JSON: {exc.msg}") from None
    _echo_opened(_client(c).match(orders[0], orders[1], price))


@exchange.command()
@click.argument("amount", type=AMOUNT)
@click.option("--currency", type=CURRENCY, default="native", show_default=True)
@pass_ctx
def deposit(c: Context, amount: int, currency: str) -> None:
    """Deposit AMOUNT to the sender's exchange balance (pays order-book matches)."""
    done = _client(c).deposit(currency, amount)
    click.echo(f"deposited {done.amount}; tx {done.tx.tx_hash}")


# ---------------------------------------------------------------------------- delivery and settlement


@exchange.command()
@click.argument("trade_id", type=click.IntRange(1))
@click.option(
    "--delivery", type=HashOrTextType("delivery"), required=True, help="What was delivered: 0x hash, or text hashed."
)
@pass_ctx
def deliver(c: Context, trade_id: int, delivery: bytes) -> None:
    """Record delivery of TRADE_ID (seller)."""
    done = _client(c).deliver(trade_id, delivery)
    click.echo(f"delivered; settleable at {done.settleable_at} unless confirmed earlier; tx {done.tx.tx_hash}")


@exchange.command()
@click.argument("trade_id", type=click.IntRange(1))
@pass_ctx
def confirm(c: Context, trade_id: int) -> None:
    """Confirm delivery of TRADE_ID (buyer)."""
    click.echo(f"confirmed; tx {_client(c).confirm(trade_id).tx_hash}")


@exchange.command()
@click.argument("trade_ids", type=click.IntRange(1), nargs=-1, required=True)
@pass_ctx
def settle(c: Context, trade_ids: tuple[int, ...]) -> None:
    """Settle TRADE_IDS (confirmed, or lapsed): split the escrow, grant the licences."""
    ex = _client(c)
    done = [ex.settle(trade_ids[0])] if len(trade_ids) == 1 else ex.settle_batch(list(trade_ids))
    for s in done:
        click.echo(
            f"trade #{s.trade_id} settled: {s.amount} split (fee {s.fee}), licence #{s.licence_id}; "
            f"tx {s.tx.tx_hash} (gas {s.tx.gas_used})"
        )
        for p in s.payouts:
            source = "fee" if p.source_asset == b"\x00" * 32 else "0x" + p.source_asset.hex()[:12] + "..."
            click.echo(f"  {p.payee}  {p.amount:>24}  ({source})")


@exchange.command()
@click.option("--currency", type=CURRENCY, default="native", show_default=True)
@pass_ctx
def withdraw(c: Context, currency: str) -> None:
    """Withdraw the sender's whole balance of a currency."""
    done = _client(c).withdraw(currency)
    click.echo(f"withdrew {done.amount} to {done.account}; tx {done.tx.tx_hash}")


@exchange.command()
@click.argument("trade_id", type=click.IntRange(1))
@pass_ctx
def cancel(c: Context, trade_id: int) -> None:
    """Cancel TRADE_ID before delivery (buyer or seller); the buyer is refunded."""
    refund = _client(c).cancel(trade_id)
    click.echo(f"cancelled; {refund.amount} credited to {refund.buyer}; tx {refund.tx.tx_hash}")


@exchange.command()
@click.argument("trade_id", type=click.IntRange(1))
@click.option("--evidence", type=HashOrTextType("evidence"), required=True, help="Evidence: 0x hash or text hashed.")
@pass_ctx
def dispute(c: Context, trade_id: int, evidence: bytes) -> None:
    """File a dispute over TRADE_ID (buyer or seller); the trade freezes."""
    click.echo(f"disputed; trade frozen; tx {_client(c).dispute_trade(trade_id, evidence).tx_hash}")


@exchange.command()
@click.argument("trade_id", type=click.IntRange(1))
@click.argument("ruling", type=click.Choice(["refund", "settle"]))
@click.option(
    "--ruling-doc", type=HashOrTextType("ruling"), required=True, help="Ruling document: 0x hash or text hashed."
)
@pass_ctx
def resolve(c: Context, trade_id: int, ruling: str, ruling_doc: bytes) -> None:
    """Rule on disputed TRADE_ID (arbitrator)."""
    done = _client(c).resolve(trade_id, ruling, ruling_doc)
    click.echo(f"resolved: {ruling}; tx {done.tx.tx_hash}")


# ---------------------------------------------------------------------------- reads


@exchange.command()
@click.argument("kind", type=click.Choice(["listing", "trade", "offer"]))
@click.argument("item_id", type=click.IntRange(1))
@pass_ctx
def show(c: Context, kind: str, item_id: int) -> None:
    """Show a listing, trade or offer."""
    from provenance.exchange import NATIVE

    ex = _client(c, write=False)
    if kind == "listing":
        li = ex.listing(item_id)
        t = li.terms
        click.echo(
            f"listing #{item_id}: {li.status.name.lower()}"
            f"{f' (reason {li.reason_code})' if li.reason_code else ''}, seller {li.seller}"
        )
        click.echo(f"  asset 0x{t.asset_id.hex()}  price {t.price} {'native' if t.currency == NATIVE else t.currency}")
        click.echo(f"  contract 0x{t.contract_hash.hex()}  purpose 0x{t.purpose_hash.hex()}")
        click.echo(
            f"  licence {t.licence_duration // 86_400} days, revenue share {t.revenue_share_bps} bps, "
            f"derivatives {'allowed' if t.derivatives_allowed else 'not allowed'}"
        )
    elif kind == "trade":
        tr = ex.trade(item_id)
        click.echo(f"trade #{item_id}: {tr.status.name.lower()}, listing #{tr.listing_id}, escrow {tr.amount}")
        click.echo(f"  buyer {tr.buyer}  seller {tr.seller}  opened at {tr.opened_at}")
        if tr.settleable_at:
            click.echo(f"  delivered 0x{tr.delivery_hash.hex()}, settleable at {tr.settleable_at}")
        if tr.licence_id:
            click.echo(f"  licence #{tr.licence_id}")
    else:
        of = ex.offer(item_id)
        click.echo(
            f"offer #{item_id}: {of.status.name.lower()}, listing #{of.listing_id}, buyer {of.buyer}, "
            f"price {of.price}, escrowed {of.amount}"
        )


@exchange.command()
@click.argument("account", type=ADDRESS, required=False)
@click.option("--currency", type=CURRENCY, default="native", show_default=True)
@pass_ctx
def balance(c: Context, account: str | None, currency: str) -> None:
    """Withdrawable balance of ACCOUNT (default: the sender) and the exchange's totals."""
    ex = _client(c, write=False)
    cur = currency
    who = account or c.signer().address
    click.echo(f"{who}: {ex.withdrawable(who, cur)} withdrawable")
    click.echo(
        f"exchange: {ex.total_escrowed(cur)} escrowed, {ex.total_withdrawable(cur)} withdrawable, "
        f"holds {ex.holdings(cur)}"
    )
