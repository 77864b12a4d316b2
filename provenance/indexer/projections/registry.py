"""DataRegistry's state, rebuilt from its events alone.

Mirrors ``contracts/DataRegistry.sol`` (the test ``test_state_matches_views`` compares every
table with the contract's own views):

* an application gives the applicant all ``TOTAL_SHARES`` of each right; re-applying for a
  rejected or revoked asset starts a new *life*: balances and parents reset, earlier pledges
  read as inactive, licences keep their records (``epoch`` tells their life);
* holder keys are listed in the order the contract lists them (applicant first, then
  append on first balance, swap-and-pop on zero balance): ``position``;
* ``RightTransferred.to`` is already the credited (resolved) holder key;
* an enforced pledge closes first, then its own ``RightTransferred`` moves the shares.

Ids that are ``uint256`` on chain (licence, pledge, dispute, chain ids) are stored as 32-byte
big-endian values; addresses as 20 bytes, hashes as 32.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from provenance.indexer.decode import Event
from provenance.indexer.state import StateWriter
from provenance.indexer.store.spec import TableSpec
from provenance.indexer.store.tables import REGISTRY_TABLES

__all__ = ["TOTAL_SHARES", "RegistryProjection", "u256"]

TOTAL_SHARES = 1_000_000

# Enum values of IDataRegistry.
STATUS_APPLIED, STATUS_CERTIFIED, STATUS_REJECTED, STATUS_REVOKED = 1, 2, 3, 4


def u256(value: int) -> bytes:
    """A uint256 id as stored: 32 bytes big-endian."""
    return value.to_bytes(32, "big")


def _b(hex_value: str) -> bytes:
    return bytes.fromhex(hex_value[2:])


ZERO32 = bytes(32)


class RegistryProjection:
    """Applies DataRegistry events to the registry's state tables."""

    contract: ClassVar[str] = "DataRegistry"
    tables: ClassVar[tuple[TableSpec, ...]] = REGISTRY_TABLES

    def __init__(self) -> None:
        self._handlers: dict[str, Callable[[Event, dict[str, Any], StateWriter, int], None]] = {
            "AssetApplied": self._applied,
            "DerivationRecorded": self._derivation,
            "AssetCertified": self._certified,
            "ApplicationRejected": self._status(STATUS_REJECTED),
            "CertificateRevoked": self._status(STATUS_REVOKED),
            "RightTransferred": self._transferred,
            "LicenceGranted": self._licence_granted,
            "LicenceRevoked": self._licence_revoked,
            "PledgeCreated": self._pledge_created,
            "PledgeReleased": self._pledge_closed(enforced=False),
            "PledgeEnforced": self._pledge_closed(enforced=True),
            "DisputeFiled": self._dispute_filed,
            "DisputeResolved": self._dispute_resolved,
            "AssetFrozen": self._frozen(True),
            "AssetUnfrozen": self._frozen(False),
            "SuccessionRecorded": self._succession,
            "RegistryRecognized": self._recognized,
            "NoticePeriodSet": self._notice_period,
        }

    def apply(self, event: Event, state: StateWriter) -> None:
        handler = self._handlers.get(event.name)
        if handler is not None and event.args is not None:
            handler(event, event.args, state, event.block_number)

    # -- registration ------------------------------------------------------------------

    def _applied(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        asset = _b(a["assetId"])
        prior = s.get("assets", (asset,))
        epoch = 0
        if prior is not None:
            # (1) a new life: balances, books and parents of the previous life go; pledges turn inactive.
            epoch = int(prior["epoch"]) + 1
            for key, _row in s.select("rights", asset_id=asset):
                s.delete("rights", key, block)
            for key, _row in s.select("right_books", asset_id=asset):
                s.delete("right_books", key, block)
            for key, _row in s.select("lineage", asset_id=asset):
                s.delete("lineage", key, block)
            for key, _row in s.select("pledges", asset_id=asset, active=True):
                s.update("pledges", key, block, active=False)
        applicant = _b(a["applicant"])
        s.put(
            "assets",
            (asset,),
            {
                "applicant": applicant,
                "submitter": _b(a["submitter"]),
                "category": a["category"],
                "level": a["level"],
                "kind": a["kind"],
                "status": STATUS_APPLIED,
                "notice_ends_at": a["noticeEndsAt"],
                "metadata_hash": _b(a["metadataHash"]),
                "metadata_uri": a["metadataURI"],
                "consent_ref": _b(a["consentRef"]),
                "serial": 0,
                "certified_at": 0,
                "cert_year": 0,
                "code": None,
                "registrar": None,
                "open_disputes": 0,
                "regulator_frozen": False,
                "active_pledges": 0,
                "epoch": epoch,
                "parent_count": 0,
            },
            block,
        )
        # (2) the applicant holds every share of each right.
        for right in (0, 1, 2):
            s.put("rights", (asset, right, applicant), {"shares": TOTAL_SHARES, "pledged": 0, "position": 0}, block)

    def _derivation(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        asset, parent = _b(a["assetId"]), _b(a["parentId"])
        row = s.get("assets", (asset,))
        position = int(row["parent_count"]) if row is not None else 0
        if row is not None:
            s.update("assets", (asset,), block, parent_count=position + 1)
        s.put(
            "lineage",
            (asset, parent),
            {
                "licence_id": u256(a["licenceId"]),
                "revenue_share_bps": a["revenueShareBps"],
                "position": position,
            },
            block,
        )
        if s.get("children", (parent, asset)) is None:
            s.put("children", (parent, asset), {"first_block": ev.block_number, "first_log": ev.log_index}, block)

    def _certified(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.update(
            "assets",
            (_b(a["assetId"]),),
            block,
            status=STATUS_CERTIFIED,
            serial=a["serial"],
            certified_at=a["certifiedAt"],
            cert_year=a["year"],
            code=_b(a["code"]),
            registrar=_b(a["registrar"]),
        )

    @staticmethod
    def _status(status: int) -> Callable[[Event, dict[str, Any], StateWriter, int], None]:
        def handler(ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
            s.update("assets", (_b(a["assetId"]),), block, status=status)

        return handler

    # -- rights ------------------------------------------------------------------------

    def _transferred(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        asset, right = _b(a["assetId"]), int(a["right"])
        frm, to, shares = _b(a["from"]), _b(a["to"]), int(a["shares"])
        if frm == to:
            return
        head = s.get("assets", (asset,))
        applicant = head["applicant"] if head is not None else None
        self._debit(s, asset, right, applicant, frm, shares, block)
        self._credit(s, asset, right, applicant, to, shares, block)

    def _credit(
        self, s: StateWriter, asset: bytes, right: int, applicant: bytes | None, holder: bytes, shares: int, block: int
    ) -> None:
        key = (asset, right, holder)
        row = s.get("rights", key) or {"shares": 0, "pledged": 0, "position": 0}
        if holder != applicant and row["shares"] == 0:
            count = self._holder_count(s, asset, right) + 1
            s.put("right_books", (asset, right), {"holder_count": count}, block)
            row["position"] = count
        row["shares"] += shares
        s.put("rights", key, row, block)

    def _debit(
        self, s: StateWriter, asset: bytes, right: int, applicant: bytes | None, holder: bytes, shares: int, block: int
    ) -> None:
        key = (asset, right, holder)
        row = s.get("rights", key) or {"shares": 0, "pledged": 0, "position": 0}
        row["shares"] -= shares
        if holder != applicant and row["shares"] == 0 and row["position"]:
            # swap-and-pop: the last listed key takes this one's position.
            last = self._holder_count(s, asset, right)
            if row["position"] != last:
                for moved_key, _moved in s.select("rights", asset_id=asset, right_kind=right, position=last):
                    s.update("rights", moved_key, block, position=row["position"])
            s.put("right_books", (asset, right), {"holder_count": last - 1}, block)
            row["position"] = 0
        if row["shares"] == 0 and row["pledged"] == 0:
            s.delete("rights", key, block)
        else:
            s.put("rights", key, row, block)

    @staticmethod
    def _holder_count(s: StateWriter, asset: bytes, right: int) -> int:
        book = s.get("right_books", (asset, right))
        return int(book["holder_count"]) if book is not None else 0

    def _succession(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.put(
            "successions",
            (_b(a["predecessor"]),),
            {
                "successor": _b(a["successor"]),
                "kind": a["kind"],
                "basis_hash": _b(a["basisHash"]),
                "registrar": _b(a["registrar"]),
                "seq_block": ev.block_number,
                "seq_log": ev.log_index,
            },
            block,
        )

    # -- licences ----------------------------------------------------------------------

    def _licence_granted(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        asset = _b(a["assetId"])
        head = s.get("assets", (asset,))
        s.put(
            "licences",
            (u256(a["licenceId"]),),
            {
                "asset_id": asset,
                "licensee": _b(a["licensee"]),
                "grantor": _b(a["grantor"]),
                "purpose_hash": _b(a["purposeHash"]),
                "starts_at": a["startsAt"],
                "expires_at": a["expiresAt"],
                "terms_hash": _b(a["termsHash"]),
                "revenue_share_bps": a["revenueShareBps"],
                "derivatives_allowed": a["derivativesAllowed"],
                "revoked": False,
                "epoch": int(head["epoch"]) if head is not None else 0,
            },
            block,
        )

    def _licence_revoked(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.update("licences", (u256(a["licenceId"]),), block, revoked=True)

    # -- pledges -----------------------------------------------------------------------

    def _pledge_created(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        asset = _b(a["assetId"])
        head = s.get("assets", (asset,))
        right, pledgor, shares = int(a["right"]), _b(a["pledgor"]), int(a["shares"])
        s.put(
            "pledges",
            (u256(a["pledgeId"]),),
            {
                "asset_id": asset,
                "right_kind": right,
                "pledgor": pledgor,
                "pledgee": _b(a["pledgee"]),
                "shares": shares,
                "terms_hash": _b(a["termsHash"]),
                "active": True,
                "enforced": False,
                "epoch": int(head["epoch"]) if head is not None else 0,
            },
            block,
        )
        _add_pledged(s, asset, right, pledgor, shares, block)
        if head is not None:
            s.update("assets", (asset,), block, active_pledges=int(head["active_pledges"]) + 1)

    @staticmethod
    def _pledge_closed(*, enforced: bool) -> Callable[[Event, dict[str, Any], StateWriter, int], None]:
        def handler(ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
            key = (u256(a["pledgeId"]),)
            p = s.get("pledges", key)
            if p is None:
                return
            s.update("pledges", key, block, active=False, enforced=enforced)
            _add_pledged(s, p["asset_id"], int(p["right_kind"]), p["pledgor"], -int(p["shares"]), block)
            head = s.get("assets", (p["asset_id"],))
            if head is not None:
                s.update("assets", (p["asset_id"],), block, active_pledges=int(head["active_pledges"]) - 1)

        return handler

    # -- disputes and supervision ------------------------------------------------------

    def _dispute_filed(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        asset = _b(a["assetId"])
        s.put(
            "disputes",
            (u256(a["disputeId"]),),
            {
                "asset_id": asset,
                "claimant": _b(a["claimant"]),
                "evidence_hash": _b(a["evidenceHash"]),
                "ruling": 0,
                "ruling_hash": ZERO32,
                "arbitrator": None,
            },
            block,
        )
        head = s.get("assets", (asset,))
        if head is not None:
            s.update("assets", (asset,), block, open_disputes=int(head["open_disputes"]) + 1)

    def _dispute_resolved(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        asset = _b(a["assetId"])
        key = (u256(a["disputeId"]),)
        if s.get("disputes", key) is not None:
            s.update(
                "disputes",
                key,
                block,
                ruling=a["ruling"],
                ruling_hash=_b(a["rulingHash"]),
                arbitrator=_b(a["arbitrator"]),
            )
        head = s.get("assets", (asset,))
        if head is not None:
            s.update("assets", (asset,), block, open_disputes=int(head["open_disputes"]) - 1)

    @staticmethod
    def _frozen(frozen: bool) -> Callable[[Event, dict[str, Any], StateWriter, int], None]:
        def handler(ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
            s.update("assets", (_b(a["assetId"]),), block, regulator_frozen=frozen)

        return handler

    def _recognized(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.put("recognized_registries", (u256(a["chainId"]), _b(a["registry"])), {"recognized": a["recognized"]}, block)

    def _notice_period(self, ev: Event, a: dict[str, Any], s: StateWriter, block: int) -> None:
        s.put("registry_params", ("noticePeriod",), {"value": a["noticePeriod"]}, block)


def _add_pledged(s: StateWriter, asset: bytes, right: int, holder: bytes, delta: int, block: int) -> None:
    key = (asset, right, holder)
    row = s.get("rights", key) or {"shares": 0, "pledged": 0, "position": 0}
    row["pledged"] += delta
    if row["shares"] == 0 and row["pledged"] == 0:
        s.delete("rights", key, block)
    else:
        s.put("rights", key, row, block)
