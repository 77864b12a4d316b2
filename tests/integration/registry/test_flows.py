"""The registry end to end on a real anvil: every operation and its refusals."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from provenance.chain import Chain
from provenance.errors import ContractRevert, InputError
from provenance.records.registry import (
    Category,
    Kind,
    Level,
    LicenceTerms,
    Right,
    RightTransfer,
    Ruling,
    Status,
    format_code,
    parse_code,
)
from provenance.registry import Registry
from tests.integration.registry.conftest import Actors, advance, now
from tests.integration.registry.helpers import h, reg

Make = Callable[..., Registry]


def certified(as_: Make, actors: Actors, chain: Chain, name: str = "a", owner: object = None, **kw: object) -> bytes:
    owner = owner or actors.alice
    applied = as_(owner).register(reg(name, **kw))
    advance(chain, 3600)
    as_(actors.registrar).certify(applied.asset_id)
    return applied.asset_id


def test_register_notice_certify_and_code(as_: Make, actors: Actors, chain: Chain) -> None:
    alice = as_(actors.alice)
    applied = alice.register(reg("air", category=Category.PUBLIC, level=Level.IMPORTANT, kind=Kind.PRODUCT))
    assert applied.asset_id == h("data:air")
    asset = alice.asset(applied.asset_id)
    assert asset.status is Status.APPLIED and asset.applicant == actors.alice.address
    assert asset.category is Category.PUBLIC and asset.level is Level.IMPORTANT and asset.kind is Kind.PRODUCT
    # Every right starts whole with the applicant.
    for right in Right:
        assert alice.holders(applied.asset_id, right) == {actors.alice.address: 1_000_000}
    with pytest.raises(ContractRevert) as notice:
        as_(actors.registrar).certify(applied.asset_id)
    assert notice.value.name == "RegistryNoticePeriodOpen"
    advance(chain, 3600)
    done = as_(actors.registrar).certify(applied.asset_id)
    cert = done.certificate
    year = __import__("datetime").datetime.fromtimestamp(cert.certified_at, __import__("datetime").UTC).year
    assert cert.number == f"DR-{year}-{cert.serial:06d}"
    assert parse_code(cert.code) == alice.expected_code(applied.asset_id)
    assert format_code(parse_code(cert.code)) == cert.code
    again = alice.certificate_by_code(cert.code)
    assert again.asset_id == applied.asset_id and again.number == cert.number
    with pytest.raises(InputError, match="no certificate carries"):
        alice.certificate_by_code("0000-0000-0000-0000")


def test_duplicate_and_bad_registrations(as_: Make, actors: Actors) -> None:
    alice, bob = as_(actors.alice), as_(actors.bob)
    alice.register(reg("dup"))
    with pytest.raises(ContractRevert) as exc:
        bob.register(reg("dup"))
    assert exc.value.name == "RegistryAssetExists"
    with pytest.raises(InputError, match="consent"):
        reg("p", category=Category.PERSONAL)
    with pytest.raises(InputError, match="32-byte"):
        reg("x", consent_ref="0x1234")


def test_reject_then_reapply(as_: Make, actors: Actors, chain: Chain) -> None:
    alice = as_(actors.alice)
    applied = alice.register(reg("r"))
    as_(actors.registrar).reject(applied.asset_id, "metadata incomplete")
    assert alice.status(applied.asset_id) is Status.REJECTED
    again = as_(actors.bob).register(reg("r"))
    assert alice.asset(again.asset_id).applicant == actors.bob.address
    assert alice.holders(again.asset_id, Right.HOLDING) == {actors.bob.address: 1_000_000}


def test_transfers_shares_and_co_holding(as_: Make, actors: Actors, chain: Chain) -> None:
    aid = certified(as_, actors, chain)
    alice, bob = as_(actors.alice), as_(actors.bob)
    alice.transfer_right(aid, Right.PROCESSING, actors.bob.address, 400_000)
    alice.transfer_right(aid, Right.PROCESSING, actors.carol.address, 100_000)
    bob.transfer_right(aid, Right.PROCESSING, actors.carol.address, 50_000)
    assert alice.holders(aid, Right.PROCESSING) == {
        actors.alice.address: 500_000,
        actors.bob.address: 350_000,
        actors.carol.address: 150_000,
    }
    assert alice.holders(aid, Right.HOLDING) == {actors.alice.address: 1_000_000}
    with pytest.raises(ContractRevert) as exc:
        bob.transfer_right(aid, Right.PROCESSING, actors.dave.address, 350_001)
    assert exc.value.name == "RegistryInsufficientShares"
    with pytest.raises(ContractRevert) as exc:
        bob.transfer_right(aid, Right.PROCESSING, actors.dave.address, 1, from_=actors.alice.address)
    assert exc.value.name == "RegistryUnauthorizedHolder"
    # Shares coming back to the applicant count again as its own.
    bob.transfer_right(aid, Right.PROCESSING, actors.alice.address, 350_000)
    assert alice.holders(aid, Right.PROCESSING) == {actors.alice.address: 850_000, actors.carol.address: 150_000}


def test_licences_expiry_revocation_and_may_use(as_: Make, actors: Actors, chain: Chain) -> None:
    aid = certified(as_, actors, chain)
    alice = as_(actors.alice)
    t0 = now(chain)
    purpose = h("purpose:training")
    lic = alice.grant_licence(LicenceTerms(aid, actors.bob.address, purpose, t0, t0 + 1000, h("terms"), 500, True))
    assert alice.may_use(aid, actors.bob.address, purpose)
    assert not alice.may_use(aid, actors.bob.address, h("purpose:other"))
    assert not alice.may_use(aid, actors.carol.address, purpose)
    assert alice.may_use(aid, actors.alice.address, h("anything"))  # the processing-right holder
    advance(chain, 1001)
    assert not alice.may_use(aid, actors.bob.address, purpose)  # expired without any transaction
    assert not alice.is_licence_valid(lic.id)
    lic2 = alice.grant_licence(
        LicenceTerms(aid, actors.bob.address, purpose, now(chain), now(chain) + 10_000, h("t"), 0, False)
    )
    as_(actors.bob)  # a licensee cannot revoke
    with pytest.raises(ContractRevert) as exc:
        as_(actors.bob).revoke_licence(lic2.id, "mine")
    assert exc.value.name == "RegistryNotGrantor"
    alice.revoke_licence(lic2.id, "breach")
    assert not alice.may_use(aid, actors.bob.address, purpose)
    with pytest.raises(ContractRevert) as exc:
        as_(actors.carol).grant_licence(
            LicenceTerms(aid, actors.bob.address, purpose, now(chain), now(chain) + 5, h("t"))
        )
    assert exc.value.name == "RegistryNotLicensingHolder"


def test_derived_data_lineage(as_: Make, actors: Actors, chain: Chain) -> None:
    parent = certified(as_, actors, chain, "parent")
    alice, bob = as_(actors.alice), as_(actors.bob)
    t0 = now(chain)
    no_deriv = alice.grant_licence(LicenceTerms(parent, actors.bob.address, h("p"), t0, t0 + 10**6, h("t"), 700, False))
    with pytest.raises(ContractRevert) as exc:
        bob.register(reg("child", parents=(parent,), parent_licences=(no_deriv.id,)))
    assert exc.value.name == "RegistryDerivativeNotPermitted"
    lic = alice.grant_licence(LicenceTerms(parent, actors.bob.address, h("p"), t0, t0 + 10**6, h("t"), 700, True))
    child = bob.register(reg("child", parents=(parent,), parent_licences=(lic.id,)))
    assert bob.parents(child.asset_id) == [(parent, 700)]
    assert bob.children(parent) == [child.asset_id]
    own = alice.register(reg("own-child", parents=(parent,), parent_licences=(0,)))
    assert alice.parents(own.asset_id) == [(parent, 0)]
    assert alice.lineage(parent)["descendants"] == [child.asset_id, own.asset_id]
    with pytest.raises(ContractRevert) as exc:
        as_(actors.carol).register(reg("c2", parents=(parent,), parent_licences=(lic.id,)))
    assert exc.value.name == "RegistryDerivativeNotPermitted"


def test_pledge_blocks_moves_until_released_or_enforced(as_: Make, actors: Actors, chain: Chain) -> None:
    aid = certified(as_, actors, chain)
    alice, bank = as_(actors.alice), as_(actors.dave)
    p = alice.create_pledge(aid, Right.HOLDING, actors.dave.address, 600_000, h("loan"))
    assert alice.active_pledge_count(aid) == 1
    with pytest.raises(ContractRevert) as exc:
        alice.transfer_right(aid, Right.HOLDING, actors.bob.address, 500_000)
    assert exc.value.name == "RegistryInsufficientShares"
    alice.transfer_right(aid, Right.HOLDING, actors.bob.address, 400_000)  # the unpledged part moves
    with pytest.raises(ContractRevert) as exc:
        alice.release_pledge(p.id)
    assert exc.value.name == "RegistryNotPledgee"
    bank.release_pledge(p.id)
    assert alice.active_pledge_count(aid) == 0
    p2 = alice.create_pledge(aid, Right.HOLDING, actors.dave.address, 600_000, h("loan2"))
    as_(actors.registrar).enforce_pledge(p2.id)
    assert alice.holders(aid, Right.HOLDING) == {actors.bob.address: 400_000, actors.dave.address: 600_000}
    assert not alice.pledge(p2.id).active


def test_dispute_freezes_and_ruling_transfers(as_: Make, actors: Actors, chain: Chain) -> None:
    aid = certified(as_, actors, chain)
    alice, bob = as_(actors.alice), as_(actors.bob)
    alice.transfer_right(aid, Right.HOLDING, actors.bob.address, 1)
    with pytest.raises(ContractRevert) as exc:
        as_(actors.stranger).file_dispute(aid, h("ev"))
    assert exc.value.name == "RegistryNoStanding"
    d = bob.file_dispute(aid, h("evidence"))
    assert alice.is_frozen(aid)
    for attempt in (
        lambda: alice.transfer_right(aid, Right.HOLDING, actors.carol.address, 1),
        lambda: alice.grant_licence(
            LicenceTerms(aid, actors.carol.address, h("p"), now(chain), now(chain) + 9, h("t"))
        ),
        lambda: alice.create_pledge(aid, Right.HOLDING, actors.carol.address, 1, h("l")),
    ):
        with pytest.raises(ContractRevert) as exc:
            attempt()
        assert exc.value.name == "RegistryAssetFrozen"
    as_(actors.arbitrator).resolve_dispute(
        d.id,
        Ruling.RIGHTS_TRANSFERRED,
        h("ruling"),
        [RightTransfer(Right.HOLDING, actors.alice.address, actors.bob.address, 499_999)],
    )
    assert not alice.is_frozen(aid)
    assert alice.holders(aid, Right.HOLDING) == {actors.alice.address: 500_000, actors.bob.address: 500_000}
    assert alice.dispute(d.id).ruling is Ruling.RIGHTS_TRANSFERRED


def test_objection_during_notice_rejects(as_: Make, actors: Actors, chain: Chain) -> None:
    applied = as_(actors.alice).register(reg("contested"))
    d = as_(actors.stranger).file_dispute(applied.asset_id, h("it is mine"))  # anyone may object in notice
    advance(chain, 3600)
    with pytest.raises(ContractRevert) as exc:
        as_(actors.registrar).certify(applied.asset_id)
    assert exc.value.name == "RegistryAssetFrozen"
    as_(actors.arbitrator).resolve_dispute(d.id, Ruling.CERTIFICATE_REVOKED, h("upheld"))
    assert as_(actors.alice).status(applied.asset_id) is Status.REJECTED


def test_succession_constant_gas(as_: Make, actors: Actors, chain: Chain) -> None:
    ids = [certified(as_, actors, chain, f"s{i}") for i in range(3)]
    alice = as_(actors.alice)
    t0 = now(chain)
    purpose = h("use")
    alice.grant_licence(LicenceTerms(ids[0], actors.bob.address, purpose, t0, t0 + 10**6, h("t")))
    small = as_(actors.registrar).record_succession(actors.alice.address, actors.carol.address, "merger", h("basis"))
    # carol now acts for alice's rights...
    carol = as_(actors.carol)
    assert carol.resolve_party(actors.alice.address) == actors.carol.address
    assert carol.effective_shares_of(ids[1], Right.HOLDING, actors.carol.address) == 1_000_000
    carol.transfer_right(ids[1], Right.HOLDING, actors.dave.address, 10, from_=actors.alice.address)
    with pytest.raises(ContractRevert):
        alice.transfer_right(ids[1], Right.HOLDING, actors.dave.address, 10)
    # ... and bob's licences act as dave's after bob is succeeded by dave.
    as_(actors.registrar).record_succession(actors.bob.address, actors.dave.address, "death", h("will"))
    assert carol.may_use(ids[0], actors.dave.address, purpose)
    with pytest.raises(ContractRevert) as exc:
        as_(actors.registrar).record_succession(actors.carol.address, actors.alice.address, "merger", h("x"))
    assert exc.value.name == "RegistrySuccessionCycle"
    # Gas does not grow with the number of assets held.
    for i in range(3, 12):
        certified(as_, actors, chain, f"s{i}", owner=actors.stranger)
    big = as_(actors.registrar).record_succession(actors.stranger.address, actors.bob.address, "split", h("b2"))
    assert big.gas_used <= small.gas_used + 5_000


def test_regulator_freeze_and_recognition(as_: Make, actors: Actors, chain: Chain) -> None:
    aid = certified(as_, actors, chain)
    reg_ = as_(actors.regulator)
    reg_.freeze(aid, h("order"))
    with pytest.raises(ContractRevert) as exc:
        reg_.freeze(aid, h("order"))
    assert exc.value.name == "RegistryAlreadyFrozen"
    with pytest.raises(ContractRevert) as exc:
        as_(actors.alice).transfer_right(aid, Right.HOLDING, actors.bob.address, 1)
    assert exc.value.name == "RegistryAssetFrozen"
    reg_.unfreeze(aid, h("lifted"))
    as_(actors.alice).transfer_right(aid, Right.HOLDING, actors.bob.address, 1)
    other = "0x" + "ab" * 20
    admin = as_(actors.admin)
    assert not admin.is_recognized_registry(5, other)
    admin.set_recognized_registry(5, other, True)
    assert admin.is_recognized_registry(5, other)


def test_batch_registration(as_: Make, actors: Actors) -> None:
    alice = as_(actors.alice)
    applied = alice.register_batch([reg(f"b{i}") for i in range(20)])
    assert [a.asset_id for a in applied] == [h(f"data:b{i}") for i in range(20)]
    with pytest.raises(InputError):
        alice.register_batch([])
    with pytest.raises(ContractRevert) as exc:  # all or nothing
        alice.register_batch([reg("fresh"), reg("b3")])
    assert exc.value.name == "RegistryAssetExists"
    assert alice.status(h("data:fresh")) is Status.NONE


def test_input_validation_in_client(as_: Make, actors: Actors) -> None:
    alice = as_(actors.alice)
    with pytest.raises(InputError, match="asset id"):
        alice.asset("0x12")
    with pytest.raises(InputError, match="shares"):
        alice.transfer_right(b"\x01" * 32, Right.HOLDING, actors.bob.address, 0)
    with pytest.raises(InputError, match="right"):
        alice.transfer_right(b"\x01" * 32, "ownership", actors.bob.address, 1)
    with pytest.raises(InputError, match="to is not"):
        alice.transfer_right(b"\x01" * 32, Right.HOLDING, "0x1234", 1)
    with pytest.raises(InputError, match="start before"):
        LicenceTerms(b"\x01" * 32, actors.bob.address, b"\x02" * 32, 10, 10, b"\x03" * 32)
    with pytest.raises(InputError, match="read-only"):
        Registry(alice.chain, alice.address).register(reg("ro"))
