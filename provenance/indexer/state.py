"""Current-state projections, maintained from events alone, as rows valid over block ranges.

A projection (one per contract, in :mod:`provenance.indexer.projections`) declares its
tables (:class:`~provenance.indexer.store.spec.TableSpec`) and applies one event at a time
through a :class:`StateWriter`:

* ``get(table, key)`` -> the current values (or ``None``),
* ``put(table, key, values, block)`` / ``delete(table, key, block)``,
* ``select(table, **where)`` -> current rows whose columns equal ``where``.

The writer caches what it read and buffers what changed; :meth:`StateWriter.flush` (called
in the same transaction as the events and the checkpoint) closes each changed row at the
block of its first change (``block_to``) and inserts the new versions (``block_from``). So
the previous versions stay queryable ("state at block n") and a rollback is two statements
per table (:meth:`provenance.indexer.store.Store.rollback_to`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Protocol

from provenance.errors import StoreError
from provenance.indexer.decode import Event
from provenance.indexer.store.base import Store
from provenance.indexer.store.spec import TableSpec

__all__ = ["Projection", "Row", "StateWriter"]

Row = dict[str, Any]
Key = tuple[Any, ...]


class Projection(Protocol):
    """Turns one contract's events into state rows."""

    contract: ClassVar[str]  # the contract name in the deployment
    tables: ClassVar[tuple[TableSpec, ...]]

    def apply(self, event: Event, state: StateWriter) -> None:
        """Apply one decoded event (``event.args`` is not ``None``)."""


class _Entry:
    __slots__ = ("current", "orig_from", "versions")

    def __init__(self, orig_from: int | None, current: Row | None) -> None:
        self.orig_from = orig_from  # block_from of the open row in the database, None if none
        self.current = current
        self.versions: list[tuple[int, Row | None]] = []


class StateWriter:
    """Buffered, cached access to the state tables within one store transaction."""

    def __init__(self, store: Store, tables: Iterable[TableSpec]) -> None:
        self.store = store
        self.specs: dict[str, TableSpec] = {t.name: t for t in tables}
        self._cache: dict[tuple[str, Key], _Entry] = {}
        self._select_sql: dict[str, str] = {}

    def _spec(self, table: str) -> TableSpec:
        try:
            return self.specs[table]
        except KeyError:
            raise StoreError(f"no state table {table!r}") from None

    def _load(self, table: str, key: Key) -> _Entry:
        entry = self._cache.get((table, key))
        if entry is not None:
            return entry
        spec = self._spec(table)
        sql = self._select_sql.get(table)
        if sql is None:
            cond = " AND ".join(f"{k} = ?" for k in spec.key_names)
            sql = (
                f"SELECT {', '.join((*spec.value_names, 'block_from'))} FROM {table} WHERE {cond} AND block_to IS NULL"
            )
            self._select_sql[table] = sql
        rows = self.store.execute(sql, key)
        if rows:
            values = _from_db(spec, dict(zip(spec.value_names, rows[0][:-1], strict=True)))
            entry = _Entry(int(rows[0][-1]), values)
        else:
            entry = _Entry(None, None)
        self._cache[(table, key)] = entry
        return entry

    def get(self, table: str, key: Key) -> Row | None:
        """The current values of a row (a copy), or ``None``."""
        cur = self._load(table, key).current
        return dict(cur) if cur is not None else None

    def put(self, table: str, key: Key, values: Mapping[str, Any], block: int) -> None:
        """Set a row's values as of ``block`` (every value column must be given)."""
        spec = self._spec(table)
        if set(values) != set(spec.value_names):
            raise StoreError(f"{table}: values {sorted(values)} do not match columns {sorted(spec.value_names)}")
        self._set(table, key, dict(values), block)

    def update(self, table: str, key: Key, block: int, **changes: Any) -> Row:
        """Change some columns of an existing row; returns the new values."""
        cur = self.get(table, key)
        if cur is None:
            raise StoreError(f"{table}: no row {key!r} to update")
        cur.update(changes)
        self._set(table, key, cur, block)
        return cur

    def delete(self, table: str, key: Key, block: int) -> None:
        """Remove a row as of ``block`` (its history stays)."""
        self._spec(table)
        if self._load(table, key).current is not None:
            self._set(table, key, None, block)

    def _set(self, table: str, key: Key, values: Row | None, block: int) -> None:
        entry = self._load(table, key)
        entry.current = values
        if entry.versions and entry.versions[-1][0] == block:
            entry.versions[-1] = (block, values)
        else:
            entry.versions.append((block, values))

    def select(self, table: str, **where: Any) -> list[tuple[Key, Row]]:
        """Current rows whose columns equal ``where``, ordered by key."""
        spec = self._spec(table)
        cond = " AND ".join(f"{k} = ?" for k in where)
        cols = (*spec.key_names, *spec.value_names)
        rows = self.store.execute(
            f"SELECT {', '.join(cols)} FROM {table} WHERE {cond + ' AND ' if cond else ''}block_to IS NULL",
            tuple(_to_db(v) for v in where.values()),
        )
        nk = len(spec.key_names)
        found: dict[Key, Row] = {}
        for r in rows:
            key = tuple(bytes(v) if isinstance(v, memoryview) else v for v in r[:nk])
            found[key] = _from_db(spec, dict(zip(spec.value_names, r[nk:], strict=True)))
        for (tname, key), entry in self._cache.items():
            if tname != table:
                continue
            found.pop(key, None)
            if entry.current is not None:
                merged = {**dict(zip(spec.key_names, key, strict=True)), **entry.current}
                if all(merged.get(k) == v for k, v in where.items()):
                    found[key] = dict(entry.current)
        return sorted(found.items(), key=lambda kv: tuple(_sortable(v) for v in kv[0]))

    def flush(self) -> None:
        """Write every buffered change (inside the caller's transaction), then forget the cache."""
        deletes: dict[str, list[Key]] = {}
        closes: dict[str, list[tuple[Any, ...]]] = {}
        inserts: dict[str, list[tuple[Any, ...]]] = {}
        for (table, key), entry in self._cache.items():
            if not entry.versions:
                continue
            spec = self.specs[table]
            first = entry.versions[0][0]
            if entry.orig_from is not None:
                if entry.orig_from >= first:
                    deletes.setdefault(table, []).append((*key, entry.orig_from))
                else:
                    closes.setdefault(table, []).append((first, *key))
            for i, (block, values) in enumerate(entry.versions):
                if values is None:
                    continue
                nxt = entry.versions[i + 1][0] if i + 1 < len(entry.versions) else None
                row = (*key, *(_to_db(values[c]) for c in spec.value_names), block, nxt)
                inserts.setdefault(table, []).append(row)
        for table, keys in deletes.items():
            spec = self.specs[table]
            cond = " AND ".join(f"{k} = ?" for k in (*spec.key_names, "block_from"))
            self.store.executemany(f"DELETE FROM {table} WHERE {cond}", keys)
        for table, rows in closes.items():
            spec = self.specs[table]
            cond = " AND ".join(f"{k} = ?" for k in spec.key_names)
            self.store.executemany(f"UPDATE {table} SET block_to = ? WHERE {cond} AND block_to IS NULL", rows)
        for table, rows in inserts.items():
            spec = self.specs[table]
            cols = (*spec.key_names, *spec.value_names, "block_from", "block_to")
            marks = ", ".join("?" * len(cols))
            self.store.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)
        self._cache.clear()

    def discard(self) -> None:
        """Forget buffered changes (after a failed transaction)."""
        self._cache.clear()


def _to_db(v: Any) -> Any:
    if isinstance(v, bool):
        return int(v)
    return v


def _from_db(spec: TableSpec, row: Row) -> Row:
    for name, v in row.items():
        if isinstance(v, memoryview):
            row[name] = bytes(v)
    for name in spec.bool_columns:
        if name in row and row[name] is not None:
            row[name] = bool(row[name])
    return row


def _sortable(v: Any) -> Any:
    return (0, v) if v is not None else (1, 0)
