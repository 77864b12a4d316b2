"""What may not be listed or traded, and the custom errors that say why."""

from __future__ import annotations

from typing import Any

import pytest

from provenance.chain import Call
from provenance.errors import InputError
from provenance.exchange import NATIVE, Exchange, ListingTerms, TradeStatus
from provenance.records.registry import Category, Kind, Level, Registration, Right, Status
from tests.integration.exchange.helpers import ETHER, World, h, reverts


def terms(w: World, asset: str = "derived", **kw: Any) -> ListingTerms:
    return ListingTerms(
        w.assets[asset] if asset in w.assets else bytes.fromhex(asset), h("contract"), ETHER, purpose_hash=h("p"), **kw
    )


def register(w: World, owner: object, name: str, *, certify: bool = True, **kw: object) -> bytes:
    r = Registration(h("data:" + name), h("meta:" + name), "", **kw)  # type: ignore[arg-type]
    w.reg(owner).register(r)  # type: ignore[arg-type]
    if certify:
        w.reg(w.actors.registrar).certify(r.asset_id)
    return r.asset_id


def test_listing_refusals_by_asset_state(w: World) -> None:
    a = w.actors
    bob = w.ex(a.bob)
    # (1) core data is never tradable
    core = register(w, a.bob, "core", level=Level.CORE, kind=Kind.PRODUCT)
    with reverts("ExchangeCoreDataNotTradable", assetId=core):
        bob.list_asset(terms(w, core.hex()))
    # (2) not certified: in notice, or rejected
    applied = register(w, a.bob, "applied", certify=False, kind=Kind.PRODUCT)
    with reverts("ExchangeAssetNotCertified", assetId=applied, status=int(Status.APPLIED)):
        bob.list_asset(terms(w, applied.hex()))
    with reverts("ExchangeAssetNotCertified", status=int(Status.NONE)):
        bob.list_asset(terms(w, h("never registered").hex()))
    # (3) a regulator's freeze
    derived = w.assets["derived"]
    w.reg(a.regulator).freeze(derived, h("order"))
    with reverts("ExchangeAssetFrozen", assetId=derived):
        bob.list_asset(terms(w))
    w.reg(a.regulator).unfreeze(derived, h("lifted"))
    # (4) an open dispute in the registry
    w.reg(a.carol).file_dispute(derived, h("co-holder objects"))
    with reverts("ExchangeAssetDisputed", assetId=derived, openDisputes=1):
        bob.list_asset(terms(w))
    w.reg(a.arbitrator).resolve_dispute(1, "dismissed", h("dismissed"))
    # (5) an active pledge
    pledge = w.reg(a.bob).create_pledge(derived, Right.HOLDING, a.stranger.address, 10, h("loan"))
    with reverts("ExchangeAssetPledged", assetId=derived, activePledges=1):
        bob.list_asset(terms(w))
    w.reg(a.stranger).release_pledge(pledge.id)
    assert bob.list_asset(terms(w)).listing_id == 1


def test_listing_refusals_by_seller_rights(w: World) -> None:
    a = w.actors
    # (1) no operation right at all
    with reverts("ExchangeNotOperationHolder", assetId=w.assets["derived"], account=a.dave.address):
        w.ex(a.dave).list_asset(terms(w))
    # (2) a resource's licence follows the processing right: the operation right alone is not enough
    res = w.assets["resource"]
    w.reg(a.dave).transfer_right(res, Right.OPERATION, a.carol.address, 1)
    with reverts("ExchangeNotLicensingHolder", assetId=res, account=a.carol.address, right=int(Right.PROCESSING)):
        w.ex(a.carol).list_asset(terms(w, "resource"))
    # (3) a party that has been succeeded acts through its successor only
    w.reg(a.registrar).record_succession(a.carol.address, a.stranger.address, "merger", h("merger deed"))
    with reverts("ExchangeSucceededParty", account=a.carol.address, successor=a.stranger.address):
        w.ex(a.carol).list_asset(terms(w))
    # ... and the successor lists with the shares it now acts for
    assert w.ex(a.stranger).list_asset(terms(w)).listing_id == 1


def test_listing_refusals_by_terms(w: World) -> None:
    a = w.actors
    bob = w.ex(a.bob)
    usd = w.tokens["usd"]
    # the client refuses malformed terms before anything is sent
    with pytest.raises(InputError, match="price"):
        ListingTerms(w.assets["derived"], h("c"), 0)
    with pytest.raises(InputError, match="contract hash"):
        ListingTerms(w.assets["derived"], b"\x00" * 32, 1)
    with pytest.raises(InputError, match="licence duration"):
        ListingTerms(w.assets["derived"], h("c"), 1, licence_duration=0)
    with pytest.raises(InputError, match="revenue share"):
        ListingTerms(w.assets["derived"], h("c"), 1, revenue_share_bps=10_001)
    with pytest.raises(InputError, match="currency"):
        ListingTerms(w.assets["derived"], h("c"), 1, currency="0x1234")
    # and the contract refuses them too, when sent raw
    base = terms(w, currency=usd).as_abi()
    with reverts("ExchangeZeroHash", field="contractHash"):
        bob._tx("list", (base[0], b"\x00" * 32, *base[2:]))
    with reverts("ExchangeInvalidPrice", price=2**128):
        bob._tx("list", (*base[:2], 2**128, *base[3:]))
    with reverts("ExchangeInvalidCurrency", currency=a.stranger.address):
        bob._tx("list", (*base[:3], a.stranger.address, *base[4:]))
    with reverts("ExchangeInvalidLicenceTerms", duration=0):
        bob._tx("list", (*base[:5], 0, *base[6:]))


def test_personal_data_without_consent_is_refused(w: World) -> None:
    """The real registry never certifies personal data without consent; a stub registry shows the
    exchange refuses it anyway (defence in depth)."""
    a = w.actors
    stub = w.deploy(a.admin, "StubRegistry", [], [])
    ex_addr = w.deploy(
        a.admin,
        "DataExchange",
        ["address", "address", "uint16", "address", "uint40"],
        [a.admin.address, stub, 0, a.admin.address, 60],
    )
    asset = h("personal")
    record = (
        a.bob.address,
        int(Category.PERSONAL),
        int(Level.GENERAL),
        int(Kind.PRODUCT),
        int(Status.CERTIFIED),
        0,
        h("m"),
        b"\x00" * 32,
        1,
        1,
        0,
        False,
    )
    w.sender(a.admin).transact(Call(stub, w.codec("StubRegistry").encode("setAsset", asset, record)))
    ex = Exchange(w.chain, ex_addr, w.sender(a.bob))
    with reverts("ExchangeConsentMissing", assetId=asset):
        ex.list_asset(ListingTerms(asset, h("c"), 1))
    consented = (*record[:7], h("consent form 17"), *record[8:])
    w.sender(a.admin).transact(Call(stub, w.codec("StubRegistry").encode("setAsset", asset, consented)))
    assert ex.list_asset(ListingTerms(asset, h("c"), 1)).listing_id == 1


def test_trading_frozen_or_pledged_assets_fails(w: World) -> None:
    a = w.actors
    derived = w.assets["derived"]
    lid = w.listed(a.bob)
    t = w.ex(a.dave).order(lid).trade_id
    offer = w.ex(a.carol).make_offer(lid, ETHER // 2).offer_id
    # (1) frozen after admission: no new orders, offers, acceptances or matches
    w.reg(a.regulator).freeze(derived, h("order"))
    with reverts("ExchangeAssetFrozen", assetId=derived):
        w.ex(a.dave).order(lid)
    with reverts("ExchangeAssetFrozen", assetId=derived):
        w.ex(a.dave).make_offer(lid, 1)
    with reverts("ExchangeAssetFrozen", assetId=derived):
        w.ex(a.bob).accept(offer)
    w.ex(a.dave).deposit(NATIVE, ETHER)
    ask, bid = w.ex(a.operator).sign_match(
        a.bob, a.dave, lid, price=ETHER, deadline=w.now() + 99, ask_nonce=1, bid_nonce=1
    )
    with reverts("ExchangeAssetFrozen", assetId=derived):
        w.ex(a.operator).match(ask, bid)
    w.ex(a.operator).suspend(lid, 1)
    with reverts("ExchangeAssetFrozen", assetId=derived):
        w.ex(a.operator).admit(lid)  # admission re-checks the asset
    # ... and a settlement cannot grant the licence: the registry's error comes through, decoded
    w.ex(a.bob).deliver(t, h("d"))
    w.ex(a.dave).confirm(t)
    with reverts("RegistryAssetFrozen", assetId=derived):
        w.ex(a.dave).settle(t)
    # a refund path stays open while frozen
    w.ex(a.dave).dispute_trade(t, h("frozen"))
    w.ex(a.arbitrator).resolve(t, "refund", h("refund while frozen"))
    w.ex(a.carol).cancel_offer(offer)
    w.reg(a.regulator).unfreeze(derived, h("lifted"))
    w.ex(a.operator).admit(lid)
    # (2) pledged after admission
    pledge = w.reg(a.carol).create_pledge(derived, Right.OPERATION, a.stranger.address, 1, h("loan"))
    with reverts("ExchangeAssetPledged", assetId=derived, activePledges=1):
        w.ex(a.dave).order(lid)
    with reverts("ExchangeAssetPledged"):
        w.ex(a.dave).make_offer(lid, 5)
    w.reg(a.stranger).release_pledge(pledge.id)
    assert w.ex(a.dave).order(lid).amount == ETHER
    w.assert_conserved()


def test_payment_and_party_errors(w: World) -> None:
    a = w.actors
    lid = w.listed(a.bob)
    dave = w.ex(a.dave)
    with reverts("ExchangeWrongPayment", expected=ETHER, sent=ETHER - 1):
        dave.submit([dave._call("order", lid, value=ETHER - 1)])
    with reverts("ExchangeSelfTrade", listingId=lid, account=a.bob.address):
        w.ex(a.bob).order(lid)
    usd_lid = w.listed(a.bob, price=10, currency=w.tokens["usd"])
    with reverts("ExchangeUnexpectedValue", value=1):
        dave.submit([dave._call("order", usd_lid, value=1)])
    with reverts("ERC20InsufficientAllowance"):
        dave.order(usd_lid, approve=False)
    t = dave.order(lid).trade_id
    with reverts("ExchangeUnauthorizedParty", account=a.dave.address):
        dave.deliver(t, h("d"))
    w.ex(a.bob).deliver(t, h("d"))
    with reverts("ExchangeUnauthorizedParty", account=a.bob.address):
        w.ex(a.bob).confirm(t)
    with reverts("ExchangeUnknownTrade", tradeId=99):
        dave.confirm(99)
    with reverts("ExchangeUnknownOffer", offerId=5):
        w.ex(a.bob).accept(5)
    assert w.ex().trade(t).status == TradeStatus.DELIVERED


def test_succession_lets_the_successor_act_and_receive(w: World) -> None:
    """Payouts go to the resolved party of each holder key; a successor acts for its predecessor."""
    a = w.actors
    lid = w.listed(a.bob)
    t = w.ex(a.dave).order(lid).trade_id
    w.reg(a.registrar).record_succession(a.bob.address, a.stranger.address, "merger", h("deed"))
    w.ex(a.stranger).deliver(t, h("d"))  # the successor delivers for bob
    w.ex(a.dave).confirm(t)
    s = w.ex(a.dave).settle(t)
    payees = {p.payee for p in s.payouts}
    assert a.stranger.address in payees and a.bob.address not in payees
    w.assert_conserved()
