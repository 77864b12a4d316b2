"""The building blocks of the index schema: SQL dialects, state-table columns and specs, their DDL.

Kept apart from the migrations (:mod:`provenance.indexer.store.schema`) and the state tables
(:mod:`provenance.indexer.store.tables`) so that everything that declares or reads a table
imports this module only, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["COLUMN_TYPES", "POSTGRES", "SQLITE", "Column", "Dialect", "TableSpec", "table_ddl"]

COLUMN_TYPES = ("int", "bytes", "text", "bool")


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the backends' SQL."""

    name: str  # "sqlite" | "postgresql"
    blob: str
    bigint: str
    without_rowid: str  # table suffix for clustered primary keys

    def type_of(self, kind: str) -> str:
        return {"int": self.bigint, "bytes": self.blob, "text": "TEXT", "bool": "SMALLINT"}[kind]


SQLITE = Dialect("sqlite", "BLOB", "INTEGER", " WITHOUT ROWID")
POSTGRES = Dialect("postgresql", "BYTEA", "BIGINT", "")


@dataclass(frozen=True, slots=True)
class Column:
    """A state-table column: ``kind`` is one of ``int``, ``bytes``, ``text``, ``bool``."""

    name: str
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_TYPES:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A versioned state table: key columns, value columns, secondary indexes."""

    name: str
    key: tuple[Column, ...]
    values: tuple[Column, ...]
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.key)

    @property
    def value_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.values)

    @property
    def bool_columns(self) -> frozenset[str]:
        return frozenset(c.name for c in (*self.key, *self.values) if c.kind == "bool")


def table_ddl(spec: TableSpec, d: Dialect) -> list[str]:
    cols = [f"{c.name} {d.type_of(c.kind)} NOT NULL" for c in spec.key]
    cols += [f"{c.name} {d.type_of(c.kind)}" for c in spec.values]
    cols += [f"block_from {d.bigint} NOT NULL", f"block_to {d.bigint}"]
    pk = ", ".join((*spec.key_names, "block_from"))
    out = [f"CREATE TABLE {spec.name} ({', '.join(cols)}, PRIMARY KEY ({pk}))"]
    for idx in spec.indexes:
        out.append(f"CREATE INDEX {spec.name}__{'_'.join(idx)} ON {spec.name} ({', '.join(idx)}, block_from)")
    return out
