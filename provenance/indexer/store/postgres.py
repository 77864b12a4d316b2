"""The PostgreSQL backend: the same schema in a schema of its own, bulk rows through COPY.

Bulk inserts go through ``COPY`` into a temporary staging table and then one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING``, which keeps them idempotent at COPY speed.
The writer lock is a session-level advisory lock, released by the server if the
connection dies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql as psql

from provenance.errors import StoreError
from provenance.indexer.store.base import Store
from provenance.indexer.store.spec import POSTGRES

__all__ = ["PostgresStore"]

_SCHEMA_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_COPY_MIN = 64  # below this many rows, plain INSERTs are cheaper than COPY


class PostgresStore(Store):
    """An index in PostgreSQL schema ``schema`` (created if missing) of the database at ``url``."""

    dialect = POSTGRES

    def __init__(self, url: str, *, schema: str = "provenance", migrate: bool = True) -> None:
        if not _SCHEMA_RE.match(schema):
            raise StoreError(f"PostgreSQL schema name must be lowercase letters, digits and _: {schema!r}")
        self.url = url
        self.schema = schema
        self.description = f"postgresql:{_redact(url)}#{schema}"
        try:
            self._db = psycopg.connect(url, autocommit=True)
            self._db.execute(psql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(psql.Identifier(schema)))
            self._db.execute(psql.SQL("SET search_path TO {}").format(psql.Identifier(schema)))
        except psycopg.Error as exc:
            raise StoreError(f"cannot open PostgreSQL index {self.description}: {exc}") from None
        self._sql_cache: dict[str, str] = {}
        self._staged: set[str] = set()
        self._locked = False
        self._in_tx = False
        if migrate:
            self.migrate()

    def _q(self, sql: str) -> str:
        out = self._sql_cache.get(sql)
        if out is None:
            out = sql.replace("?", "%s")
            self._sql_cache[sql] = out
        return out

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            cur = self._db.execute(self._q(sql), params or None)
            return cur.fetchall() if cur.description is not None else []
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {str(exc).strip()} in {sql[:120]!r}") from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        try:
            with self._db.cursor() as cur:
                cur.executemany(self._q(sql), rows)
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: {str(exc).strip()} in {sql[:120]!r}") from exc

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        cols = ", ".join(columns)
        if len(rows) < _COPY_MIN:
            marks = ", ".join("?" * len(columns))
            self.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING", rows)
            return
        stage = f"_stage_{table}"
        try:
            with self._db.cursor() as cur:
                if stage not in self._staged:
                    cur.execute(
                        f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {self.schema}.{table}) ON COMMIT DELETE ROWS"
                    )
                    self._staged.add(stage)
                with cur.copy(f"COPY {stage} ({cols}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} ON CONFLICT DO NOTHING")
                cur.execute(f"TRUNCATE {stage}")
        except psycopg.Error as exc:
            raise StoreError(f"PostgreSQL: bulk insert into {table} failed: {str(exc).strip()}") from exc

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._in_tx:
            yield
            return
        self._in_tx = True
        try:
            with self._db.transaction():
                yield
        except BaseException as exc:
            self._staged.clear()  # staging tables created in a rolled-back transaction are gone
            if isinstance(exc, psycopg.Error):
                raise StoreError(f"PostgreSQL transaction failed: {str(exc).strip()}") from exc
            raise
        finally:
            self._in_tx = False

    def _lock_key(self) -> int:
        return int(self.execute("SELECT hashtext(?)", (f"provenance-indexer:{self.schema}",))[0][0])

    def lock_writer(self) -> None:
        if self._locked:
            return
        got = self.execute("SELECT pg_try_advisory_lock(?)", (self._lock_key(),))[0][0]
        if not got:
            raise StoreError(f"another indexer is writing {self.description} (advisory lock held)")
        self._locked = True

    def unlock_writer(self) -> None:
        if self._locked:
            self._locked = False
            try:
                self.execute("SELECT pg_advisory_unlock(?)", (self._lock_key(),))
            except StoreError:
                pass

    def close(self) -> None:
        if self._db.closed:
            return
        self.unlock_writer()
        self._db.close()

    def drop_schema(self) -> None:
        """Drop this index's schema and everything in it (tests, ``provenance index --reset``)."""
        self.execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")
        self._staged.clear()

    def substr(self, column: str, start: str, length: str) -> str:
        return f"substring({column} from {start}::int for {length}::int)"

    def zeros(self, length: str) -> str:
        return f"decode(repeat('00', {length}::int), 'hex')"

    def _schema_version_table(self) -> None:
        self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL, "
            "applied_at BIGINT NOT NULL)"
        )

    def _migration_lock(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"provenance-migrate:{self.schema}",))


def _redact(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)
