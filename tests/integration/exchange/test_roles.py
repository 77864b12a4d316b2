"""Role matrix: every privileged function against every role and a stranger, and every
party-restricted function against every actor. Each cell is pre-flighted (eth_estimateGas) in a
state where the call is otherwise valid, so the only thing that differs is who sends it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from eth_hash.auto import keccak

from provenance.chain import Call, Signer
from provenance.errors import ContractRevert
from provenance.exchange import NATIVE, exchange_role_id
from tests.integration.exchange.helpers import ETHER, Actors, World, h

OPERATOR = "OPERATOR_ROLE"
ARBITRATOR = "ARBITRATOR_ROLE"
ADMIN = "DEFAULT_ADMIN_ROLE"


@dataclass
class Scene:
    pending: int
    admitted: int
    escrowed: int
    delivered: int
    disputed: int
    offer: int
    match: tuple[object, object, object]


def _scene(w: World) -> Scene:
    a = w.actors
    pending = w.listed(a.bob, admit=False)
    admitted = w.listed(a.bob)
    dave = w.ex(a.dave)
    escrowed = dave.order(admitted).trade_id
    delivered = dave.order(admitted).trade_id
    disputed = dave.order(admitted).trade_id
    w.ex(a.bob).deliver(delivered, h("d"))
    dave.dispute_trade(disputed, h("e"))
    offer = dave.make_offer(admitted, ETHER // 2).offer_id
    dave.deposit(NATIVE, ETHER)
    ask, bid = w.ex().sign_match(
        a.bob, a.dave, admitted, price=ETHER, deadline=w.now() + 3600, ask_nonce=1, bid_nonce=1
    )
    return Scene(pending, admitted, escrowed, delivered, disputed, offer, (ask, bid, None))


def _actors(a: Actors) -> dict[str, Signer]:
    return {
        "admin": a.admin,
        "operator": a.operator,
        "arbitrator": a.arbitrator,
        "registrar": a.registrar,
        "regulator": a.regulator,
        "seller": a.bob,
        "buyer": a.dave,
        "stranger": a.stranger,
    }


# function -> (role needed, builder of the call)
PRIVILEGED: dict[str, tuple[str, Callable[[World, Scene], Call]]] = {
    "admit": (OPERATOR, lambda w, s: w.ex()._call("admit", s.pending)),
    "reject": (OPERATOR, lambda w, s: w.ex()._call("reject", s.pending, 3)),
    "suspend": (OPERATOR, lambda w, s: w.ex()._call("suspend", s.admitted, 3)),
    "matchOrders": (OPERATOR, lambda w, s: w.ex()._call("matchOrders", _match_abi(s))),
    "matchBatch": (OPERATOR, lambda w, s: w.ex().build_match_batch([s.match])),  # type: ignore[list-item]
    "resolve": (ARBITRATOR, lambda w, s: w.ex()._call("resolve", s.disputed, 1, h("ruling"))),
    "setFee": (ADMIN, lambda w, s: w.ex()._call("setFee", 100, w.actors.treasury.address)),
    "setConfirmationWindow": (ADMIN, lambda w, s: w.ex()._call("setConfirmationWindow", 5)),
    "grantRole": (ADMIN, lambda w, s: w.ex()._call("grantRole", exchange_role_id(OPERATOR), w.actors.alice.address)),
    "revokeRole": (
        ADMIN,
        lambda w, s: w.ex()._call("revokeRole", exchange_role_id(OPERATOR), w.actors.operator.address),
    ),
}

# function -> (who may call it, builder)
PARTY: dict[str, tuple[set[str], Callable[[World, Scene], Call]]] = {
    "deliver": ({"seller"}, lambda w, s: w.ex().build_deliver(s.escrowed, h("d"))),
    "confirm": ({"buyer"}, lambda w, s: w.ex().build_confirm(s.delivered)),
    "cancel": ({"seller", "buyer"}, lambda w, s: w.ex()._call("cancel", s.escrowed)),
    "dispute": ({"seller", "buyer"}, lambda w, s: w.ex()._call("dispute", s.escrowed, h("e"))),
    "accept": ({"seller"}, lambda w, s: w.ex()._call("accept", s.offer)),
    "cancelOffer": ({"seller", "buyer"}, lambda w, s: w.ex()._call("cancelOffer", s.offer)),
    "delist": ({"seller"}, lambda w, s: w.ex()._call("delist", s.admitted)),
}


def _match_abi(s: Scene) -> tuple[object, ...]:
    from provenance.exchange import _match_abi as build

    return build(s.match[0], s.match[1], None)  # type: ignore[arg-type]


def _outcome(w: World, signer: Signer, call: Call) -> ContractRevert | None:
    w.ex(signer)  # register the exchange ABI with this signer's decoder
    try:
        w.sender(signer).estimate([call])
    except ContractRevert as err:
        return err
    return None


@pytest.mark.parametrize("fn", sorted(PRIVILEGED))
def test_privileged_function_matrix(w: World, fn: str) -> None:
    role, build = PRIVILEGED[fn]
    scene = _scene(w)
    call = build(w, scene)
    holders = {"admin"} if role == ADMIN else {"operator"} if role == OPERATOR else {"arbitrator"}
    for name, signer in _actors(w.actors).items():
        assert w.ex().has_role(role, signer.address) == (name in holders), (fn, name)
        err = _outcome(w, signer, call)
        if name in holders:
            assert err is None, f"{fn} by {name} (holds {role}) failed: {err}"
        else:
            assert err is not None and err.name == "AccessControlUnauthorizedAccount", f"{fn} by {name}: {err}"
            assert err.args_map["account"].lower() == signer.address.lower()
            assert err.args_map["neededRole"] == (b"\x00" * 32 if role == ADMIN else keccak(role.encode()))


@pytest.mark.parametrize("fn", sorted(PARTY))
def test_party_function_matrix(w: World, fn: str) -> None:
    allowed, build = PARTY[fn]
    call = build(w, _scene(w))
    for name, signer in _actors(w.actors).items():
        err = _outcome(w, signer, call)
        if name in allowed:
            assert err is None, f"{fn} by {name} failed: {err}"
        else:
            assert err is not None and err.name == "ExchangeUnauthorizedParty", f"{fn} by {name}: {err}"
            assert err.args_map["account"].lower() == signer.address.lower()


def test_roles_are_granted_by_deployment(w: World) -> None:
    a = w.actors
    ex = w.ex()
    assert ex.has_role(ADMIN, a.admin.address)
    assert ex.has_role(OPERATOR, a.operator.address) and not ex.has_role(OPERATOR, a.admin.address)
    assert ex.has_role(ARBITRATOR, a.arbitrator.address)
    assert w.reg().has_role("EXCHANGE_ROLE", w.exchange_address)
    assert ex.registry_address() == w.registry_address
    assert ex.fee() == (250, a.treasury.address) and ex.confirmation_window() == 1_000
    assert set(w.deployment.roles["OPERATOR_ROLE"]) == {a.operator.address}
    assert w.exchange_address in w.deployment.roles["EXCHANGE_ROLE"]
    # without the registry's EXCHANGE_ROLE the exchange cannot grant licences, so it cannot settle
    w.reg(a.admin).revoke_role("EXCHANGE_ROLE", w.exchange_address)
    lid = w.listed(a.bob)
    t = w.ex(a.dave).order(lid).trade_id
    w.ex(a.bob).deliver(t, h("d"))
    w.ex(a.dave).confirm(t)
    with pytest.raises(ContractRevert, match="AccessControlUnauthorizedAccount"):
        w.ex(a.dave).settle(t)


def test_admin_settings_take_effect(w: World) -> None:
    a = w.actors
    admin = w.ex(a.admin)
    with pytest.raises(ContractRevert, match="ExchangeInvalidFee"):
        admin._tx("setFee", 1_001, a.treasury.address)
    with pytest.raises(ContractRevert, match="ExchangeZeroAddress"):
        admin._tx("setFee", 10, "0x" + "00" * 20)
    admin.set_fee(0, a.treasury.address)
    admin.set_confirmation_window(0)
    lid = w.listed(a.dave, "resource")
    t = w.ex(a.bob).order(lid).trade_id
    w.ex(a.dave).deliver(t, h("d"))
    s = w.ex(a.stranger).settle(t)  # window 0: settleable at delivery, no fee
    assert s.fee == 0 and [p.amount for p in s.payouts] == [ETHER]
