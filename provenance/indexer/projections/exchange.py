"""DataExchange's state, rebuilt from its events alone.

Mirrors ``contracts/DataExchange.sol`` (the test ``test_exchange_state.py`` compares every
table with the contract's own views ``getListing``, ``getTrade``, ``getOffer``, ``counts``,
``withdrawableOf``, ``totalEscrowed``, ``totalWithdrawable``, ``isNonceUsed``, ``fee`` and
``confirmationWindow``):

* ``listings``: the listed terms, seller, status and the reason code of the last rejection or
  suspension (admission clears it, as the contract does);
* ``trades``: the view's fields plus what only the events tell: currency, agreed price,
  origin (and the offer id), claimant and evidence of a dispute, the arbitrator's ruling, the
  refund, fee and settlement block; ``trade_payouts`` holds every credit of a settlement;
* ``offers``; ``exchange_balances`` (withdrawable per account and currency: payouts, refunds,
  cancelled offers and deposits in, order-book matches and withdrawals out);
  ``exchange_totals`` (escrowed and withdrawable per currency); ``used_nonces``;
  ``exchange_params`` (fee, fee recipient, confirmation window).

Ids and amounts that are ``uint256`` on chain are stored as 32-byte big-endian values (they
exceed 64-bit integers); addresses as 20 bytes, hashes as 32. A trade's ``seller`` is the
listing's seller, as ``getTrade`` reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from provenance.indexer.decode import Event
from provenance.indexer.projections.registry import u256
from provenance.indexer.state import StateWriter
from provenance.indexer.store.spec import TableSpec
from provenance.indexer.store.tables import EXCHANGE_TABLES

__all__ = [
    "LISTING_ADMITTED",
    "LISTING_DELISTED",
    "LISTING_PENDING",
    "LISTING_REJECTED",
    "LISTING_SUSPENDED",
    "ORIGIN_OFFER",
    "ORIGIN_ORDER_BOOK",
    "TRADE_CANCELLED",
    "TRADE_CONFIRMED",
    "TRADE_DELIVERED",
    "TRADE_DISPUTED",
    "TRADE_ESCROWED",
    "TRADE_REFUNDED",
    "TRADE_SETTLED",
    "U256_COLUMNS",
    "ExchangeProjection",
]

# Enum values of IDataExchange.
LISTING_PENDING, LISTING_ADMITTED, LISTING_REJECTED, LISTING_SUSPENDED, LISTING_DELISTED = 1, 2, 3, 4, 5
(TRADE_ESCROWED, TRADE_DELIVERED, TRADE_CONFIRMED, TRADE_DISPUTED, TRADE_SETTLED, TRADE_CANCELLED, TRADE_REFUNDED) = (
    1,
    2,
    3,
    4,
    5,
    6,
    7,
)
OFFER_OPEN, OFFER_ACCEPTED, OFFER_CANCELLED = 1, 2, 3
ORIGIN_FIXED_PRICE, ORIGIN_OFFER, ORIGIN_ORDER_BOOK = 0, 1, 2

ZERO32 = bytes(32)
ZERO20 = bytes(20)

# Columns holding uint256 values as 32-byte big-endian (query helpers return them as int).
U256_COLUMNS = frozenset(
    {
        "listing_id",
        "trade_id",
        "offer_id",
        "price",
        "amount",
        "licence_id",
        "ref_id",
        "refunded",
        "fee",
        "paid",
        "escrowed",
        "withdrawable",
        "nonce",
        "balance",
    }
)


def _i(raw: bytes) -> int:
    return int.from_bytes(raw, "big")


def _b(hex_value: str) -> bytes:
    return bytes.fromhex(hex_value[2:])


Handler = Callable[[Event, dict[str, Any], StateWriter, int], None]


class ExchangeProjection:
    """Applies DataExchange events to the exchange's state tables."""

    contract: ClassVar[str] = "DataExchange"
    tables: ClassVar[tuple[TableSpec, ...]] = EXCHANGE_TABLES

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {
            "Listed": self._listed,
            "ListingAdmitted": self._listing_status(LISTING_ADMITTED),
            "ListingRejected": self._listing_status(LISTING_REJECTED),
            "ListingSuspended": self._listing_status(LISTING_SUSPENDED),
            "ListingDelisted": self._listing_status(LISTING_DELISTED),
            "TradeOpened": self._opened,
            "OfferMade": self._offer_made,
            "OfferCancelled": self._offer_cancelled,
            "OfferAccepted": self._offer_accepted,
            "OrdersMatched": self._matched,
            "NonceInvalidated": self._nonce_invalidated,
            "TradeDelivered": self._delivered,
            "TradeConfirmed": self._confirmed,
            "TradeCancelled": self._cancelled,
            "TradeRefunded": self._refunded,
            "TradeDisputed": self._disputed,
            "TradeResolved": self._resolved,
            "PayoutCredited": self._payout,
            "TradeSettled": self._settled,
            "Deposited": self._deposited,
            "Withdrawn": self._withdrawn,
            "FeeSet": self._fee_set,
            "ConfirmationWindowSet": self._window_set,
        }

    def apply(self, event: Event, state: StateWriter) -> None:
        handler = self._handlers.get(event.name)
        if handler is not None and event.args is not None:
            handler(event, event.args, state, event.block_number)

    # -- listings ----------------------------------------------------------------------

    def _listed(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        (asset, contract_hash, price, currency, purpose, duration, bps, derivatives) = a["terms"]
        s.put(
            "listings",
            (u256(a["listingId"]),),
            {
                "asset_id": _b(asset),
                "seller": _b(a["seller"]),
                "status": LISTING_PENDING,
                "reason_code": 0,
                "contract_hash": _b(contract_hash),
                "price": u256(price),
                "currency": _b(currency),
                "purpose_hash": _b(purpose),
                "licence_duration": duration,
                "revenue_share_bps": bps,
                "derivatives_allowed": bool(derivatives),
                "listed_block": ev.block_number,
            },
            block,
        )

    @staticmethod
    def _listing_status(status: int) -> Handler:
        def handler(ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
            key = (u256(a["listingId"]),)
            if s.get("listings", key) is None:
                return
            if status in (LISTING_REJECTED, LISTING_SUSPENDED):
                s.update("listings", key, block, status=status, reason_code=a["reasonCode"])
            elif status == LISTING_ADMITTED:
                s.update("listings", key, block, status=status, reason_code=0)
            else:
                s.update("listings", key, block, status=status)

        return handler

    # -- trades ------------------------------------------------------------------------

    def _opened(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        listing_id = u256(a["listingId"])
        listing = s.get("listings", (listing_id,))
        currency, amount, origin = _b(a["currency"]), int(a["amount"]), int(a["origin"])
        s.put(
            "trades",
            (u256(a["tradeId"]),),
            {
                "listing_id": listing_id,
                "asset_id": listing["asset_id"] if listing is not None else None,
                "buyer": _b(a["buyer"]),
                "seller": _b(a["seller"]),
                "status": TRADE_ESCROWED,
                "currency": currency,
                "price": u256(a["price"]),
                "amount": u256(amount),
                "origin": origin,
                "ref_id": u256(a["refId"]),
                "opened_at": ev.block_time if ev.block_time is not None else 0,
                "settleable_at": 0,
                "delivery_hash": ZERO32,
                "claimant": None,
                "evidence_hash": None,
                "ruling": 0,
                "ruling_hash": None,
                "arbitrator": None,
                "cancelled_by": None,
                "refunded": u256(0),
                "fee": u256(0),
                "licence_id": u256(0),
                "settled_block": None,
            },
            block,
        )
        if origin == ORIGIN_OFFER:
            return  # the offer's escrow becomes the trade's
        if origin == ORIGIN_ORDER_BOOK:  # paid from the buyer's deposited balance
            _add_balance(s, _b(a["buyer"]), currency, -amount, block)
            _add_totals(s, currency, amount, -amount, block)
        else:
            _add_totals(s, currency, amount, 0, block)

    def _delivered(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        self._trade_update(
            s, a, block, status=TRADE_DELIVERED, delivery_hash=_b(a["deliveryHash"]), settleable_at=a["settleableAt"]
        )

    def _confirmed(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        self._trade_update(s, a, block, status=TRADE_CONFIRMED)

    def _cancelled(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        self._trade_update(s, a, block, status=TRADE_CANCELLED, cancelled_by=_b(a["by"]))

    def _refunded(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        key = (u256(a["tradeId"]),)
        trade = s.get("trades", key)
        amount, currency = int(a["amount"]), _b(a["currency"])
        if trade is not None:
            status = trade["status"] if trade["status"] == TRADE_CANCELLED else TRADE_REFUNDED
            s.update("trades", key, block, status=status, refunded=u256(_i(trade["refunded"]) + amount))
        _add_balance(s, _b(a["buyer"]), currency, amount, block)
        _add_totals(s, currency, -amount, amount, block)

    def _disputed(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        self._trade_update(
            s, a, block, status=TRADE_DISPUTED, claimant=_b(a["claimant"]), evidence_hash=_b(a["evidenceHash"])
        )

    def _resolved(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        self._trade_update(
            s, a, block, ruling=a["ruling"], ruling_hash=_b(a["rulingHash"]), arbitrator=_b(a["arbitrator"])
        )

    def _payout(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        payee, currency, amount = _b(a["payee"]), _b(a["currency"]), int(a["amount"])
        key = (u256(a["tradeId"]), payee, _b(a["sourceAsset"]))
        prior = s.get("trade_payouts", key)
        total = amount + (_i(prior["amount"]) if prior is not None else 0)
        s.put("trade_payouts", key, {"currency": currency, "amount": u256(total)}, block)
        _add_balance(s, payee, currency, amount, block)

    def _settled(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        amount, currency = int(a["amount"]), _b(a["currency"])
        self._trade_update(
            s,
            a,
            block,
            status=TRADE_SETTLED,
            fee=u256(a["fee"]),
            licence_id=u256(a["licenceId"]),
            settled_block=ev.block_number,
        )
        _add_totals(s, currency, -amount, amount, block)

    @staticmethod
    def _trade_update(s: StateWriter, a: dict[str, Any], block: int, **changes: Any) -> None:
        key = (u256(a["tradeId"]),)
        if s.get("trades", key) is not None:
            s.update("trades", key, block, **changes)

    # -- offers and order-book matching ------------------------------------------------

    def _offer_made(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        currency, amount = _b(a["currency"]), int(a["amount"])
        s.put(
            "offers",
            (u256(a["offerId"]),),
            {
                "listing_id": u256(a["listingId"]),
                "buyer": _b(a["buyer"]),
                "status": OFFER_OPEN,
                "currency": currency,
                "price": u256(a["price"]),
                "amount": u256(amount),
                "trade_id": None,
                "cancelled_by": None,
            },
            block,
        )
        _add_totals(s, currency, amount, 0, block)

    def _offer_cancelled(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        key = (u256(a["offerId"]),)
        offer = s.get("offers", key)
        if offer is None:
            return
        s.update("offers", key, block, status=OFFER_CANCELLED, cancelled_by=_b(a["by"]))
        amount = int(a["amount"])
        _add_balance(s, _b(a["buyer"]), offer["currency"], amount, block)
        _add_totals(s, offer["currency"], -amount, amount, block)

    def _offer_accepted(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        key = (u256(a["offerId"]),)
        if s.get("offers", key) is not None:
            s.update("offers", key, block, status=OFFER_ACCEPTED, trade_id=u256(a["tradeId"]))

    def _matched(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.put("used_nonces", (_b(a["seller"]), u256(a["askNonce"])), {"how": "matched"}, block)
        s.put("used_nonces", (_b(a["buyer"]), u256(a["bidNonce"])), {"how": "matched"}, block)

    def _nonce_invalidated(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.put("used_nonces", (_b(a["trader"]), u256(a["nonce"])), {"how": "invalidated"}, block)

    # -- balances and parameters -------------------------------------------------------

    def _deposited(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        currency, amount = _b(a["currency"]), int(a["amount"])
        _add_balance(s, _b(a["account"]), currency, amount, block)
        _add_totals(s, currency, 0, amount, block)

    def _withdrawn(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        currency, amount = _b(a["currency"]), int(a["amount"])
        _add_balance(s, _b(a["account"]), currency, -amount, block)
        _add_totals(s, currency, 0, -amount, block)

    def _fee_set(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.put("exchange_params", ("fee",), {"value": a["feeBps"], "address": _b(a["feeRecipient"])}, block)

    def _window_set(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.put("exchange_params", ("confirmationWindow",), {"value": a["window"], "address": None}, block)


def _add_balance(s: StateWriter, account: bytes, currency: bytes, delta: int, block: int) -> None:
    key = (account, currency)
    row = s.get("exchange_balances", key)
    balance = (_i(row["balance"]) if row is not None else 0) + delta
    if balance == 0:
        s.delete("exchange_balances", key, block)
    else:
        s.put("exchange_balances", key, {"balance": u256(balance)}, block)


def _add_totals(s: StateWriter, currency: bytes, escrowed: int, withdrawable: int, block: int) -> None:
    row = s.get("exchange_totals", (currency,))
    e = (_i(row["escrowed"]) if row is not None else 0) + escrowed
    w = (_i(row["withdrawable"]) if row is not None else 0) + withdrawable
    s.put("exchange_totals", (currency,), {"escrowed": u256(e), "withdrawable": u256(w)}, block)
