"""Shared fixtures: a real anvil on a free loopback port, stopped at the end of the session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from web3 import Web3

from provenance.node import LocalNode


@pytest.fixture(scope="session")
def node() -> Iterator[LocalNode]:
    """One anvil for the whole session (per xdist worker)."""
    with LocalNode() as running:
        yield running


@pytest.fixture(scope="session")
def w3(node: LocalNode) -> Web3:
    return Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))


@pytest.fixture()
def fresh_node() -> Iterator[LocalNode]:
    """A node of its own, for tests that reorganize or restart the chain."""
    with LocalNode() as running:
        yield running
