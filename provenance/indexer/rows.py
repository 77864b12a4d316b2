"""Typed rows of the index's state queries (:mod:`provenance.indexer.query`).

Each is a frozen record of one state table's row as it stood at the queried block: uint256 ids
and amounts as ``int``, addresses and hashes as ``0x`` hex strings (addresses lower case, as
stored), enums as the contracts' :class:`~enum.IntEnum` members (which compare equal to their
numbers), flags as ``bool``. ``to_json()`` gives the same with enums by name, for ``--json``
output and the analyst service.
"""

from __future__ import annotations

import dataclasses
from enum import IntEnum
from typing import Any, NamedTuple

from provenance.records.exchange import ListingStatus, OfferStatus, TradeOrigin, TradeRuling, TradeStatus
from provenance.records.registry import Category, Kind, Level, Status

__all__ = ["AssetState", "Holding", "LicenceState", "ListingState", "OfferState", "Payout", "TradeState"]


class _Row:
    """What every state row has: ``to_json()``."""

    __slots__ = ()

    def to_json(self) -> dict[str, Any]:
        """The row as JSON values: enums by lower-case name, tuples as lists."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}  # type: ignore[arg-type]


def _jsonable(value: Any) -> Any:
    if isinstance(value, IntEnum):
        return value.name.lower()
    if isinstance(value, tuple):
        return [v.to_json() if isinstance(v, _Row | Payout) else _jsonable(v) for v in value]
    return value


class Holding(NamedTuple):
    """One holder's position in one right of an asset."""

    holder: str
    shares: int
    pledged: int


class Payout(NamedTuple):
    """One payee's part of a trade's settlement (``source_asset``: the asset whose holders it pays)."""

    payee: str
    source_asset: str
    amount: int

    def to_json(self) -> dict[str, Any]:
        return self._asdict()


@dataclasses.dataclass(frozen=True, slots=True)
class AssetState(_Row):
    """An asset's row (``assets`` table)."""

    applicant: str
    submitter: str
    category: Category
    level: Level
    kind: Kind
    status: Status
    notice_ends_at: int
    metadata_hash: str
    metadata_uri: str
    consent_ref: str
    serial: int
    certified_at: int
    cert_year: int
    code: str
    registrar: str
    open_disputes: int
    regulator_frozen: bool
    active_pledges: int
    epoch: int
    parent_count: int

    def __post_init__(self) -> None:
        for name, cls in (("category", Category), ("level", Level), ("kind", Kind), ("status", Status)):
            object.__setattr__(self, name, cls(getattr(self, name)))
        object.__setattr__(self, "regulator_frozen", bool(self.regulator_frozen))


@dataclasses.dataclass(frozen=True, slots=True)
class LicenceState(_Row):
    """A licence's row (``licences`` table); ``revoked`` licences are included."""

    licence_id: int
    asset_id: str
    licensee: str
    grantor: str
    purpose_hash: str
    starts_at: int
    expires_at: int
    terms_hash: str
    revenue_share_bps: int
    derivatives_allowed: bool
    revoked: bool
    epoch: int


@dataclasses.dataclass(frozen=True, slots=True)
class ListingState(_Row):
    """An exchange listing's row (``listings`` table)."""

    listing_id: int
    asset_id: str
    seller: str
    status: ListingStatus
    reason_code: int
    contract_hash: str
    price: int
    currency: str
    purpose_hash: str
    licence_duration: int
    revenue_share_bps: int
    derivatives_allowed: bool
    listed_block: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", ListingStatus(self.status))


@dataclasses.dataclass(frozen=True, slots=True)
class TradeState(_Row):
    """A trade's row (``trades`` table) with its settlement's payouts."""

    trade_id: int
    listing_id: int
    asset_id: str | None
    buyer: str
    seller: str
    status: TradeStatus
    currency: str
    price: int
    amount: int
    origin: TradeOrigin
    ref_id: int
    opened_at: int
    settleable_at: int
    delivery_hash: str
    claimant: str | None
    evidence_hash: str | None
    ruling: TradeRuling
    ruling_hash: str | None
    arbitrator: str | None
    cancelled_by: str | None
    refunded: int
    fee: int
    licence_id: int
    settled_block: int | None
    payouts: tuple[Payout, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", TradeStatus(self.status))
        object.__setattr__(self, "origin", TradeOrigin(self.origin))
        object.__setattr__(self, "ruling", TradeRuling(self.ruling))


@dataclasses.dataclass(frozen=True, slots=True)
class OfferState(_Row):
    """A negotiated offer's row (``offers`` table)."""

    offer_id: int
    listing_id: int
    buyer: str
    status: OfferStatus
    currency: str
    price: int
    amount: int
    trade_id: int | None
    cancelled_by: str | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", OfferStatus(self.status))
