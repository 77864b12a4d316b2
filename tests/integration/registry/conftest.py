"""Registry fixtures: one deployment per session, a chain snapshot per test."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Chain, Sender, Signer
from provenance.deployment import Deployment, deploy
from provenance.node import LocalNode
from provenance.registry import Registry


@dataclass(frozen=True)
class Actors:
    admin: Signer
    registrar: Signer
    arbitrator: Signer
    regulator: Signer
    alice: Signer
    bob: Signer
    carol: Signer
    dave: Signer
    stranger: Signer


@pytest.fixture(scope="session")
def chain(node: LocalNode) -> Chain:
    return Chain(node.url)


@pytest.fixture(scope="session")
def actors(chain: Chain) -> Actors:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        return Actors(*(dev_signer(i, chain.chain_id) for i in range(9)))


@pytest.fixture(scope="session")
def deployment(chain: Chain, actors: Actors) -> Deployment:
    return deploy(
        chain,
        Sender(chain, actors.admin),
        notice_period=3600,
        roles={
            "REGISTRAR_ROLE": [actors.registrar.address],
            "ARBITRATOR_ROLE": [actors.arbitrator.address],
            "REGULATOR_ROLE": [actors.regulator.address],
            "EXCHANGE_ROLE": [],
        },
    )


@pytest.fixture()
def snapshot(chain: Chain) -> Iterator[None]:
    snap = chain.rpc("evm_snapshot")
    yield
    assert chain.rpc("evm_revert", [snap]) is True


@pytest.fixture()
def as_(chain: Chain, deployment: Deployment, snapshot: None) -> Callable[[Signer], Registry]:
    """A registry client sending as the given signer (fresh nonces each test)."""

    def make(signer: Signer) -> Registry:
        return Registry.from_deployment(deployment, chain, Sender(chain, signer))

    return make


def advance(chain: Chain, seconds: int) -> None:
    chain.rpc("evm_increaseTime", [seconds])
    chain.rpc("evm_mine", [])


def now(chain: Chain) -> int:
    return int(chain.get_block()["timestamp"], 16)
