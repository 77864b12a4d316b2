"""One deployment on the session's anvil for the front-door tests."""

from __future__ import annotations

import warnings

import pytest

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Chain, Sender, Signer
from provenance.deployment import Deployment, deploy
from provenance.node import LocalNode


@pytest.fixture(scope="session")
def chain(node: LocalNode) -> Chain:
    return Chain(node.url)


@pytest.fixture(scope="session")
def admin(chain: Chain) -> Signer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        return dev_signer(0, chain.chain_id)


@pytest.fixture(scope="session")
def alice(chain: Chain) -> Signer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        return dev_signer(1, chain.chain_id)


@pytest.fixture(scope="session")
def deployment(chain: Chain, admin: Signer) -> Deployment:
    return deploy(chain, Sender(chain, admin))
