"""Random sequences of every registry operation by every role, against a Python model, on anvil.

After each step the contract's views (assets, holders, pledges, licences, may-use answers,
lineage, successions, freezes) must equal the model's.
"""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Chain, RpcError, Sender
from provenance.deployment import deploy
from provenance.errors import ContractRevert
from provenance.node import LocalNode
from provenance.records.registry import Category, Kind, Level, LicenceTerms, Registration, Right, RightTransfer
from provenance.registry import Registry
from tests.property.registry_model import TOTAL, Errors, MLicence, RegistryModel

NOTICE = 100
NAMES = [f"asset-{i}" for i in range(3)]
PURPOSES = [hashlib.sha256(f"purpose-{i}".encode()).digest() for i in range(2)]


def _h(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


class _World:
    """One anvil + deployment shared by all examples; each example runs inside a snapshot."""

    def __init__(self) -> None:
        self.node = LocalNode().start()
        self.chain = Chain(self.node.url)
        # Deterministic time: every block is exactly one second after the previous one.
        self.chain.rpc("anvil_setBlockTimestampInterval", [1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DevKeyWarning)
            self.signers = [dev_signer(i, self.chain.chain_id) for i in range(9)]
        admin, registrar, arbitrator, regulator = self.signers[:4]
        self.deployment = deploy(
            self.chain,
            Sender(self.chain, admin),
            notice_period=NOTICE,
            roles={
                "REGISTRAR_ROLE": [registrar.address],
                "ARBITRATOR_ROLE": [arbitrator.address],
                "REGULATOR_ROLE": [regulator.address],
                "EXCHANGE_ROLE": [self.signers[8].address],
            },
        )
        self.roles = {
            "DEFAULT_ADMIN_ROLE": {admin.address},
            "REGISTRAR_ROLE": {registrar.address},
            "ARBITRATOR_ROLE": {arbitrator.address},
            "REGULATOR_ROLE": {regulator.address},
            "EXCHANGE_ROLE": {self.signers[8].address},
        }


_WORLD: _World | None = None


def world() -> _World:
    global _WORLD
    if _WORLD is None:
        _WORLD = _World()
    return _WORLD


actor_ix = st.integers(0, 8)
user_ix = st.sampled_from([4, 4, 4, 5, 5, 6, 7])
maybe_self = st.none() | st.none() | user_ix  # None: the holder key is the caller's own
right_st = st.integers(0, 2)
share_st = st.sampled_from([1, 1_000, 125_000, 250_000, 500_000, 999_999, TOTAL])


class RegistryMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.w = world()
        self.snap = self.w.chain.rpc("evm_snapshot")
        self.model = RegistryModel({k: set(v) for k, v in self.w.roles.items()}, NOTICE)
        self.clients = [
            Registry.from_deployment(self.w.deployment, self.w.chain, Sender(self.w.chain, s)) for s in self.w.signers
        ]
        self.addr = [s.address for s in self.w.signers]
        self.steps = 0

    def teardown(self) -> None:
        assert self.w.chain.rpc("evm_revert", [self.snap]) is True

    # ------------------------------------------------------------------ plumbing
    def now(self) -> int:
        return int(self.w.chain.get_block()["timestamp"], 16)

    def pending_time(self) -> int:
        return self.now() + 1

    def apply(self, expected: Errors, action: Any) -> None:
        """Run ``action``; it must fail with one of ``expected`` iff the model refused."""
        try:
            action()
        except ContractRevert as exc:
            assert expected is not None, f"contract refused ({exc}) what the model accepted"
            assert exc.name in expected, f"contract said {exc.name}, model expected one of {sorted(expected)}"
            return
        assert expected is None, f"contract accepted what the model refused with {sorted(expected)}"

    def asset_ids(self) -> list[bytes]:
        return [_h("data:" + n) for n in NAMES]

    # ------------------------------------------------------------------ rules
    @initialize()
    def certified_asset(self) -> None:
        """Start every run with one certified asset held by user 4, so rights operations have a target."""
        self.register(4, NAMES[0], 1, 0, 0, None)
        self.advance(173)
        self.certify(1, NAMES[0])
        assert self.model.assets[_h("data:" + NAMES[0])].status == 2

    @rule(
        who=user_ix,
        name=st.sampled_from(NAMES),
        category=st.integers(0, 2),
        level=st.integers(0, 2),
        kind=st.integers(0, 1),
        parent=st.none() | st.tuples(st.sampled_from(NAMES), st.integers(0, 4)),
    )
    def register(
        self, who: int, name: str, category: int, level: int, kind: int, parent: tuple[str, int] | None
    ) -> None:
        aid = _h("data:" + name)
        consent = _h("consent:" + name) if category == 2 else b"\x00" * 32
        parents = [(_h("data:" + parent[0]), parent[1])] if parent else []
        reg = Registration(
            aid,
            _h("meta:" + name),
            f"ipfs://{name}",
            Category(category),
            Level(level),
            Kind(kind),
            consent,
            tuple(p for p, _ in parents),
            tuple(x for _, x in parents),
        )
        # Pre-flight runs at the pending block: time moves on by one second.
        expected = self.model.register(
            self.addr[who], aid, reg.metadata_hash, category, level, kind, consent, parents, self.pending_time()
        )
        self.apply(expected, lambda: self.clients[who].register(reg))

    @rule(who=st.sampled_from([1, 1, 1, 0, 4]), name=st.sampled_from(NAMES))
    def certify(self, who: int, name: str) -> None:
        aid = _h("data:" + name)
        expected = self.model.certify(self.addr[who], aid, self.pending_time())
        if expected is None:
            # The model stamped the certificate with the pending time; re-read it after mining.
            done = self.clients[who].certify(aid)
            self.model.assets[aid].certified_at = done.certificate.certified_at
            return
        self.apply(expected, lambda: self.clients[who].certify(aid))

    @rule(who=actor_ix, name=st.sampled_from(NAMES), revoke=st.booleans())
    def reject_or_revoke(self, who: int, name: str, revoke: bool) -> None:
        aid = _h("data:" + name)
        if revoke:
            self.apply(
                self.model.revoke(self.addr[who], aid),
                lambda: self.clients[who].revoke_certificate(aid, "revoked in test"),
            )
        else:
            self.apply(self.model.reject(self.addr[who], aid), lambda: self.clients[who].reject(aid, "rejected"))

    @rule(seconds=st.sampled_from([37, 173, 1_013, 10_007]))
    def advance(self, seconds: int) -> None:
        # With a fixed block timestamp interval anvil ignores evm_increaseTime: set the next block's time.
        self.w.chain.rpc("evm_setNextBlockTimestamp", [self.now() + seconds])
        self.w.chain.rpc("evm_mine", [])

    @rule(
        who=user_ix, name=st.sampled_from(NAMES), right=right_st, frm=maybe_self, to=st.integers(4, 8), shares=share_st
    )
    def transfer(self, who: int, name: str, right: int, frm: int | None, to: int, shares: int) -> None:
        frm = who if frm is None else frm
        aid = _h("data:" + name)
        expected = self.model.transfer(self.addr[who], aid, right, self.addr[frm], self.addr[to], shares)
        self.apply(
            expected, lambda: self.clients[who].transfer_right(aid, right, self.addr[to], shares, self.addr[frm])
        )

    @rule(
        who=st.sampled_from([4, 4, 4, 5, 6, 8]),
        name=st.sampled_from(NAMES),
        licensee=user_ix,
        purpose=st.sampled_from(PURPOSES),
        duration=st.sampled_from([500, 20_000]),
        deriv=st.booleans(),
        bps=st.sampled_from([0, 2_500, 6_000]),
        grantor=user_ix,
    )
    def grant_licence(
        self, who: int, name: str, licensee: int, purpose: bytes, duration: int, deriv: bool, bps: int, grantor: int
    ) -> None:
        aid = _h("data:" + name)
        start = self.now()
        terms = LicenceTerms(aid, self.addr[licensee], purpose, start, start + duration, _h("terms"), bps, deriv)
        via_exchange = who == 8
        g = self.addr[grantor] if via_exchange else self.addr[who]
        lic = MLicence(aid, self.addr[licensee], purpose, start, start + duration, bps, deriv, g)
        expected = self.model.grant(self.addr[who], lic, exchange=via_exchange)
        if via_exchange:
            client = self.clients[who]
            self.apply(expected, lambda: client._tx("grantLicenceFor", g, terms.as_abi()))
        else:
            self.apply(expected, lambda: self.clients[who].grant_licence(terms))

    @precondition(lambda self: self.model.licences)
    @rule(who=actor_ix, data=st.data())
    def revoke_licence(self, who: int, data: st.DataObject) -> None:
        lid = data.draw(st.integers(1, len(self.model.licences)))
        self.apply(
            self.model.revoke_licence(self.addr[who], lid), lambda: self.clients[who].revoke_licence(lid, "revoked")
        )

    @rule(who=user_ix, name=st.sampled_from(NAMES), right=right_st, frm=maybe_self, pledgee=user_ix, shares=share_st)
    def pledge(self, who: int, name: str, right: int, frm: int | None, pledgee: int, shares: int) -> None:
        frm = who if frm is None else frm
        aid = _h("data:" + name)
        expected = self.model.pledge(self.addr[who], aid, right, self.addr[frm], self.addr[pledgee], shares)
        self.apply(
            expected,
            lambda: self.clients[who].create_pledge(aid, right, self.addr[pledgee], shares, _h("loan"), self.addr[frm]),
        )

    @precondition(lambda self: self.model.pledges)
    @rule(who=actor_ix, enforce=st.booleans(), data=st.data())
    def close_pledge(self, who: int, enforce: bool, data: st.DataObject) -> None:
        pid = data.draw(st.integers(1, len(self.model.pledges)))
        if enforce:
            self.apply(self.model.enforce(self.addr[who], pid), lambda: self.clients[who].enforce_pledge(pid))
        else:
            self.apply(self.model.release(self.addr[who], pid), lambda: self.clients[who].release_pledge(pid))

    @precondition(lambda self: sum(a.open_disputes for a in self.model.assets.values()) < 2)
    @rule(who=st.sampled_from([4, 5, 6, 3, 8]), name=st.sampled_from(NAMES))
    def file_dispute(self, who: int, name: str) -> None:
        aid = _h("data:" + name)
        self.apply(
            self.model.file_dispute(self.addr[who], aid), lambda: self.clients[who].file_dispute(aid, _h("evidence"))
        )

    @precondition(lambda self: self.model.disputes)
    @rule(
        who=st.sampled_from([2, 2, 2, 1, 6]),
        ruling=st.integers(1, 3),
        data=st.data(),
        move=st.none() | st.tuples(right_st, user_ix, user_ix, share_st),
    )
    def resolve_dispute(
        self, who: int, ruling: int, data: st.DataObject, move: tuple[int, int, int, int] | None
    ) -> None:
        did = data.draw(st.integers(1, len(self.model.disputes)))
        transfers: list[tuple[int, str, str, int]] = (
            [(move[0], self.addr[move[1]], self.addr[move[2]], move[3])] if move else []
        )
        expected = self.model.resolve_dispute(self.addr[who], did, ruling, transfers)
        self.apply(
            expected,
            lambda: self.clients[who].resolve_dispute(
                did, ruling, _h("ruling"), [RightTransfer(Right(r), f, t, n) for r, f, t, n in transfers]
            ),
        )

    @rule(who=st.sampled_from([3, 3, 3, 0, 5]), name=st.sampled_from(NAMES), on=st.booleans())
    def freeze(self, who: int, name: str, on: bool) -> None:
        aid = _h("data:" + name)
        client = self.clients[who]
        self.apply(
            self.model.freeze(self.addr[who], aid, on),
            lambda: (client.freeze if on else client.unfreeze)(aid, _h("order")),
        )

    @precondition(lambda self: len(self.model.successor) < 2)
    @rule(who=st.sampled_from([1, 1, 1, 0]), pred=user_ix, succ=st.integers(4, 8))
    def succession(self, who: int, pred: int, succ: int) -> None:
        self.apply(
            self.model.succession(self.addr[who], self.addr[pred], self.addr[succ]),
            lambda: self.clients[who].record_succession(self.addr[pred], self.addr[succ], 0, _h("basis")),
        )

    # ------------------------------------------------------------------ the contract equals the model
    @invariant()
    def views_equal_model(self) -> None:
        reader = self.clients[0]
        m = self.model
        now = self.now()
        for aid in self.asset_ids():
            a = m.assets.get(aid)
            got = reader.asset(aid)
            if a is None:
                assert int(got.status) == 0
                continue
            assert (got.applicant, int(got.category), int(got.level), int(got.kind), int(got.status)) == (
                a.applicant,
                a.category,
                a.level,
                a.kind,
                a.status,
            )
            assert (got.metadata_hash, got.consent_ref, got.serial, got.open_disputes, got.regulator_frozen) == (
                a.metadata_hash,
                a.consent,
                a.serial,
                a.open_disputes,
                a.reg_frozen,
            )
            assert got.notice_ends_at == a.notice_ends or abs(got.notice_ends_at - a.notice_ends) <= 2
            m.assets[aid].notice_ends = got.notice_ends_at  # pin the mined time
            if a.serial:
                assert got.certified_at == a.certified_at
            for right in range(3):
                assert reader.holders(aid, right) == m.holders(aid, right)
                for holder in self.addr[4:9]:
                    assert reader.pledged_shares_of(aid, right, holder) == m.pledged.get((aid, right, holder), 0)
            assert reader.active_pledge_count(aid) == m.active_pledges.get(aid, 0)
            assert reader.is_frozen(aid) == a.frozen
            assert reader.parents(aid) == a.parents
            assert reader.children(aid) == m.children.get(aid, [])
            for who in self.addr[4:8]:
                for purpose in PURPOSES:
                    near = any(abs(lic.expires - now) <= 2 or abs(lic.starts - now) <= 2 for lic in m.licences)
                    if not near:
                        assert reader.may_use(aid, who, purpose) == m.may_use(aid, who, purpose, now), (who, purpose)
        for lid, lic in enumerate(m.licences, start=1):
            got_l = reader.licence(lid)
            assert (got_l.revoked, got_l.grantor, got_l.terms.licensee) == (lic.revoked, lic.grantor, lic.licensee)
        for pid, p in enumerate(m.pledges, start=1):
            got_p = reader.pledge(pid)
            assert (got_p.active, got_p.pledgor, got_p.pledgee, got_p.shares) == (
                p.active,
                p.pledgor,
                p.pledgee,
                p.shares,
            )
        for did, d in enumerate(m.disputes, start=1):
            assert int(reader.dispute(did).ruling) == d.ruling
        for who in self.addr[4:9]:
            assert reader.resolve_party(who) == m.resolve(who)


RegistryMachine.TestCase.settings = settings(
    max_examples=20,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.fixture(scope="module", autouse=True)
def _stop_world() -> Any:
    yield
    global _WORLD
    if _WORLD is not None:
        _WORLD.node.stop()
        _WORLD = None


TestRegistryStateful = RegistryMachine.TestCase

__all__ = ["RpcError", "TestRegistryStateful"]
