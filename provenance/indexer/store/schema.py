"""The index schema, the same on SQLite and PostgreSQL, and its versioned migrations.

Core tables:

``meta``               key/value: chain id, genesis hash, whether secondary indexes are built
``contracts``          indexed contracts: address, name, start block, ABI (the index describes itself)
``cursor``             one row: the last block fully indexed and its hash (the checkpoint)
``blocks``             hashes of recent (not yet final) blocks, for reorg detection
``events``             every log, raw and decoded; ``id`` = block_number << 24 | log_index
                       (the natural key (block_number, log_index) as one integer; one chain per index)
``event_refs``         (event id, kind, value): which events touch an asset, a party, a licence...

State tables are declared in :mod:`provenance.indexer.store.tables` as :class:`~provenance.indexer.store.spec.TableSpec` and get two extra columns,
``block_from`` and ``block_to``: a row is valid for ``block_from <= n < block_to`` (``NULL``
is open-ended), so "state at block n" is a filter and a rollback to block ``f`` is
``DELETE ... WHERE block_from > f`` plus ``UPDATE ... SET block_to = NULL WHERE block_to > f``.

Migrations are append-only: a released migration is never edited; a change is a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from provenance.indexer.store.spec import Dialect, table_ddl
from provenance.indexer.store.tables import EXCHANGE_TABLES, REGISTRY_TABLES

__all__ = ["SECONDARY_INDEXES", "Migration", "migrations"]


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: Callable[[Dialect], list[str]]


def _core(d: Dialect) -> list[str]:
    b, i = d.blob, d.bigint
    return [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        (
            f"CREATE TABLE contracts (address {b} PRIMARY KEY, name TEXT NOT NULL, start_block {i} NOT NULL, "
            "abi TEXT NOT NULL)"
        ),
        (
            f"CREATE TABLE cursor (id {i} PRIMARY KEY CHECK (id = 1), block_number {i} NOT NULL, "
            f"block_hash {b} NOT NULL, updated_at {i} NOT NULL)"
        ),
        (
            f"CREATE TABLE blocks (block_number {i} PRIMARY KEY, block_hash {b} NOT NULL, parent_hash {b} NOT NULL, "
            f"block_time {i} NOT NULL)"
        ),
        # id = block_number << 24 | log_index: the natural key as one integer (one chain per index).
        (
            f"CREATE TABLE events (id {i} PRIMARY KEY, chain_id {i} NOT NULL, block_number {i} NOT NULL, "
            f"log_index {i} NOT NULL, block_hash {b} NOT NULL, block_time {i}, tx_hash {b} NOT NULL, "
            f"tx_index {i} NOT NULL, address {b} NOT NULL, contract TEXT NOT NULL, event TEXT NOT NULL, "
            f"topics {b} NOT NULL, data {b} NOT NULL, args TEXT)"
        ),
        # kind: asset, party, licence, pledge, dispute, trade...; ref: 32-byte id or 20-byte address.
        (
            f"CREATE TABLE event_refs (event_id {i} NOT NULL, kind TEXT NOT NULL, ref {b} NOT NULL, "
            f"PRIMARY KEY (event_id, kind, ref)){d.without_rowid}"
        ),
        *[sql for _name, sql in SECONDARY_INDEXES],
        "INSERT INTO meta (key, value) VALUES ('indexes', 'built')",
    ]


# Indexes dropped during a large backfill and rebuilt at its end: (name, DDL).
SECONDARY_INDEXES: tuple[tuple[str, str], ...] = (
    ("event_refs__ref", "CREATE INDEX event_refs__ref ON event_refs (kind, ref, event_id)"),
)


def _registry(d: Dialect) -> list[str]:
    return [sql for spec in REGISTRY_TABLES for sql in table_ddl(spec, d)]


def _exchange(d: Dialect) -> list[str]:
    return [sql for spec in EXCHANGE_TABLES for sql in table_ddl(spec, d)]


def migrations() -> list[Migration]:
    """Every migration, in order."""
    return [
        Migration(1, "core: meta, contracts, cursor, blocks, events, event_refs", _core),
        Migration(2, "DataRegistry state tables", _registry),
        Migration(
            3, "DataExchange state tables: listings, trades, payouts, offers, balances, totals, nonces", _exchange
        ),
    ]
