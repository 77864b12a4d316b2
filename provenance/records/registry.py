"""Records of the rights registry: enums mirroring the contract and frozen dataclasses.

Values here are validated on construction: a :class:`Registration` or :class:`LicenceTerms`
that exists is one the contract can take (the contract still checks state).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from provenance._internal.enums import parse_enum
from provenance._internal.hexbytes import parse_bytes32
from provenance._internal.ints import describe, parse_uint
from provenance.errors import InputError

__all__ = [
    "TOTAL_SHARES",
    "Asset",
    "Category",
    "Certificate",
    "Dispute",
    "Kind",
    "Level",
    "Licence",
    "LicenceTerms",
    "Pledge",
    "Registration",
    "Right",
    "RightTransfer",
    "Ruling",
    "Status",
    "SuccessionKind",
    "format_code",
    "parse_code",
    "to_bytes32",
]

TOTAL_SHARES = 1_000_000
ZERO32 = b"\x00" * 32


class Category(IntEnum):
    PUBLIC = 0
    ENTERPRISE = 1
    PERSONAL = 2


class Level(IntEnum):
    GENERAL = 0
    IMPORTANT = 1
    CORE = 2


class Kind(IntEnum):
    RESOURCE = 0
    PRODUCT = 1


class Status(IntEnum):
    NONE = 0
    APPLIED = 1
    CERTIFIED = 2
    REJECTED = 3
    REVOKED = 4


class Right(IntEnum):
    HOLDING = 0
    PROCESSING = 1
    OPERATION = 2


class Ruling(IntEnum):
    NONE = 0
    DISMISSED = 1
    RIGHTS_TRANSFERRED = 2
    CERTIFICATE_REVOKED = 3


class SuccessionKind(IntEnum):
    MERGER = 0
    SPLIT = 1
    DISSOLUTION = 2
    BANKRUPTCY = 3
    DEATH = 4


def to_bytes32(value: bytes | str, what: str) -> bytes:
    """32 bytes from bytes or ``0x``-prefixed hex of 64 digits; an InputError names ``what`` otherwise."""
    if isinstance(value, bytes) and len(value) == 32:
        return value
    try:
        return parse_bytes32(value, what=what)
    except InputError:
        raise InputError(f"{what} must be a 32-byte hash (0x and 64 hex digits), got {describe(value)}") from None


@dataclass(frozen=True, slots=True)
class Registration:
    """An application for registration (see ``IDataRegistry.Registration``)."""

    content_hash: bytes
    metadata_hash: bytes
    metadata_uri: str = ""
    category: Category = Category.ENTERPRISE
    level: Level = Level.GENERAL
    kind: Kind = Kind.RESOURCE
    consent_ref: bytes = ZERO32
    parents: tuple[bytes, ...] = ()
    parent_licences: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "content_hash", to_bytes32(self.content_hash, "content hash"))
        object.__setattr__(self, "metadata_hash", to_bytes32(self.metadata_hash, "metadata hash"))
        object.__setattr__(self, "consent_ref", to_bytes32(self.consent_ref, "consent reference"))
        object.__setattr__(self, "category", parse_enum(Category, self.category, "category"))
        object.__setattr__(self, "level", parse_enum(Level, self.level, "level"))
        object.__setattr__(self, "kind", parse_enum(Kind, self.kind, "kind"))
        if not isinstance(self.metadata_uri, str) or len(self.metadata_uri.encode()) > 2048:
            raise InputError("metadata URI must be a string of at most 2048 bytes")
        parents = tuple(to_bytes32(p, "parent asset id") for p in self.parents)
        licences = tuple(parse_uint(x, 256, "parent licence id") for x in self.parent_licences)
        if len(parents) != len(licences):
            raise InputError(
                f"{len(parents)} parents but {len(licences)} parent licences: give one per parent (0: own right)"
            )
        object.__setattr__(self, "parents", parents)
        object.__setattr__(self, "parent_licences", licences)
        if self.content_hash == ZERO32:
            raise InputError("content hash must not be zero")
        if self.metadata_hash == ZERO32:
            raise InputError("metadata hash must not be zero")
        if self.category == Category.PERSONAL and self.consent_ref == ZERO32:
            raise InputError("personal data needs a consent or legal-basis reference")
        if self.category != Category.PERSONAL and self.consent_ref != ZERO32:
            raise InputError("a consent reference is only recorded for personal data")

    @property
    def asset_id(self) -> bytes:
        return self.content_hash

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.content_hash,
            self.metadata_hash,
            self.metadata_uri,
            int(self.category),
            int(self.level),
            int(self.kind),
            self.consent_ref,
            list(self.parents),
            list(self.parent_licences),
        )


@dataclass(frozen=True, slots=True)
class LicenceTerms:
    """Terms of a licence (see ``IDataRegistry.LicenceTerms``)."""

    asset_id: bytes
    licensee: str
    purpose_hash: bytes
    starts_at: int
    expires_at: int
    terms_hash: bytes
    revenue_share_bps: int = 0
    derivatives_allowed: bool = False

    def __post_init__(self) -> None:
        from provenance._internal.hexbytes import parse_address

        object.__setattr__(self, "asset_id", to_bytes32(self.asset_id, "asset id"))
        object.__setattr__(self, "purpose_hash", to_bytes32(self.purpose_hash, "purpose hash"))
        object.__setattr__(self, "terms_hash", to_bytes32(self.terms_hash, "terms hash"))
        object.__setattr__(self, "licensee", parse_address(self.licensee, what="licensee"))
        parse_uint(self.starts_at, 40, "licence start")
        parse_uint(self.expires_at, 40, "licence expiry")
        if self.starts_at >= self.expires_at:
            raise InputError(f"licence must start before it expires ({self.starts_at} >= {self.expires_at})")
        if parse_uint(self.revenue_share_bps, 16, "revenue share") > 10_000:
            raise InputError(f"revenue share is in basis points, at most 10000, got {self.revenue_share_bps}")

    def as_abi(self) -> tuple[Any, ...]:
        return (
            self.asset_id,
            self.licensee,
            self.purpose_hash,
            self.starts_at,
            self.expires_at,
            self.terms_hash,
            self.revenue_share_bps,
            bool(self.derivatives_allowed),
        )

    @classmethod
    def from_abi(cls, t: tuple[Any, ...]) -> LicenceTerms:
        return cls(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7])


@dataclass(frozen=True, slots=True)
class RightTransfer:
    """A share transfer ordered by a ruling."""

    right: Right
    from_: str
    to: str
    shares: int

    def as_abi(self) -> tuple[Any, ...]:
        return (int(self.right), self.from_, self.to, self.shares)


@dataclass(frozen=True, slots=True)
class Asset:
    """Stored state of an asset, as the contract returns it."""

    asset_id: bytes
    applicant: str
    category: Category
    level: Level
    kind: Kind
    status: Status
    notice_ends_at: int
    metadata_hash: bytes
    consent_ref: bytes
    serial: int
    certified_at: int
    open_disputes: int
    regulator_frozen: bool

    @property
    def frozen(self) -> bool:
        return self.regulator_frozen or self.open_disputes > 0

    @classmethod
    def from_abi(cls, asset_id: bytes, t: tuple[Any, ...]) -> Asset:
        return cls(
            asset_id,
            t[0],
            Category(t[1]),
            Level(t[2]),
            Kind(t[3]),
            Status(t[4]),
            t[5],
            t[6],
            t[7],
            t[8],
            t[9],
            t[10],
            t[11],
        )


@dataclass(frozen=True, slots=True)
class Licence:
    licence_id: int
    terms: LicenceTerms
    grantor: str
    revoked: bool


@dataclass(frozen=True, slots=True)
class Pledge:
    pledge_id: int
    asset_id: bytes
    right: Right
    pledgor: str
    pledgee: str
    shares: int
    terms_hash: bytes
    active: bool


@dataclass(frozen=True, slots=True)
class Dispute:
    dispute_id: int
    asset_id: bytes
    claimant: str
    evidence_hash: bytes
    ruling: Ruling
    ruling_hash: bytes


@dataclass(frozen=True, slots=True)
class Certificate:
    """A certificate: number (一证), verification code (一码), and where it was issued."""

    asset_id: bytes
    number: str
    code: str
    serial: int
    certified_at: int
    chain_id: int
    registry: str
    holders: dict[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_B32_STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_TO_CROCKFORD = str.maketrans(_B32_STD, _CROCKFORD)
_FROM_CROCKFORD = str.maketrans(_CROCKFORD, _B32_STD)


def format_code(code: bytes) -> str:
    """A 10-byte verification code as 16 Crockford base-32 digits, ``XXXX-XXXX-XXXX-XXXX``."""
    if len(code) != 10:
        raise InputError(f"verification code must be 10 bytes, got {len(code)}")
    digits = base64.b32encode(code).decode().translate(_TO_CROCKFORD)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def parse_code(text: str) -> bytes:
    """The 10 bytes of a verification code written as ``XXXX-XXXX-XXXX-XXXX`` or 0x + 20 hex digits."""
    if not isinstance(text, str):
        raise InputError("verification code must be text")
    raw = text.strip()
    if re.fullmatch(r"0x[0-9a-fA-F]{20}", raw):
        return bytes.fromhex(raw[2:])
    digits = raw.replace("-", "").replace(" ", "").upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if len(digits) != 16 or any(c not in _CROCKFORD for c in digits):
        raise InputError(f"verification code must be 16 base-32 digits like ABCD-EFGH-JKMN-PQRS, got {text!r}")
    return base64.b32decode(digits.translate(_FROM_CROCKFORD))
