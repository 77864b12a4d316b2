"""The exchange test world: actors, clients per actor, tokens, certified assets, and small helpers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from eth_abi.abi import encode as abi_encode

from provenance._internal.abi import AbiCodec
from provenance.chain import Call, Chain, Sender, Signer
from provenance.compiler import Artifact
from provenance.deployment import Deployment
from provenance.errors import ContractRevert
from provenance.exchange import NATIVE, Exchange, ListingTerms
from provenance.records.registry import Kind, LicenceTerms, Registration, Right
from provenance.registry import Registry

ETHER = 10**18
TOKEN_SUPPLY = 10**30


def h(text: str | bytes) -> bytes:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).digest()


@dataclass(frozen=True)
class Actors:
    admin: Signer
    registrar: Signer
    arbitrator: Signer
    regulator: Signer
    operator: Signer
    alice: Signer
    bob: Signer
    carol: Signer
    dave: Signer
    stranger: Signer
    treasury: Signer  # the fee recipient (dev key 10, funded by the admin)

    def everyone(self) -> list[Signer]:
        return [
            self.admin,
            self.registrar,
            self.arbitrator,
            self.regulator,
            self.operator,
            self.alice,
            self.bob,
            self.carol,
            self.dave,
            self.stranger,
        ]


@dataclass
class World:
    """Everything a test needs; clients are cached per signer and share one Sender per signer."""

    chain: Chain
    actors: Actors
    deployment: Deployment
    build: dict[str, Artifact]
    tokens: dict[str, str] = field(default_factory=dict)  # "usd" / "bad" / "fee" -> address
    assets: dict[str, bytes] = field(default_factory=dict)  # "parent" / "derived" / "resource" -> asset id
    parent_licence: int = 0
    _senders: dict[str, Sender] = field(default_factory=dict)

    @property
    def exchange_address(self) -> str:
        return self.deployment.contract("DataExchange").address

    @property
    def registry_address(self) -> str:
        return self.deployment.contract("DataRegistry").address

    def sender(self, signer: Signer) -> Sender:
        if signer.address not in self._senders:
            self._senders[signer.address] = Sender(self.chain, signer)
        return self._senders[signer.address]

    def ex(self, signer: Signer | None = None) -> Exchange:
        return Exchange(self.chain, self.exchange_address, self.sender(signer) if signer else None)

    def reg(self, signer: Signer | None = None) -> Registry:
        return Registry(self.chain, self.registry_address, self.sender(signer) if signer else None)

    def resync(self) -> None:
        for sender in self._senders.values():
            sender.resync_nonce()

    def now(self) -> int:
        return int(self.chain.get_block()["timestamp"], 16)

    def advance(self, seconds: int) -> None:
        self.chain.rpc("evm_increaseTime", [seconds])
        self.chain.rpc("evm_mine", [])

    # -- contracts by name
    def codec(self, name: str) -> AbiCodec:
        return AbiCodec(self.build[name].abi)

    def send(self, signer: Signer, to: str, contract: str, fn: str, *args: Any, value: int = 0) -> None:
        self.sender(signer).transact(Call(to, self.codec(contract).encode(fn, *args), value))

    def view(self, to: str, contract: str, fn: str, *args: Any) -> Any:
        codec = self.codec(contract)
        return codec.decode_output(fn, self.chain.call(to, codec.encode(fn, *args)))[0]

    def deploy(self, signer: Signer, name: str, types: list[str], values: list[Any]) -> str:
        receipt = self.sender(signer).transact(Call(None, self.build[name].bytecode + abi_encode(types, values)))
        assert receipt.contract_address is not None
        return receipt.contract_address

    def token_contract(self, key: str) -> str:
        return {"usd": "MockERC20", "bad": "FalseReturningERC20", "fee": "FeeOnTransferERC20"}[key]

    def mint(self, key: str, to: str, amount: int) -> None:
        self.send(self.actors.admin, self.tokens[key], self.token_contract(key), "mint", to, amount)

    def token_balance(self, key: str, account: str) -> int:
        return int(self.view(self.tokens[key], self.token_contract(key), "balanceOf", account))

    # -- exchange shortcuts
    def listed(
        self,
        seller: Signer,
        asset: str = "derived",
        *,
        price: int = ETHER,
        currency: str = NATIVE,
        admit: bool = True,
        **kw: Any,
    ) -> int:
        terms = ListingTerms(
            self.assets[asset],
            contract_hash=h("standard contract v1"),
            price=price,
            currency=currency,
            purpose_hash=h("analytics"),
            **kw,
        )
        listing_id = self.ex(seller).list_asset(terms).listing_id
        if admit:
            self.ex(self.actors.operator).admit(listing_id)
        return listing_id

    def holdings_match(self, currency: str = NATIVE) -> tuple[int, int, int]:
        """(contract holding, escrowed, withdrawable) of ``currency``."""
        ex = self.ex()
        return ex.holdings(currency), ex.total_escrowed(currency), ex.total_withdrawable(currency)

    def assert_conserved(self, *currencies: str) -> None:
        for currency in currencies or (NATIVE, *self.tokens.values()):
            held, escrowed, withdrawable = self.holdings_match(currency)
            assert held == escrowed + withdrawable, f"{currency}: holds {held} != {escrowed} + {withdrawable}"


def build_world(chain: Chain, actors: Actors, deployment: Deployment, build: dict[str, Artifact]) -> World:
    world = World(chain, actors, deployment, build)
    a = actors
    world.sender(a.admin).transact(Call(a.treasury.address, b"", 100 * ETHER))
    # (1) tokens
    world.tokens["usd"] = world.deploy(a.admin, "MockERC20", ["string", "string"], ["Yuan Token", "CNYT"])
    world.tokens["bad"] = world.deploy(a.admin, "FalseReturningERC20", [], [])
    world.tokens["fee"] = world.deploy(a.admin, "FeeOnTransferERC20", ["uint256"], [100])
    for key in world.tokens:
        for who in (a.alice, a.bob, a.carol, a.dave, a.stranger):
            world.mint(key, who.address, TOKEN_SUPPLY)
    # (2) assets: a parent product (alice), a product derived from it under a licence with a 15%
    # revenue share (bob, 30% of its operation right with carol), a resource (dave)
    registrar = world.reg(a.registrar)
    parent = Registration(h("data:parent"), h("meta:parent"), "https://example.org/parent", kind=Kind.PRODUCT)
    world.reg(a.alice).register(parent)
    registrar.certify(parent.asset_id)
    now = world.now()
    world.parent_licence = (
        world.reg(a.alice)
        .grant_licence(
            LicenceTerms(
                parent.asset_id,
                a.bob.address,
                h("derive"),
                now,
                now + 10 * 365 * 86400,
                h("licence text"),
                1_500,
                True,
            )
        )
        .id
    )
    derived = Registration(
        h("data:derived"),
        h("meta:derived"),
        "https://example.org/derived",
        kind=Kind.PRODUCT,
        parents=(parent.asset_id,),
        parent_licences=(world.parent_licence,),
    )
    world.reg(a.bob).register(derived)
    registrar.certify(derived.asset_id)
    world.reg(a.bob).transfer_right(derived.asset_id, Right.OPERATION, a.carol.address, 300_000)
    resource = Registration(h("data:resource"), h("meta:resource"), "https://example.org/resource", kind=Kind.RESOURCE)
    world.reg(a.dave).register(resource)
    registrar.certify(resource.asset_id)
    world.assets.update(parent=parent.asset_id, derived=derived.asset_id, resource=resource.asset_id)
    return world


@contextmanager
def reverts(name: str, **expected: Any) -> Iterator[dict[str, Any]]:
    """``with reverts("ExchangeX", tradeId=3) as args:`` asserts the block raises that decoded custom error."""
    args: dict[str, Any] = {}
    with pytest.raises(ContractRevert) as info:
        yield args
    err = info.value
    assert err.name == name, f"expected {name}, got {err}"
    for key, value in expected.items():
        got = err.args_map.get(key)
        if isinstance(value, str) and isinstance(got, str):
            value, got = value.lower(), got.lower()
        assert got == value, f"{name}.{key}: expected {value!r}, got {got!r}"
    args.update(err.args_map)


def split(
    amount: int,
    fee_bps: int,
    parents: list[tuple[int, dict[str, int]]],
    holders: dict[str, int],
    first_holder: Callable[[dict[str, int]], str] | None = None,
) -> dict[str, int]:
    """Expected credits of a settlement (the contract's rule): fee, parents' shares, then holders.

    ``parents`` is ``[(bps, {holder: shares})]``; holder dicts keep the registry's order, the first
    key taking the rounding remainder.
    """
    out: dict[str, int] = {}

    def add(who: str, x: int) -> None:
        out[who] = out.get(who, 0) + x

    fee = amount * fee_bps // 10_000
    if fee:
        add("fee", fee)
    rest = amount - fee
    remaining = rest
    for bps, book in parents:
        cut = rest * bps // 10_000
        if cut and book:
            remaining -= cut
            _spread(cut, book, add)
    if remaining:
        _spread(remaining, holders, add)
    return out


def _spread(amount: int, book: dict[str, int], add: Callable[[str, int], None]) -> None:
    keys = list(book)
    total = sum(book.values())
    paid = 0
    for k in keys[1:]:
        part = amount * book[k] // total
        if part:
            add(k, part)
            paid += part
    add(keys[0], amount - paid)
