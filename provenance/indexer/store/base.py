"""The store interface: one class of SQL shared by both backends, a few primitives each.

Write paths are used by one writer (the indexer, holding :meth:`Store.lock_writer`) inside
:meth:`Store.transaction`; read paths (queries, status) work from any connection at any time.
SQL is written with ``?`` placeholders; the PostgreSQL backend rewrites them.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Self

from provenance.errors import StoreError
from provenance.indexer.store.schema import SECONDARY_INDEXES, Migration, migrations
from provenance.indexer.store.spec import Dialect, TableSpec

__all__ = ["EVENT_COLUMNS", "REF_COLUMNS", "RefRule", "Store"]

# (contract, event names, kind, source column, byte offset, length): see RefSlot.
RefRule = tuple[str, tuple[str, ...], str, str, int, int]

EVENT_COLUMNS = (
    "id",
    "chain_id",
    "block_number",
    "log_index",
    "block_hash",
    "block_time",
    "tx_hash",
    "tx_index",
    "address",
    "contract",
    "event",
    "topics",
    "data",
    "args",
)
REF_COLUMNS = ("event_id", "kind", "ref")


class Store(ABC):
    """An index database. Create with :func:`provenance.indexer.store.open_store`."""

    dialect: Dialect
    description: str

    # -- backend primitives ------------------------------------------------------------

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one statement; return its rows (empty for statements without rows)."""

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement per row."""

    @abstractmethod
    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert rows, skipping those whose unique key exists (idempotent)."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction: committed on exit, rolled back on an exception."""
        yield

    @abstractmethod
    def lock_writer(self) -> None:
        """Become the only writer of this index, or raise :class:`StoreError`."""

    @abstractmethod
    def unlock_writer(self) -> None:
        """Give the writer lock back."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""

    @abstractmethod
    def _schema_version_table(self) -> None:
        """Create ``schema_migrations`` if missing."""

    @abstractmethod
    def _migration_lock(self) -> None:
        """Inside a transaction: serialize concurrent migrators."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- migrations --------------------------------------------------------------------

    def migrate(self) -> int:
        """Apply every migration not yet applied; return the schema version."""
        known = migrations()
        latest = known[-1].version
        self._schema_version_table()
        with self.transaction():
            self._migration_lock()
            rows = self.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            current = int(rows[0][0])
            if current > latest:
                raise StoreError(
                    f"index schema version {current} is newer than this provenance knows ({latest}): upgrade provenance"
                )
            pending: list[Migration] = [m for m in known if m.version > current]
            for mig in pending:
                for sql in mig.statements(self.dialect):
                    self.execute(sql)
                self.execute(
                    "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                    (mig.version, mig.description, int(time.time())),
                )
        return latest

    def schema_version(self) -> int:
        return int(self.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0])

    # -- meta, contracts, cursor -------------------------------------------------------

    def get_meta(self, key: str) -> str | None:
        rows = self.execute("SELECT value FROM meta WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def contracts(self) -> list[tuple[bytes, str, int, str]]:
        """(address, name, start block, ABI JSON) of every indexed contract."""
        return [
            (bytes(a), str(n), int(s), str(abi))
            for a, n, s, abi in self.execute("SELECT address, name, start_block, abi FROM contracts ORDER BY address")
        ]

    def put_contract(self, address: bytes, name: str, start_block: int, abi_json: str) -> None:
        self.execute(
            "INSERT INTO contracts (address, name, start_block, abi) VALUES (?, ?, ?, ?) ON CONFLICT (address) "
            "DO UPDATE SET name = excluded.name, start_block = excluded.start_block, abi = excluded.abi",
            (address, name, start_block, abi_json),
        )

    def cursor(self) -> tuple[int, bytes] | None:
        """(block number, block hash) of the last block fully indexed, or None before the first commit."""
        rows = self.execute("SELECT block_number, block_hash FROM cursor WHERE id = 1")
        return (int(rows[0][0]), bytes(rows[0][1])) if rows else None

    def set_cursor(self, block_number: int, block_hash: bytes) -> None:
        self.execute(
            "INSERT INTO cursor (id, block_number, block_hash, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) "
            "DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash, "
            "updated_at = excluded.updated_at",
            (block_number, block_hash, int(time.time())),
        )

    # -- blocks (reorg window) ---------------------------------------------------------

    def put_blocks(self, rows: Sequence[tuple[int, bytes, bytes, int]]) -> None:
        """(number, hash, parent hash, timestamp) of blocks inside the reorg window."""
        if rows:
            self.executemany(
                "INSERT INTO blocks (block_number, block_hash, parent_hash, block_time) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (block_number) DO UPDATE SET block_hash = excluded.block_hash, "
                "parent_hash = excluded.parent_hash, block_time = excluded.block_time",
                rows,
            )

    def recent_blocks(self, down_to: int) -> list[tuple[int, bytes]]:
        """(number, hash) of stored blocks at or above ``down_to``, newest first."""
        return [
            (int(n), bytes(h))
            for n, h in self.execute(
                "SELECT block_number, block_hash FROM blocks WHERE block_number >= ? ORDER BY block_number DESC",
                (down_to,),
            )
        ]

    def prune_blocks(self, below: int) -> None:
        self.execute("DELETE FROM blocks WHERE block_number < ?", (below,))

    # -- events ------------------------------------------------------------------------

    def insert_events(self, rows: Sequence[Sequence[Any]]) -> None:
        """Event rows (:data:`EVENT_COLUMNS`); idempotent on the event id."""
        if rows:
            self.insert_rows("events", EVENT_COLUMNS, rows)

    def derive_refs(self, first_id: int, last_id: int, rules: Sequence[RefRule]) -> None:
        """Inside a transaction: history refs of events ``first_id..last_id``, computed by SQL
        from their raw topics and data in one pass (no per-row Python), appended in id order."""
        if not rules:
            return
        params: list[Any] = []
        for contract, names, kind, source, offset, length in rules:
            for name in names:
                params.extend((contract, name, kind, 0 if source == "topics" else 1, offset + 1, length))
        values = ", ".join("(?, ?, ?, ?, ?, ?)" for _ in range(len(params) // 6))
        piece = self.substr("CASE r.src WHEN 0 THEN e.topics ELSE e.data END", "r.o", "r.l")
        self.execute(
            f"WITH r (contract, event, kind, src, o, l) AS (VALUES {values}) "
            # events drive the loop (CROSS JOIN keeps SQLite from scanning the range once per rule
            # and sorting): one pass in id order over the new events, the few rules inside.
            f"INSERT INTO event_refs (event_id, kind, ref) SELECT e.id, r.kind, {piece} FROM events e "
            "CROSS JOIN r WHERE r.contract = e.contract AND r.event = e.event "
            f"AND e.id BETWEEN ? AND ? AND e.args IS NOT NULL AND {piece} != {self.zeros('r.l')} "
            "ORDER BY e.id ON CONFLICT DO NOTHING",
            (*params, first_id, last_id),
        )

    def substr(self, column: str, start: str, length: str) -> str:
        """SQL for ``length`` bytes from 1-based ``start`` of a binary expression."""
        return f"substr({column}, {start}, {length})"

    def zeros(self, length: str) -> str:
        """SQL for ``length`` zero bytes."""
        return f"zeroblob({length})"

    def event_count(self) -> int:
        return int(self.execute("SELECT COUNT(*) FROM events")[0][0])

    def counts_by_event(self) -> list[tuple[str, str, int]]:
        return [
            (str(c), str(e), int(n))
            for c, e, n in self.execute(
                "SELECT contract, event, COUNT(*) FROM events GROUP BY contract, event ORDER BY contract, event"
            )
        ]

    # -- rollback ----------------------------------------------------------------------

    def rollback_to(self, block_number: int, block_hash: bytes, tables: Sequence[TableSpec]) -> int:
        """Inside a transaction: forget everything after ``block_number``; return events removed."""
        first = (block_number + 1) << 24  # the first event id after the fork point
        removed = int(self.execute("SELECT COUNT(*) FROM events WHERE id >= ?", (first,))[0][0])
        self.execute("DELETE FROM events WHERE id >= ?", (first,))
        self.execute("DELETE FROM event_refs WHERE event_id >= ?", (first,))
        for spec in tables:
            self.execute(f"DELETE FROM {spec.name} WHERE block_from > ?", (block_number,))
            self.execute(f"UPDATE {spec.name} SET block_to = NULL WHERE block_to > ?", (block_number,))
        self.execute("DELETE FROM blocks WHERE block_number > ?", (block_number,))
        self.set_cursor(block_number, block_hash)
        return removed

    # -- secondary indexes -------------------------------------------------------------

    def indexes_built(self) -> bool:
        return self.get_meta("indexes") != "deferred"

    def drop_secondary_indexes(self) -> None:
        """Before a large backfill: drop secondary indexes (inserts get cheaper)."""
        with self.transaction():
            for name, _sql in SECONDARY_INDEXES:
                self.execute(f"DROP INDEX IF EXISTS {name}")
            self.set_meta("indexes", "deferred")

    def build_secondary_indexes(self) -> None:
        """After a backfill: build the secondary indexes again."""
        with self.transaction():
            for name, sql in SECONDARY_INDEXES:
                self.execute(f"DROP INDEX IF EXISTS {name}")
                try:
                    self.execute(sql)
                except Exception as exc:
                    raise StoreError(f"cannot build index {name}: {exc}") from exc
            self.set_meta("indexes", "built")
        self.analyze()

    def analyze(self) -> None:
        """Refresh the planner's statistics."""
        self.execute("ANALYZE")
