"""Store plumbing: locations, migrations, schema versions, secondary indexes."""

from __future__ import annotations

from pathlib import Path

import pytest

from provenance.errors import InputError, StoreError
from provenance.indexer import PostgresStore, SqliteStore, open_store
from provenance.indexer.store.schema import migrations
from tests.integration.indexer.conftest import BACKENDS, StoreFactory


def test_open_store_locations(tmp_path: Path, pg_url: str) -> None:
    with open_store(tmp_path / "a.sqlite") as s:
        assert isinstance(s, SqliteStore) and s.schema_version() == migrations()[-1].version
    with open_store(f"sqlite:///{tmp_path}/b.sqlite") as s:
        assert isinstance(s, SqliteStore) and s.path == f"{tmp_path}/b.sqlite"
    store = open_store(f"{pg_url}#open_store_test")
    try:
        assert isinstance(store, PostgresStore) and store.schema == "open_store_test"
        assert store.description.startswith("postgresql:") and store.description.endswith("#open_store_test")
    finally:
        store.drop_schema()  # type: ignore[attr-defined]
        store.close()
    with pytest.raises(InputError, match="unsupported"):
        open_store("mysql://x")


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_are_idempotent_and_refuse_newer_schemas(backend: str, make_store: StoreFactory) -> None:
    store = make_store(backend)
    version = store.schema_version()
    assert store.migrate() == version
    store.execute(
        "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, 'future', 0)", (version + 1,)
    )
    with pytest.raises(StoreError, match="newer than this provenance"):
        store.migrate()


@pytest.mark.parametrize("backend", BACKENDS)
def test_secondary_indexes_drop_and_build(backend: str, make_store: StoreFactory) -> None:
    store = make_store(backend)
    assert store.indexes_built()
    store.drop_secondary_indexes()
    assert not store.indexes_built()
    store.build_secondary_indexes()
    assert store.indexes_built()
    with pytest.raises(StoreError):
        store.execute("SELECT nonsense FROM nowhere")
