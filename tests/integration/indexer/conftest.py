"""Fixtures of the indexer tests: compiled test contracts, stores on both backends, a fault proxy.

PostgreSQL is required (never skipped): each session creates a database of its own on the
local server and drops it at the end; each store gets a schema of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from web3 import Web3

from provenance.compiler import Artifact, compile_contracts
from provenance.indexer import PostgresStore, SqliteStore, Store
from tests.integration.indexer.support import FaultProxy, deploy

PG_ADMIN_URL = os.environ.get("PROVENANCE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def emitter_artifact() -> Artifact:
    return compile_contracts(units=["tests/integration/indexer/contracts/Emitter.sol"])["Emitter"]


@pytest.fixture(scope="session")
def registry_artifact() -> Artifact:
    return compile_contracts(units=["contracts/DataRegistry.sol"])["DataRegistry"]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A database of this session's own on the local PostgreSQL server, dropped at the end."""
    name = f"prov_idx_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


StoreFactory = Callable[[str], Store]


@pytest.fixture()
def make_store(tmp_path: Path, pg_url: str) -> Iterator[StoreFactory]:
    """``make_store("sqlite")`` / ``make_store("postgresql")``: a new empty index."""
    opened: list[Store] = []

    def factory(backend: str) -> Store:
        store: Store
        if backend == "sqlite":
            store = SqliteStore(tmp_path / f"index-{uuid.uuid4().hex[:8]}.sqlite")
        else:
            store = PostgresStore(pg_url, schema=f"t_{uuid.uuid4().hex[:12]}")
        opened.append(store)
        return store

    yield factory
    for store in opened:
        try:
            if isinstance(store, PostgresStore):
                store.drop_schema()
        finally:
            store.close()


@pytest.fixture()
def emitter(w3: Web3, emitter_artifact: Artifact) -> Any:
    """A freshly deployed Emitter on the session's node."""
    return deploy(w3, emitter_artifact)


@pytest.fixture()
def proxy_factory() -> Iterator[Callable[[str], FaultProxy]]:
    proxies: list[FaultProxy] = []

    def factory(upstream: str) -> FaultProxy:
        proxy = FaultProxy(upstream)
        proxy.start()
        proxies.append(proxy)
        return proxy

    yield factory
    for proxy in proxies:
        proxy.stop()
