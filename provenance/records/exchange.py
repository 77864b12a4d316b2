"""Records of the data exchange: enums mirroring ``IDataExchange``, listing terms, orders, results.

Values are validated on construction: a :class:`ListingTerms` or :class:`Order` that exists
is one the contract can take (the contract still checks state). The client is
:class:`provenance.exchange.Exchange`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from provenance._internal.client import TxOutcome
from provenance._internal.hexbytes import parse_address
from provenance._internal.ints import is_int, parse_amount, parse_positive, parse_uint
from provenance.errors import InputError
from provenance.records.registry import ZERO32, to_bytes32

__all__ = [
    "EXCHANGE_ROLES",
    "NATIVE",
    "Delivered",
    "Deposit",
    "Listing",
    "ListingFiled",
    "ListingStatus",
    "ListingTerms",
    "Offer",
    "OfferMade",
    "OfferStatus",
    "Order",
    "Payout",
    "Refund",
    "Resolution",
    "Settlement",
    "SignedOrder",
    "Trade",
    "TradeOpened",
    "TradeOrigin",
    "TradeRuling",
    "TradeStatus",
    "Withdrawal",
    "exchange_role_id",
    "order_digest",
]

NATIVE = "0x0000000000000000000000000000000000000000"
"""The currency address of the chain's native coin."""
EXCHANGE_ROLES = ("DEFAULT_ADMIN_ROLE", "OPERATOR_ROLE", "ARBITRATOR_ROLE")
MAX_LICENCE_DURATION = 100 * 365 * 86400
ORDER_TYPE = b"Order(uint256 listingId,address trader,bool bid,uint256 price,uint256 nonce,uint256 deadline)"
DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"


class ListingStatus(IntEnum):
    NONE = 0
    PENDING = 1
    ADMITTED = 2
    REJECTED = 3
    SUSPENDED = 4
    DELISTED = 5


class TradeStatus(IntEnum):
    NONE = 0
    ESCROWED = 1
    DELIVERED = 2
    CONFIRMED = 3
    DISPUTED = 4
    SETTLED = 5
    CANCELLED = 6
    REFUNDED = 7


class TradeOrigin(IntEnum):
    FIXED_PRICE = 0
    OFFER = 1
    ORDER_BOOK = 2


class OfferStatus(IntEnum):
    NONE = 0
    OPEN = 1
    ACCEPTED = 2
    CANCELLED = 3


class TradeRuling(IntEnum):
    NONE = 0
    REFUND = 1
    SETTLE = 2


def exchange_role_id(name: str) -> bytes:
    """The bytes32 id of an exchange role (``DEFAULT_ADMIN_ROLE`` is zero)."""
    if name not in EXCHANGE_ROLES:
        raise InputError(f"unknown exchange role {name!r}; roles are {', '.join(EXCHANGE_ROLES)}")
    return ZERO32 if name == "DEFAULT_ADMIN_ROLE" else keccak(name.encode())


# ---------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class ListingTerms:
    """What a seller lists (see ``IDataExchange.ListingTerms``); validated on construction."""

    asset_id: bytes
    contract_hash: bytes
    price: int
    currency: str = NATIVE
    purpose_hash: bytes = ZERO32
    licence_duration: int = 365 * 86400
    revenue_share_bps: int = 0
    derivatives_allowed: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "asset_id", to_bytes32(self.asset_id, "asset id"))
        object.__setattr__(self, "contract_hash", to_bytes32(self.contract_hash, "contract hash"))
        object.__setattr__(self, "purpose_hash", to_bytes32(self.purpose_hash, "purpose hash"))
        object.__setattr__(self, "currency", parse_address(self.currency, what="currency"))
        if self.contract_hash == ZERO32:
            raise InputError("contract hash (standard contract text) must not be zero")
        parse_amount(self.price, "price")
        if not is_int(self.licence_duration) or not 0 < self.licence_duration <= MAX_LICENCE_DURATION:
            raise InputError(
                f"licence duration must be 1..{MAX_LICENCE_DURATION} seconds, got {self.licence_duration!r}"
            )
        if not is_int(self.revenue_share_bps) or not 0 <= self.revenue_share_bps <= 10_000:
            raise InputError(f"revenue share is in basis points, 0..10000, got {self.revenue_share_bps!r}")
        if not isinstance(self.derivatives_allowed, bool):
            raise InputError("derivatives_allowed must be a bool")

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.asset_id,
            self.contract_hash,
            self.price,
            self.currency,
            self.purpose_hash,
            self.licence_duration,
            self.revenue_share_bps,
            self.derivatives_allowed,
        )

    @classmethod
    def from_abi(cls, t: Sequence[Any]) -> ListingTerms:
        return cls(bytes(t[0]), bytes(t[1]), int(t[2]), str(t[3]), bytes(t[4]), int(t[5]), int(t[6]), bool(t[7]))


@dataclass(frozen=True, slots=True)
class Listing:
    listing_id: int
    terms: ListingTerms
    seller: str
    status: ListingStatus
    reason_code: int


@dataclass(frozen=True, slots=True)
class Trade:
    trade_id: int
    listing_id: int
    buyer: str
    seller: str
    status: TradeStatus
    amount: int
    opened_at: int
    settleable_at: int
    delivery_hash: bytes
    licence_id: int


@dataclass(frozen=True, slots=True)
class Offer:
    offer_id: int
    listing_id: int
    buyer: str
    status: OfferStatus
    price: int
    amount: int


@dataclass(frozen=True, slots=True)
class Order:
    """One side of an order-book match: the seller's ask (``bid=False``) or a buyer's bid."""

    listing_id: int
    trader: str
    bid: bool
    price: int
    nonce: int
    deadline: int

    def __post_init__(self) -> None:
        parse_positive(self.listing_id, "listing id")
        object.__setattr__(self, "trader", parse_address(self.trader, what="trader"))
        if not isinstance(self.bid, bool):
            raise InputError("bid must be a bool")
        parse_amount(self.price, "order price")
        parse_uint(self.nonce, 256, "nonce")
        parse_uint(self.deadline, 256, "deadline")

    def as_abi(self) -> tuple[Any, ...]:
        return (self.listing_id, self.trader, self.bid, self.price, self.nonce, self.deadline)


@dataclass(frozen=True, slots=True)
class SignedOrder:
    """An order and its trader's 65-byte EIP-712 signature."""

    order: Order
    signature: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.signature, bytes) or len(self.signature) != 65:
            raise InputError("an order signature must be 65 bytes")

    def to_json(self) -> dict[str, Any]:
        o = self.order
        return {
            "listingId": o.listing_id,
            "trader": o.trader,
            "bid": o.bid,
            "price": str(o.price),
            "nonce": str(o.nonce),
            "deadline": o.deadline,
            "signature": "0x" + self.signature.hex(),
        }

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> SignedOrder:
        try:
            order = Order(
                int(doc["listingId"]),
                str(doc["trader"]),
                doc["bid"],
                int(doc["price"]),
                int(doc["nonce"]),
                int(doc["deadline"]),
            )
            sig = str(doc["signature"])
            signature = bytes.fromhex(sig.removeprefix("0x"))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"signed order is malformed: {exc}") from None
        return cls(order, signature)


def order_digest(order: Order, chain_id: int, exchange: str) -> bytes:
    """The EIP-712 digest of ``order`` for the exchange at ``exchange`` on ``chain_id``."""
    domain = keccak(
        abi_encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(DOMAIN_TYPE),
                keccak(b"DataExchange"),
                keccak(b"1"),
                chain_id,
                parse_address(exchange, what="exchange"),
            ],
        )
    )
    struct = keccak(
        abi_encode(
            ["bytes32", "uint256", "address", "bool", "uint256", "uint256", "uint256"],
            [keccak(ORDER_TYPE), *order.as_abi()],
        )
    )
    return keccak(b"\x19\x01" + domain + struct)


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ListingFiled:
    listing_id: int
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class TradeOpened:
    """A trade whose payment is escrowed; ``amount`` is what the exchange received."""

    trade_id: int
    listing_id: int
    buyer: str
    seller: str
    currency: str
    price: int
    amount: int
    origin: TradeOrigin
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class OfferMade:
    offer_id: int
    listing_id: int
    price: int
    amount: int
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Delivered:
    trade_id: int
    delivery_hash: bytes
    settleable_at: int
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Payout:
    """One credit of a settlement: ``source_asset`` is the asset ``payee`` holds (zero: the fee)."""

    payee: str
    source_asset: bytes
    currency: str
    amount: int


@dataclass(frozen=True, slots=True)
class Settlement:
    trade_id: int
    amount: int
    fee: int
    licence_id: int
    payouts: tuple[Payout, ...]
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Refund:
    trade_id: int
    buyer: str
    currency: str
    amount: int
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Resolution:
    trade_id: int
    ruling: TradeRuling
    settlement: Settlement | None
    refund: Refund | None
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Withdrawal:
    account: str
    currency: str
    amount: int
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Deposit:
    account: str
    currency: str
    amount: int
    tx: TxOutcome


# ---------------------------------------------------------------------------- client
