"""The Python client validates at its boundary and types its results."""

from __future__ import annotations

from dataclasses import replace

import pytest

from provenance.chain import Chain
from provenance.deployment import Deployment
from provenance.errors import DeploymentError, InputError
from provenance.exchange import (
    NATIVE,
    Exchange,
    ListingTerms,
    Order,
    SignedOrder,
    exchange_role_id,
    order_digest,
)
from tests.integration.exchange.helpers import ETHER, World, h


def test_inputs_are_checked_before_anything_is_sent(w: World) -> None:
    ex = w.ex(w.actors.bob)
    for bad in (0, -1, True, "1", 2**64):
        with pytest.raises(InputError, match="trade id"):
            ex.confirm(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="delivery hash"):
        ex.deliver(1, b"\x00" * 32)
    with pytest.raises(InputError, match="delivery hash"):
        ex.deliver(1, "0x1234")
    with pytest.raises(InputError, match="reason code"):
        ex.reject(1, 0)
    with pytest.raises(InputError, match="ruling"):
        ex.resolve(1, "maybe", h("r"))
    with pytest.raises(InputError, match="ruling"):
        ex.resolve(1, 0, h("r"))
    with pytest.raises(InputError, match="currency"):
        ex.withdraw("not-an-address")
    with pytest.raises(InputError, match="offer price"):
        ex.make_offer(1, 0)
    with pytest.raises(InputError, match="at least one"):
        ex.settle_batch([])
    with pytest.raises(InputError, match="ListingTerms"):
        ex.list_asset((w.assets["derived"], h("c"), 1))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="read-only"):
        w.ex().withdraw(NATIVE)
    with pytest.raises(InputError, match="unknown exchange role"):
        exchange_role_id("REGISTRAR_ROLE")
    with pytest.raises(InputError, match="no listing"):
        w.ex().listing(12345)


def test_orders_sign_verify_and_round_trip(w: World) -> None:
    ex = w.ex()
    signed = ex.sign_order(w.actors.dave, 3, bid=True, price=ETHER, nonce=5, deadline=10**10)
    assert SignedOrder.from_json(signed.to_json()) == signed
    assert order_digest(signed.order, w.chain.chain_id, w.exchange_address) == ex.contract_order_digest(signed.order)
    # the digest binds the chain and the contract
    assert order_digest(signed.order, 1, w.exchange_address) != order_digest(
        signed.order, w.chain.chain_id, w.exchange_address
    )
    with pytest.raises(InputError, match="malformed"):
        SignedOrder.from_json({"listingId": 1})
    with pytest.raises(InputError, match="65 bytes"):
        SignedOrder(signed.order, b"\x01" * 64)
    with pytest.raises(InputError, match="order price"):
        Order(1, w.actors.dave.address, True, 0, 1, 1)
    ask = ex.sign_order(w.actors.bob, 3, bid=False, price=2 * ETHER, nonce=1, deadline=10**10)
    with pytest.raises(InputError, match="outside"):
        w.ex(w.actors.operator).match(ask, signed)
    with pytest.raises(InputError, match="seller's ask"):
        w.ex(w.actors.operator).match(signed, ask)
    other = ex.sign_order(w.actors.dave, 4, bid=True, price=ETHER, nonce=6, deadline=10**10)
    with pytest.raises(InputError, match="listing"):
        w.ex(w.actors.operator).match(replace(ask, order=replace(ask.order, price=1)), other)


def test_terms_validation_and_abi_round_trip(w: World) -> None:
    t = ListingTerms(w.assets["derived"], h("c"), 10, w.tokens["usd"].lower(), h("p"), 86_400, 300, True)
    assert t.currency == w.tokens["usd"]  # checksummed
    assert ListingTerms.from_abi(t.as_abi()) == t
    with pytest.raises(InputError, match="derivatives_allowed"):
        ListingTerms(w.assets["derived"], h("c"), 10, derivatives_allowed=1)  # type: ignore[arg-type]


def test_from_deployment_checks_the_chain(w: World) -> None:
    ex = Exchange.from_deployment(w.deployment, w.chain)
    assert ex.address == w.exchange_address
    other = Deployment(
        chain_id=1,
        genesis_hash=w.deployment.genesis_hash,
        contracts=w.deployment.contracts,
        deployer=w.deployment.deployer,
    )
    with pytest.raises(DeploymentError, match="chain id"):
        Exchange.from_deployment(other, w.chain)
    assert isinstance(w.chain, Chain)
