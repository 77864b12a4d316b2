"""The SQLite backend: one file in WAL mode, the default index.

WAL with ``synchronous=NORMAL`` keeps every committed transaction through a process crash
(SIGKILL included); only a power loss may drop the last commits, never corrupt the file.
The writer lock is an ``flock`` on ``<file>.lock``, released by the kernel if the process dies.

While it holds the writer lock, the indexer does not checkpoint the WAL in its own commits
(``wal_autocheckpoint=0``): a thread with a connection of its own runs a ``PASSIVE`` checkpoint
after each commit, so the copy into the main file and its fsyncs overlap the next batch's
reading instead of stalling the writer. A checkpoint never affects what a commit made durable
(a process killed mid-checkpoint leaves a valid WAL that the next opener replays).
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from provenance.errors import StoreError
from provenance.indexer.store.base import Store
from provenance.indexer.store.spec import SQLITE

__all__ = ["SqliteStore"]

log = logging.getLogger(__name__)


class _Checkpointer:
    """A thread with its own connection running PASSIVE WAL checkpoints when asked."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="provenance-sqlite-checkpoint", daemon=True)
        self._thread.start()

    def poke(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            db = sqlite3.connect(self._path, isolation_level=None, timeout=0.0)
        except sqlite3.Error as exc:
            log.warning("SQLite checkpoint thread cannot open %s: %s", self._path, exc)
            return
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._stopping:
                    return
                try:
                    db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # busy or locked: the next commit asks again
                    log.debug("SQLite checkpoint skipped: %s", exc)
        finally:
            db.close()


class SqliteStore(Store):
    """An index in one SQLite file (``":memory:"`` for a throwaway one)."""

    dialect = SQLITE

    def __init__(self, path: Path | str, *, migrate: bool = True) -> None:
        self.path = str(path)
        self.description = f"sqlite:{self.path}"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30.0)
            for pragma in (
                "journal_mode=WAL",
                "synchronous=NORMAL",
                "cache_size=-65536",
                "mmap_size=268435456",
                "busy_timeout=30000",
                "foreign_keys=OFF",
            ):
                self._db.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite index {self.path}: {exc}") from None
        self._depth = 0
        self._lock_file: IO[bytes] | None = None
        self._checkpointer: _Checkpointer | None = None
        if migrate:
            self.migrate()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite: {exc} in {sql[:120]!r}") from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self._db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise StoreError(f"SQLite: {exc} in {sql[:120]!r}") from exc

    def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" * len(columns))
        self.executemany(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                pass
            raise
        self._depth = 0
        self.execute("COMMIT")
        if self._checkpointer is not None:
            self._checkpointer.poke()

    def lock_writer(self) -> None:
        # The writer reads little and sorts big (index builds): no memory map, sorts spill to
        # temporary files, so its memory stays flat however large the index grows.
        self.execute("PRAGMA mmap_size=0")
        if self._lock_file is not None or self.path == ":memory:":
            return
        handle = open(self.path + ".lock", "ab")  # noqa: SIM115 - held for the writer's lifetime
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise StoreError(f"another indexer is writing {self.path} (lock {self.path}.lock is held)") from None
        os.set_inheritable(handle.fileno(), False)
        self._lock_file = handle
        self.execute("PRAGMA wal_autocheckpoint=0")
        self._checkpointer = _Checkpointer(self.path)

    def unlock_writer(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
            self.execute("PRAGMA wal_autocheckpoint=1000")
            self.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self.execute("PRAGMA mmap_size=268435456")
        if self._lock_file is not None:
            try:
                fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)
            finally:
                self._lock_file.close()
                self._lock_file = None

    def close(self) -> None:
        self.unlock_writer()
        self._db.close()

    def build_secondary_indexes(self) -> None:
        self.execute("PRAGMA threads=2")  # sort with a helper thread
        try:
            super().build_secondary_indexes()
        finally:
            self.execute("PRAGMA threads=0")

    def analyze(self) -> None:
        # Sampled statistics: a full ANALYZE reads the whole file (seconds per million events).
        self.execute("PRAGMA analysis_limit=2000")
        self.execute("ANALYZE")

    def _schema_version_table(self) -> None:
        self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL, "
            "applied_at INTEGER NOT NULL)"
        )

    def _migration_lock(self) -> None:
        pass  # BEGIN IMMEDIATE already holds the write lock
