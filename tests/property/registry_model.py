"""A Python model of the DataRegistry, for the stateful test.

Every operation either applies itself and returns ``None``, or leaves the model untouched and
returns the set of custom-error names the contract may legitimately revert with (every
condition that fails; the contract reports whichever it checks first).
"""

from __future__ import annotations

from dataclasses import dataclass, field

TOTAL = 1_000_000
ROLE = "AccessControlUnauthorizedAccount"
HOLDING, PROCESSING, OPERATION = 0, 1, 2
APPLIED, CERTIFIED, REJECTED, REVOKED = 1, 2, 3, 4


@dataclass
class MAsset:
    applicant: str
    category: int
    level: int
    kind: int
    status: int
    notice_ends: int
    metadata_hash: bytes
    consent: bytes
    serial: int = 0
    certified_at: int = 0
    open_disputes: int = 0
    reg_frozen: bool = False
    parents: list[tuple[bytes, int]] = field(default_factory=list)

    @property
    def frozen(self) -> bool:
        return self.reg_frozen or self.open_disputes > 0

    @property
    def licensing_right(self) -> int:
        return PROCESSING if self.kind == 0 else OPERATION


@dataclass
class MLicence:
    asset: bytes
    licensee: str
    purpose: bytes
    starts: int
    expires: int
    bps: int
    deriv: bool
    grantor: str
    revoked: bool = False
    dead: bool = False  # granted in an earlier life of the asset (before a re-application)

    def valid(self, now: int) -> bool:
        return not self.revoked and not self.dead and self.starts <= now < self.expires


@dataclass
class MPledge:
    asset: bytes
    right: int
    pledgor: str
    pledgee: str
    shares: int
    active: bool = True


@dataclass
class MDispute:
    asset: bytes
    claimant: str
    ruling: int = 0


Errors = set[str] | None


class RegistryModel:
    def __init__(self, roles: dict[str, set[str]], notice_period: int) -> None:
        self.roles = roles  # role name -> addresses
        self.notice = notice_period
        self.assets: dict[bytes, MAsset] = {}
        self.bal: dict[tuple[bytes, int], dict[str, int]] = {}
        self.pledged: dict[tuple[bytes, int, str], int] = {}
        self.active_pledges: dict[bytes, int] = {}
        self.licences: list[MLicence] = []
        self.licensed: set[tuple[bytes, str]] = set()
        self.pledges: list[MPledge] = []
        self.disputes: list[MDispute] = []
        self.successor: dict[str, str] = {}
        self.predecessors: dict[str, list[str]] = {}
        self.children: dict[bytes, list[bytes]] = {}
        self.serial = 0

    # ------------------------------------------------------------------ helpers
    def has(self, role: str, who: str) -> bool:
        return who in self.roles.get(role, set())

    def resolve(self, party: str) -> str:
        while party in self.successor:
            party = self.successor[party]
        return party

    def family(self, party: str) -> list[str]:
        out, stack = [], [party]
        while stack:
            p = stack.pop()
            out.append(p)
            stack.extend(self.predecessors.get(p, []))
        return out

    def shares(self, aid: bytes, right: int, holder: str) -> int:
        return self.bal.get((aid, right), {}).get(holder, 0)

    def effective(self, aid: bytes, right: int, party: str) -> int:
        return sum(self.shares(aid, right, p) for p in self.family(party))

    def available(self, aid: bytes, right: int, holder: str) -> int:
        return self.shares(aid, right, holder) - self.pledged.get((aid, right, holder), 0)

    def _move(self, aid: bytes, right: int, frm: str, to: str, n: int) -> None:
        book = self.bal.setdefault((aid, right), {})
        book[frm] -= n
        if book[frm] == 0:
            del book[frm]
        dest = self.resolve(to)
        book[dest] = book.get(dest, 0) + n

    def holders(self, aid: bytes, right: int) -> dict[str, int]:
        return {k: v for k, v in self.bal.get((aid, right), {}).items() if v > 0}

    def may_use(self, aid: bytes, party: str, purpose: bytes, now: int) -> bool:
        a = self.assets.get(aid)
        if a is None or a.status != CERTIFIED:
            return False
        if self.effective(aid, a.licensing_right, party) > 0:
            return True
        fam = set(self.family(party))
        return any(
            lic.asset == aid and lic.purpose == purpose and lic.licensee in fam and lic.valid(now)
            for lic in self.licences
        )

    def _rights_op_errors(self, aid: bytes) -> set[str]:
        a = self.assets.get(aid)
        errs: set[str] = set()
        if a is None or a.status != CERTIFIED:
            errs |= {"RegistryNotCertified", "RegistryUnknownAsset"}
        if a is not None and a.frozen:
            errs.add("RegistryAssetFrozen")
        return errs

    # ------------------------------------------------------------------ operations
    def register(
        self,
        who: str,
        aid: bytes,
        meta: bytes,
        category: int,
        level: int,
        kind: int,
        consent: bytes,
        parents: list[tuple[bytes, int]],
        now: int,
    ) -> Errors:
        errs: set[str] = set()
        cur = self.assets.get(aid)
        if cur is not None and cur.status in (APPLIED, CERTIFIED):
            errs.add("RegistryAssetExists")
        if cur is not None and cur.frozen:
            errs.add("RegistryAssetFrozen")
        recorded: list[tuple[bytes, int]] = []
        total = 0
        for pid, lic_id in parents:
            p = self.assets.get(pid)
            if pid == aid or p is None or p.status != CERTIFIED or p.frozen:
                errs |= {"RegistryInvalidParent", "RegistryAssetFrozen", "RegistryNotCertified"}
                continue
            if lic_id == 0:
                if self.effective(pid, p.licensing_right, who) == 0:
                    errs.add("RegistryDerivativeNotPermitted")
                recorded.append((pid, 0))
            else:
                lic = self.licences[lic_id - 1] if 0 < lic_id <= len(self.licences) else None
                ok = (
                    lic is not None
                    and lic.asset == pid
                    and lic.deriv
                    and lic.valid(now)
                    and self.resolve(lic.licensee) == who
                )
                if not ok:
                    errs |= {"RegistryDerivativeNotPermitted", "RegistryUnknownLicence", "RegistryLicenceRevoked"}
                    continue
                assert lic is not None
                recorded.append((pid, lic.bps))
                total += lic.bps
        if len({p for p, _ in parents}) != len(parents):
            errs.add("RegistryInvalidParent")
        if total > 10_000:
            errs.add("RegistryRevenueShareTooHigh")
        if errs:
            return errs
        self.assets[aid] = MAsset(
            who, category, level, kind, APPLIED, now + self.notice, meta, consent, parents=recorded
        )
        # A re-application starts a new life: balances, pledges and licences of the old one lapse.
        for right in (HOLDING, PROCESSING, OPERATION):
            self.bal[(aid, right)] = {who: TOTAL}
            for key in [k for k in self.pledged if k[0] == aid and k[1] == right]:
                del self.pledged[key]
        self.active_pledges[aid] = 0
        for pledge in self.pledges:
            if pledge.asset == aid:
                pledge.active = False
        for lic in self.licences:
            if lic.asset == aid:
                lic.dead = True
        for pid, _ in recorded:
            kids = self.children.setdefault(pid, [])
            if aid not in kids:
                kids.append(aid)
        return None

    def certify(self, who: str, aid: bytes, now: int) -> Errors:
        errs: set[str] = set()
        if not self.has("REGISTRAR_ROLE", who):
            errs.add(ROLE)
        a = self.assets.get(aid)
        if a is None or a.status != APPLIED:
            errs |= {"RegistryWrongStatus", "RegistryUnknownAsset"}
        else:
            if now < a.notice_ends:
                errs.add("RegistryNoticePeriodOpen")
            if a.frozen:
                errs.add("RegistryAssetFrozen")
        if errs:
            return errs
        assert a is not None
        self.serial += 1
        a.status, a.serial, a.certified_at = CERTIFIED, self.serial, now
        return None

    def reject(self, who: str, aid: bytes) -> Errors:
        errs: set[str] = set()
        if not self.has("REGISTRAR_ROLE", who):
            errs.add(ROLE)
        a = self.assets.get(aid)
        if a is None or a.status != APPLIED:
            errs |= {"RegistryWrongStatus", "RegistryUnknownAsset"}
        if errs:
            return errs
        assert a is not None
        a.status = REJECTED
        return None

    def revoke(self, who: str, aid: bytes) -> Errors:
        errs: set[str] = set()
        if not self.has("REGISTRAR_ROLE", who):
            errs.add(ROLE)
        a = self.assets.get(aid)
        if a is None or a.status != CERTIFIED:
            errs |= {"RegistryWrongStatus", "RegistryUnknownAsset"}
        if errs:
            return errs
        assert a is not None
        a.status = REVOKED
        return None

    def transfer(self, who: str, aid: bytes, right: int, frm: str, to: str, n: int) -> Errors:
        errs = self._rights_op_errors(aid)
        if self.resolve(frm) != who:
            errs.add("RegistryUnauthorizedHolder")
        if self.available(aid, right, frm) < n:
            errs.add("RegistryInsufficientShares")
        if errs:
            return errs
        self._move(aid, right, frm, to, n)
        return None

    def grant(self, who: str, lic: MLicence, exchange: bool = False) -> Errors:
        errs = self._rights_op_errors(lic.asset)
        a = self.assets.get(lic.asset)
        grantor = lic.grantor
        if exchange and not self.has("EXCHANGE_ROLE", who):
            errs.add(ROLE)
        if a is None or self.effective(lic.asset, a.licensing_right, grantor) == 0:
            errs.add("RegistryNotLicensingHolder")
        if errs:
            return errs
        self.licences.append(lic)
        self.licensed.add((lic.asset, lic.licensee))
        return None

    def revoke_licence(self, who: str, lid: int) -> Errors:
        if not 0 < lid <= len(self.licences):
            return {"RegistryUnknownLicence"}
        lic = self.licences[lid - 1]
        errs: set[str] = set()
        if lic.revoked:
            errs.add("RegistryLicenceRevoked")
        if not (
            self.resolve(lic.grantor) == who or self.has("REGISTRAR_ROLE", who) or self.has("ARBITRATOR_ROLE", who)
        ):
            errs.add("RegistryNotGrantor")
        if errs:
            return errs
        lic.revoked = True
        return None

    def pledge(self, who: str, aid: bytes, right: int, frm: str, pledgee: str, n: int) -> Errors:
        errs = self._rights_op_errors(aid)
        if self.resolve(frm) != who:
            errs.add("RegistryUnauthorizedHolder")
        if self.available(aid, right, frm) < n:
            errs.add("RegistryInsufficientShares")
        if errs:
            return errs
        self.pledges.append(MPledge(aid, right, frm, pledgee, n))
        self.pledged[(aid, right, frm)] = self.pledged.get((aid, right, frm), 0) + n
        self.active_pledges[aid] = self.active_pledges.get(aid, 0) + 1
        return None

    def _close_pledge(self, p: MPledge) -> None:
        p.active = False
        self.pledged[(p.asset, p.right, p.pledgor)] -= p.shares
        self.active_pledges[p.asset] -= 1

    def release(self, who: str, pid: int) -> Errors:
        if not 0 < pid <= len(self.pledges):
            return {"RegistryUnknownPledge"}
        p = self.pledges[pid - 1]
        errs: set[str] = set()
        if not p.active:
            errs.add("RegistryPledgeInactive")
        if self.resolve(p.pledgee) != who:
            errs.add("RegistryNotPledgee")
        if errs:
            return errs
        self._close_pledge(p)
        return None

    def enforce(self, who: str, pid: int) -> Errors:
        errs: set[str] = set()
        if not (self.has("REGISTRAR_ROLE", who) or self.has("ARBITRATOR_ROLE", who)):
            errs.add(ROLE)
        if not 0 < pid <= len(self.pledges):
            return errs | {"RegistryUnknownPledge"}
        p = self.pledges[pid - 1]
        if not p.active:
            errs.add("RegistryPledgeInactive")
        if errs:
            return errs
        self._close_pledge(p)
        self._move(p.asset, p.right, p.pledgor, p.pledgee, p.shares)
        return None

    def standing(self, who: str, aid: bytes) -> bool:
        a = self.assets[aid]
        if a.status == APPLIED:
            return True
        if any(self.effective(aid, r, who) > 0 for r in (HOLDING, PROCESSING, OPERATION)):
            return True
        fam = set(self.family(who))
        if any((aid, f) in self.licensed for f in fam):
            return True
        if any(p.active and p.asset == aid and p.pledgee in fam for p in self.pledges):
            return True
        return self.has("REGULATOR_ROLE", who)

    def file_dispute(self, who: str, aid: bytes) -> Errors:
        if aid not in self.assets:
            return {"RegistryUnknownAsset"}
        if not self.standing(who, aid):
            return {"RegistryNoStanding"}
        self.disputes.append(MDispute(aid, who))
        self.assets[aid].open_disputes += 1
        return None

    def resolve_dispute(self, who: str, did: int, ruling: int, transfers: list[tuple[int, str, str, int]]) -> Errors:
        errs: set[str] = set()
        if not self.has("ARBITRATOR_ROLE", who):
            errs.add(ROLE)
        if not 0 < did <= len(self.disputes):
            return errs | {"RegistryUnknownDispute"}
        d = self.disputes[did - 1]
        if d.ruling != 0:
            errs.add("RegistryDisputeClosed")
        if ruling == 0 or (transfers and ruling != 2):
            errs.add("RegistryInvalidRuling")
        a = self.assets[d.asset]
        # Transfers are checked cumulatively.
        if ruling == 2 and not errs:
            scratch = {k: dict(v) for k, v in self.bal.items()}
            for right, frm, _to, n in transfers:
                book = scratch.get((d.asset, right), {})
                avail = book.get(frm, 0) - self.pledged.get((d.asset, right, frm), 0)
                if n == 0:
                    errs.add("RegistryInvalidShares")
                elif avail < n:
                    errs.add("RegistryInsufficientShares")
                else:
                    book[frm] -= n
                    book[self.resolve(_to)] = book.get(self.resolve(_to), 0) + n
        if errs:
            return errs
        d.ruling = ruling
        a.open_disputes -= 1
        if ruling == 2:
            for right, frm, to, n in transfers:
                self._move(d.asset, right, frm, to, n)
        elif ruling == 3 and a.status in (APPLIED, CERTIFIED):
            a.status = REJECTED if a.status == APPLIED else REVOKED
        return None

    def freeze(self, who: str, aid: bytes, on: bool) -> Errors:
        errs: set[str] = set()
        if not self.has("REGULATOR_ROLE", who):
            errs.add(ROLE)
        a = self.assets.get(aid)
        if a is None:
            return errs | {"RegistryUnknownAsset"}
        if on and a.reg_frozen:
            errs.add("RegistryAlreadyFrozen")
        if not on and not a.reg_frozen:
            errs.add("RegistryNotFrozen")
        if errs:
            return errs
        a.reg_frozen = on
        return None

    def succession(self, who: str, pred: str, succ: str) -> Errors:
        errs: set[str] = set()
        if not self.has("REGISTRAR_ROLE", who):
            errs.add(ROLE)
        if pred in self.successor:
            errs.add("RegistryAlreadySucceeded")
        if pred == succ or self.resolve(succ) == pred:
            errs.add("RegistrySuccessionCycle")
        if errs:
            return errs
        self.successor[pred] = succ
        self.predecessors.setdefault(succ, []).append(pred)
        return None
