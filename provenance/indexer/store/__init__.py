"""Index storage: one interface (:class:`Store`), SQLite and PostgreSQL backends.

``open_store("data/index.sqlite")`` or ``open_store("postgresql://user@host/db#schema")``.
Both backends share the schema (:mod:`.schema`), the migrations and every query, so the
same calls return identical results.
"""

from __future__ import annotations

from pathlib import Path

from provenance.errors import InputError
from provenance.indexer.store.base import EVENT_COLUMNS, REF_COLUMNS, Store
from provenance.indexer.store.postgres import PostgresStore
from provenance.indexer.store.spec import Column, TableSpec
from provenance.indexer.store.sqlite import SqliteStore

__all__ = [
    "EVENT_COLUMNS",
    "REF_COLUMNS",
    "Column",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "TableSpec",
    "open_store",
]


def open_store(target: str | Path, *, migrate: bool = True) -> Store:
    """Open (and migrate) an index.

    ``target`` is a file path or ``sqlite:///path`` for SQLite, or a ``postgresql://`` /
    ``postgres://`` URL, optionally ending in ``#schema`` (default schema ``provenance``).
    """
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        url, _, schema = text.partition("#")
        return PostgresStore(url, schema=schema or "provenance", migrate=migrate)
    if text.startswith("sqlite:///"):
        text = text[len("sqlite:///") :]  # sqlite:///rel/path, sqlite:////abs/path
    elif "://" in text:
        raise InputError(f"unsupported index location {text!r}: use a file path or a postgresql:// URL")
    return SqliteStore(text, migrate=migrate)
