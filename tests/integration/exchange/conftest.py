"""Exchange fixtures: contracts compiled from source once, one deployment per session, a snapshot per test.

The contracts under test (registry, anchor, exchange) are compiled from ``contracts/`` together
with the test helpers in ``tests/integration/exchange/contracts/`` and served to the library as its shipped
artifacts for the session, so the clients and :func:`provenance.deployment.deploy` run exactly
the sources in the checkout. Compiler output is cached in the temp directory by the SHA-256 of the
standard-JSON input.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance import compiler
from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Chain, Sender
from provenance.compiler import Artifact, build_input, compile_contracts, find_project_root, write_artifacts
from provenance.deployment import Deployment, deploy
from provenance.node import LocalNode
from tests.integration.exchange.helpers import Actors, World, build_world

SHIPPED = ["contracts/DataRegistry.sol", "contracts/TradeAnchor.sol", "contracts/DataExchange.sol"]
HELPERS = [
    f"tests/integration/exchange/contracts/{n}.sol"
    for n in ("MockERC20", "FalseReturningERC20", "FeeOnTransferERC20", "ReentrantReceiver", "StubRegistry")
]


def _compile_cached(units: list[str]) -> dict[str, Artifact]:
    root = find_project_root()
    key = hashlib.sha256(json.dumps(build_input(root, units), sort_keys=True).encode()).hexdigest()[:24]
    cache = Path(tempfile.gettempdir()) / f"provenance-exchange-build-{key}.json"
    if cache.is_file():
        doc = json.loads(cache.read_text())
        return {
            n: Artifact(
                n, a["abi"], bytes.fromhex(a["bytecode"]), bytes.fromhex(a["deployed"]), a["compiler"], a["inputHash"]
            )
            for n, a in doc.items()
        }
    arts = compile_contracts(root, units)
    tmp = cache.with_suffix(".tmp")
    tmp.write_text(
        json.dumps(
            {
                n: {
                    "abi": a.abi,
                    "bytecode": a.bytecode.hex(),
                    "deployed": a.deployed_bytecode.hex(),
                    "compiler": a.compiler,
                    "inputHash": a.input_hash,
                }
                for n, a in arts.items()
            }
        )
    )
    tmp.replace(cache)
    return arts


@pytest.fixture(scope="session")
def build() -> dict[str, Artifact]:
    """Every contract the exchange tests use, by name."""
    return _compile_cached(SHIPPED + HELPERS)


@pytest.fixture(scope="session")
def shipped(build: dict[str, Artifact], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Serve the freshly compiled contracts as the package's shipped artifacts for the session."""
    directory = tmp_path_factory.mktemp("artifacts")
    write_artifacts({n: build[n] for n in compiler.CONTRACT_NAMES}, directory)
    patch = pytest.MonkeyPatch()
    patch.setattr(compiler, "ARTIFACTS_DIR", directory)
    compiler._CACHE.clear()
    yield directory
    patch.undo()
    compiler._CACHE.clear()


@pytest.fixture(scope="session")
def chain(node: LocalNode) -> Chain:
    return Chain(node.url)


@pytest.fixture(scope="session")
def actors(chain: Chain) -> Actors:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        return Actors(*(dev_signer(i, chain.chain_id) for i in range(11)))


@pytest.fixture(scope="session")
def deployment(chain: Chain, actors: Actors, shipped: Path) -> Deployment:
    return deploy(
        chain,
        Sender(chain, actors.admin),
        notice_period=0,
        exchange_fee_bps=250,
        fee_recipient=actors.treasury.address,
        confirmation_window=1_000,
        roles={
            "REGISTRAR_ROLE": [actors.registrar.address],
            "ARBITRATOR_ROLE": [actors.arbitrator.address],
            "REGULATOR_ROLE": [actors.regulator.address],
            "EXCHANGE_ROLE": [],
            "OPERATOR_ROLE": [actors.operator.address],
        },
    )


@pytest.fixture(scope="session")
def world(chain: Chain, actors: Actors, deployment: Deployment, build: dict[str, Artifact]) -> World:
    """Deployment, tokens and a few certified assets, set up once per session (state kept by snapshots)."""
    return build_world(chain, actors, deployment, build)


@pytest.fixture()
def snapshot(chain: Chain) -> Iterator[None]:
    snap = chain.rpc("evm_snapshot")
    yield
    assert chain.rpc("evm_revert", [snap]) is True


@pytest.fixture()
def w(world: World, snapshot: None) -> World:
    """The session world, rolled back after the test; senders resync their nonces."""
    world.resync()
    return world
