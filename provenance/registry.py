"""The rights registry client: one method per contract operation, typed results, typed reads.

::

    registry = Registry.from_deployment(deployment, chain, sender)
    applied = registry.register(Registration(content_hash=h, metadata_hash=m, metadata_uri=uri))
    cert = registry.certify(applied.asset_id)          # by a registrar's sender
    print(cert.number, cert.code)

Every write is pre-flighted: a call that would revert raises
:class:`~provenance.errors.ContractRevert` (the custom error's name and arguments) before
anything is sent, so a failed step leaves the chain as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi.abi import encode as abi_encode
from eth_hash.auto import keccak

from provenance._internal.client import ContractClient, TxOutcome
from provenance._internal.enums import parse_enum
from provenance._internal.hexbytes import parse_address
from provenance.chain import Chain, Sender, Signer
from provenance.deployment import Deployment
from provenance.errors import InputError
from provenance.records.registry import (
    Asset,
    Certificate,
    Dispute,
    Licence,
    LicenceTerms,
    Pledge,
    Registration,
    Right,
    RightTransfer,
    Ruling,
    Status,
    SuccessionKind,
    format_code,
    parse_code,
    to_bytes32,
)
from provenance.roles import ROLES, role_id

__all__ = ["ROLES", "Applied", "Certified", "Issued", "Registry", "registration_digest", "role_id"]

REGISTER_TYPE = (
    b"Register(bytes32 contentHash,bytes32 metadataHash,string metadataURI,uint8 category,uint8 level,uint8 kind,"
    b"bytes32 consentRef,bytes32[] parents,uint256[] parentLicences,address applicant,uint256 nonce,uint256 deadline)"
)
DOMAIN_TYPE = b"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"


def registration_digest(
    reg: Registration, applicant: str, nonce: int, deadline: int, chain_id: int, registry: str
) -> bytes:
    """The EIP-712 digest an applicant signs to have ``reg`` relayed (bound to chain and contract)."""
    domain = keccak(
        abi_encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [keccak(DOMAIN_TYPE), keccak(b"DataRegistry"), keccak(b"1"), chain_id, registry],
        )
    )
    struct = keccak(
        abi_encode(
            [
                "bytes32",
                "bytes32",
                "bytes32",
                "bytes32",
                "uint8",
                "uint8",
                "uint8",
                "bytes32",
                "bytes32",
                "bytes32",
                "address",
                "uint256",
                "uint256",
            ],
            [
                keccak(REGISTER_TYPE),
                reg.content_hash,
                reg.metadata_hash,
                keccak(reg.metadata_uri.encode()),
                int(reg.category),
                int(reg.level),
                int(reg.kind),
                reg.consent_ref,
                keccak(b"".join(reg.parents)),
                keccak(b"".join(x.to_bytes(32, "big") for x in reg.parent_licences)),
                applicant,
                nonce,
                deadline,
            ],
        )
    )
    return keccak(b"\x19\x01" + domain + struct)


@dataclass(frozen=True, slots=True)
class Applied:
    """An application on chain."""

    asset_id: bytes
    notice_ends_at: int
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Issued:
    """An id-returning operation (licence, pledge, dispute) on chain."""

    id: int
    tx: TxOutcome


@dataclass(frozen=True, slots=True)
class Certified:
    """A certificate just issued, and the transaction that issued it."""

    certificate: Certificate
    tx: TxOutcome


class Registry(ContractClient):
    """Client of the ``DataRegistry`` contract."""

    CONTRACT = "DataRegistry"

    @classmethod
    def from_deployment(cls, deployment: Deployment, chain: Chain, sender: Sender | None = None) -> Registry:
        """The registry of ``deployment`` on ``chain``; :meth:`Deployment.check` runs first."""
        deployment.check(chain)
        return cls(chain, deployment.contract(cls.CONTRACT).address, sender)

    # ------------------------------------------------------------------ registration
    def register(self, reg: Registration) -> Applied:
        """Apply to register ``reg``; the sender is the applicant."""
        out = self._tx("register", reg.as_abi())
        return self._applied(out)[0]

    def register_batch(self, regs: Sequence[Registration]) -> list[Applied]:
        """Apply for many assets in one transaction."""
        if not regs:
            raise InputError("register_batch needs at least one registration")
        out = self._tx("registerBatch", [r.as_abi() for r in regs])
        return self._applied(out)

    def register_many(self, regs: Sequence[Registration], *, per_tx: int = 1) -> list[Applied]:
        """Apply for many assets, ``per_tx`` per transaction, pipelined (many transactions in flight)."""
        if not regs:
            raise InputError("register_many needs at least one registration")
        if per_tx < 1:
            raise InputError("per_tx must be at least 1")
        if per_tx == 1:
            calls = [self._call("register", r.as_abi()) for r in regs]
        else:
            calls = [
                self._call("registerBatch", [r.as_abi() for r in regs[i : i + per_tx]])
                for i in range(0, len(regs), per_tx)
            ]
        applied: list[Applied] = []
        for out in self._txs(calls):
            applied.extend(self._applied(out))
        return applied

    def sign_registration(self, signer: Signer, reg: Registration, deadline: int, nonce: int | None = None) -> bytes:
        """The applicant's EIP-712 signature of ``reg`` for relaying with :meth:`register_for`."""
        nonce = self.nonce(signer.address) if nonce is None else nonce
        digest = registration_digest(reg, signer.address, nonce, deadline, self.chain.chain_id, self.address)
        v, r, s = signer.sign_hash(digest)
        return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + v])

    def register_for(self, reg: Registration, applicant: str, deadline: int, signature: bytes) -> Applied:
        """Relay an application signed by ``applicant``."""
        if not isinstance(signature, bytes) or len(signature) != 65:
            raise InputError("signature must be 65 bytes")
        out = self._tx("registerFor", reg.as_abi(), parse_address(applicant, what="applicant"), deadline, signature)
        return self._applied(out)[0]

    def _applied(self, out: TxOutcome) -> list[Applied]:
        # AssetApplied: assetId is topic 1, noticeEndsAt the 7th head word of the data.
        return [
            Applied(log.topics[1], int.from_bytes(log.data[192:224], "big"), out) for log in out.raw("AssetApplied")
        ]

    def certify(self, asset_id: bytes | str) -> Certified:
        """Issue the certificate (registrar)."""
        aid = to_bytes32(asset_id, "asset id")
        out = self._tx("certify", aid)
        return Certified(self.certificate(aid), out)

    def reject(self, asset_id: bytes | str, reason: str) -> TxOutcome:
        """Reject an application (registrar)."""
        return self._tx("reject", to_bytes32(asset_id, "asset id"), _reason(reason))

    def revoke_certificate(self, asset_id: bytes | str, reason: str) -> TxOutcome:
        """Revoke a certificate (registrar)."""
        return self._tx("revokeCertificate", to_bytes32(asset_id, "asset id"), _reason(reason))

    # ------------------------------------------------------------------ rights
    def transfer_right(
        self, asset_id: bytes | str, right: Right | int | str, to: str, shares: int, from_: str | None = None
    ) -> TxOutcome:
        """Transfer ``shares`` of ``right`` from holder key ``from_`` (default: the sender) to ``to``."""
        sender = self._require_sender()
        return self._tx(
            "transferRight",
            to_bytes32(asset_id, "asset id"),
            int(_right(right)),
            parse_address(from_ or sender.address, what="from"),
            parse_address(to, what="to"),
            _shares(shares),
        )

    def record_succession(
        self, predecessor: str, successor: str, kind: SuccessionKind | int | str, basis_hash: bytes | str
    ) -> TxOutcome:
        """Record that ``successor`` succeeds ``predecessor`` (registrar)."""
        return self._tx(
            "recordSuccession",
            parse_address(predecessor, what="predecessor"),
            parse_address(successor, what="successor"),
            int(_succession(kind)),
            to_bytes32(basis_hash, "basis hash"),
        )

    # ------------------------------------------------------------------ licences
    def grant_licence(self, terms: LicenceTerms) -> Issued:
        """Grant a licence; the sender holds the asset's licensing right."""
        out = self._tx("grantLicence", terms.as_abi())
        return Issued(out.first("LicenceGranted").args["licenceId"], out)

    def revoke_licence(self, licence_id: int, reason: str) -> TxOutcome:
        return self._tx("revokeLicence", _id(licence_id, "licence id"), _reason(reason))

    # ------------------------------------------------------------------ pledges
    def create_pledge(
        self,
        asset_id: bytes | str,
        right: Right | int | str,
        pledgee: str,
        shares: int,
        terms_hash: bytes | str,
        from_: str | None = None,
    ) -> Issued:
        sender = self._require_sender()
        out = self._tx(
            "pledge",
            to_bytes32(asset_id, "asset id"),
            int(_right(right)),
            parse_address(from_ or sender.address, what="from"),
            parse_address(pledgee, what="pledgee"),
            _shares(shares),
            to_bytes32(terms_hash, "terms hash"),
        )
        return Issued(out.first("PledgeCreated").args["pledgeId"], out)

    def release_pledge(self, pledge_id: int) -> TxOutcome:
        return self._tx("releasePledge", _id(pledge_id, "pledge id"))

    def enforce_pledge(self, pledge_id: int) -> TxOutcome:
        return self._tx("enforcePledge", _id(pledge_id, "pledge id"))

    # ------------------------------------------------------------------ disputes and supervision
    def file_dispute(self, asset_id: bytes | str, evidence_hash: bytes | str) -> Issued:
        out = self._tx("fileDispute", to_bytes32(asset_id, "asset id"), to_bytes32(evidence_hash, "evidence hash"))
        return Issued(out.first("DisputeFiled").args["disputeId"], out)

    def resolve_dispute(
        self,
        dispute_id: int,
        ruling: Ruling | int | str,
        ruling_hash: bytes | str,
        transfers: Sequence[RightTransfer] = (),
    ) -> TxOutcome:
        return self._tx(
            "resolveDispute",
            _id(dispute_id, "dispute id"),
            int(_ruling(ruling)),
            to_bytes32(ruling_hash, "ruling hash"),
            [t.as_abi() for t in transfers],
        )

    def freeze(self, asset_id: bytes | str, reason_hash: bytes | str) -> TxOutcome:
        return self._tx("freeze", to_bytes32(asset_id, "asset id"), to_bytes32(reason_hash, "reason hash"))

    def unfreeze(self, asset_id: bytes | str, reason_hash: bytes | str) -> TxOutcome:
        return self._tx("unfreeze", to_bytes32(asset_id, "asset id"), to_bytes32(reason_hash, "reason hash"))

    def set_recognized_registry(self, chain_id: int, registry: str, recognized: bool) -> TxOutcome:
        if not isinstance(chain_id, int) or chain_id <= 0:
            raise InputError(f"chain id must be a positive integer, got {chain_id!r}")
        return self._tx("setRecognizedRegistry", chain_id, parse_address(registry, what="registry"), bool(recognized))

    def set_notice_period(self, seconds: int) -> TxOutcome:
        if not isinstance(seconds, int) or not 0 <= seconds < 2**40:
            raise InputError(f"notice period must be 0..2**40-1 seconds, got {seconds!r}")
        return self._tx("setNoticePeriod", seconds)

    def grant_role(self, role: str, account: str) -> TxOutcome:
        return self._tx("grantRole", role_id(role), parse_address(account, what="account"))

    def revoke_role(self, role: str, account: str) -> TxOutcome:
        return self._tx("revokeRole", role_id(role), parse_address(account, what="account"))

    # ------------------------------------------------------------------ reads
    def has_role(self, role: str, account: str) -> bool:
        return bool(self._view1("hasRole", role_id(role), parse_address(account, what="account")))

    def asset(self, asset_id: bytes | str) -> Asset:
        aid = to_bytes32(asset_id, "asset id")
        return Asset.from_abi(aid, self._view1("getAsset", aid))

    def status(self, asset_id: bytes | str) -> Status:
        return self.asset(asset_id).status

    def shares_of(self, asset_id: bytes | str, right: Right | int | str, holder: str) -> int:
        return int(
            self._view1(
                "sharesOf", to_bytes32(asset_id, "asset id"), int(_right(right)), parse_address(holder, what="holder")
            )
        )

    def effective_shares_of(self, asset_id: bytes | str, right: Right | int | str, party: str) -> int:
        return int(
            self._view1(
                "effectiveSharesOf",
                to_bytes32(asset_id, "asset id"),
                int(_right(right)),
                parse_address(party, what="party"),
            )
        )

    def pledged_shares_of(self, asset_id: bytes | str, right: Right | int | str, holder: str) -> int:
        return int(
            self._view1(
                "pledgedSharesOf",
                to_bytes32(asset_id, "asset id"),
                int(_right(right)),
                parse_address(holder, what="holder"),
            )
        )

    def holders(self, asset_id: bytes | str, right: Right | int | str) -> dict[str, int]:
        """Holder key -> shares of ``right`` (non-zero only)."""
        keys, shares = self._view("holdersOf", to_bytes32(asset_id, "asset id"), int(_right(right)))
        return {str(k): int(s) for k, s in zip(keys, shares, strict=True)}

    def rights(self, asset_id: bytes | str) -> dict[Right, dict[str, int]]:
        return {r: self.holders(asset_id, r) for r in Right}

    def active_pledge_count(self, asset_id: bytes | str) -> int:
        return int(self._view1("activePledgeCount", to_bytes32(asset_id, "asset id")))

    def is_frozen(self, asset_id: bytes | str) -> bool:
        return bool(self._view1("isFrozen", to_bytes32(asset_id, "asset id")))

    def licence(self, licence_id: int) -> Licence:
        terms, grantor, revoked = self._view1("getLicence", _id(licence_id, "licence id"))
        if int(terms[4]) == 0:
            from provenance.errors import ContractRevert

            raise ContractRevert("RegistryUnknownLicence", {"licenceId": licence_id})
        return Licence(licence_id, LicenceTerms.from_abi(terms), str(grantor), bool(revoked))

    def is_licence_valid(self, licence_id: int) -> bool:
        return bool(self._view1("isLicenceValid", _id(licence_id, "licence id")))

    def may_use(self, asset_id: bytes | str, party: str, purpose_hash: bytes | str) -> bool:
        """Whether ``party`` may use the asset for the purpose now."""
        return bool(
            self._view1(
                "mayUse",
                to_bytes32(asset_id, "asset id"),
                parse_address(party, what="party"),
                to_bytes32(purpose_hash, "purpose hash"),
            )
        )

    def parents(self, asset_id: bytes | str) -> list[tuple[bytes, int]]:
        ids, shares = self._view("parentsOf", to_bytes32(asset_id, "asset id"))
        return [(bytes(p), int(s)) for p, s in zip(ids, shares, strict=True)]

    def children(self, asset_id: bytes | str) -> list[bytes]:
        return [bytes(c) for c in self._view1("childrenOf", to_bytes32(asset_id, "asset id"))]

    def lineage(self, asset_id: bytes | str, *, max_depth: int = 32) -> dict[str, list[bytes]]:
        """Every ancestor and every descendant of the asset (breadth first)."""
        aid = to_bytes32(asset_id, "asset id")
        out: dict[str, list[bytes]] = {"ancestors": [], "descendants": []}
        for key, step in (("ancestors", lambda a: [p for p, _ in self.parents(a)]), ("descendants", self.children)):
            seen: set[bytes] = set()
            frontier = [aid]
            for _ in range(max_depth):
                nxt = [x for a in frontier for x in step(a) if x not in seen]
                if not nxt:
                    break
                for x in nxt:
                    if x not in seen:
                        seen.add(x)
                        out[key].append(x)
                frontier = nxt
        return out

    def pledge(self, pledge_id: int) -> Pledge:
        t = self._view1("getPledge", _id(pledge_id, "pledge id"))
        return Pledge(pledge_id, t[0], Right(t[1]), t[2], t[3], t[4], t[5], t[6])

    def dispute(self, dispute_id: int) -> Dispute:
        t = self._view1("getDispute", _id(dispute_id, "dispute id"))
        return Dispute(dispute_id, t[0], t[1], t[2], Ruling(t[3]), t[4])

    def successor_of(self, party: str) -> str | None:
        succ = str(self._view1("successorOf", parse_address(party, what="party")))
        return None if int(succ, 16) == 0 else succ

    def resolve_party(self, party: str) -> str:
        return str(self._view1("resolveParty", parse_address(party, what="party")))

    def predecessors(self, party: str) -> list[str]:
        return [str(a) for a in self._view1("predecessorsOf", parse_address(party, what="party"))]

    def is_recognized_registry(self, chain_id: int, registry: str) -> bool:
        return bool(self._view1("isRecognizedRegistry", chain_id, parse_address(registry, what="registry")))

    def notice_period(self) -> int:
        return int(self._view1("noticePeriod"))

    def nonce(self, applicant: str) -> int:
        return int(self._view1("nonces", parse_address(applicant, what="applicant")))

    # ------------------------------------------------------------------ certificates
    def expected_code(self, asset_id: bytes | str) -> bytes:
        """The verification code recomputed locally: keccak(chain id, registry, asset id)[:10]."""
        aid = to_bytes32(asset_id, "asset id")
        return keccak(abi_encode(["uint256", "address", "bytes32"], [self.chain.chain_id, self.address, aid]))[:10]

    def certificate(self, asset_id: bytes | str) -> Certificate:
        """The certificate of a certified (or revoked) asset, with its current holders."""
        aid = to_bytes32(asset_id, "asset id")
        asset = self.asset(aid)
        if asset.serial == 0:
            raise InputError(f"asset 0x{aid.hex()} has no certificate (status {asset.status.name.lower()})")
        holders = {r.name.lower(): tuple(sorted(self.holders(aid, r).items())) for r in Right}
        return Certificate(
            asset_id=aid,
            number=str(self._view1("certificateNumber", aid)),
            code=format_code(self.expected_code(aid)),
            serial=asset.serial,
            certified_at=asset.certified_at,
            chain_id=self.chain.chain_id,
            registry=self.address,
            holders=holders,
        )

    def certificate_by_code(self, code: str | bytes) -> Certificate:
        """Check a verification code: find its asset and confirm the code derives from it."""
        raw = code if isinstance(code, bytes) else parse_code(code)
        if len(raw) != 10:
            raise InputError("verification code must be 10 bytes")
        aid = bytes(self._view1("assetByCode", raw))
        if aid == b"\x00" * 32:
            raise InputError(f"no certificate carries code {format_code(raw)} in registry {self.address}")
        if self.expected_code(aid) != raw:
            raise InputError(f"code {format_code(raw)} does not derive from asset 0x{aid.hex()}: not genuine")
        return self.certificate(aid)


def _reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise InputError("a reason is required")
    return reason


def _right(value: Any) -> Right:
    return parse_enum(Right, value, "right")


def _ruling(value: Any) -> Ruling:
    return parse_enum(Ruling, value, "ruling")


def _succession(value: Any) -> SuccessionKind:
    return parse_enum(SuccessionKind, value, "succession kind")


def _shares(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= 1_000_000:
        raise InputError(f"shares must be an integer in 1..1000000, got {value!r}")
    return value


def _id(value: Any, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise InputError(f"{what} must be a positive integer, got {value!r}")
    return value
