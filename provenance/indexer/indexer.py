"""The indexing loop: read, decode, project, commit with the checkpoint; detect reorgs.

Regimes. Far from the head (more than ``reorg_depth`` blocks behind) blocks are final:
ranges are large and read concurrently, and commits happen every ``commit_events`` events
or ``commit_seconds``. Near the head, blocks are read range by range with every header:
parent hashes must link to the stored checkpoint, block hashes are kept, and before each
step the checkpoint's hash is compared with the node's; on a mismatch the index walks back
over the stored hashes to the fork point and rolls back to it in one transaction.

Safety. Events, refs, state rows and the checkpoint are written in one transaction, and
inserts are idempotent on (chain_id, block_number, log_index): a crash at any instant
leaves the index at a checkpoint, and restarting re-reads from there. A node whose genesis
hash or chain id differs from the index's, or whose head is below the checkpoint (a
restarted dev chain), stops the indexer with an :class:`~provenance.errors.IndexerError`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import orjson

from provenance.chain import Chain
from provenance.deployment import Deployment
from provenance.errors import ChainError, IndexerError, InputError
from provenance.indexer.decode import ABI, LogDecoder
from provenance.indexer.fetch import Header, LogFetcher, RangeResult, RangeSizer
from provenance.indexer.prepare import Prepared, Preparer
from provenance.indexer.projections import default_projections
from provenance.indexer.state import Projection, StateWriter
from provenance.indexer.store import Store, open_store
from provenance.indexer.store.base import RefRule
from provenance.indexer.workers import worker_init, worker_read
from provenance.rpc import RpcClient

__all__ = ["Indexer", "IndexerConfig", "Progress", "RunResult", "Status", "index_status"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IndexerConfig:
    """Tuning and safety settings; the defaults suit a local node and a public one alike."""

    confirmations: int = 0  # index only blocks at least this deep
    reorg_depth: int = 64  # blocks within this distance of the head are not final
    initial_range: int = 8  # first eth_getLogs range, in blocks (then adapted)
    max_range: int = 100_000
    target_logs: int = 10_000  # aim for this many logs per eth_getLogs answer
    concurrency: int = 3  # eth_getLogs requests in flight (far regime)
    workers: int | None = None  # decode processes for backfills; None: auto (CPUs - 1, at least 2), 0: threads
    workers_min_blocks: int = 16  # ... for backfills of at least this many blocks
    workers_min_events: int = 50_000  # ... or once a backfill has read this many events
    commit_events: int = 50_000
    commit_seconds: float = 2.0
    poll_interval: float = 1.0  # follow mode
    bloom_check: bool = True  # re-read blocks whose bloom admits our logs but that returned none
    defer_indexes: bool | None = None  # None: when the index is new or far behind
    defer_indexes_blocks: int = 100_000
    block_attempts: int = 8  # rounds of retries for one block before giving up

    def __post_init__(self) -> None:
        if self.confirmations < 0 or self.reorg_depth < 1 or self.concurrency < 1 or self.initial_range < 1:
            raise InputError("confirmations >= 0, reorg_depth >= 1, concurrency >= 1 and initial_range >= 1 please")


@dataclass(frozen=True, slots=True)
class Progress:
    """Reported after every commit (and on rollbacks)."""

    start_block: int
    indexed_block: int
    target_block: int
    head: int
    events: int  # events written by this run
    elapsed: float
    regime: str  # "backfill", "head" or "rollback"
    rollbacks: int = 0

    @property
    def fraction(self) -> float:
        span = self.target_block - self.start_block + 1
        return 1.0 if span <= 0 else min(1.0, max(0.0, (self.indexed_block - self.start_block + 1) / span))

    @property
    def events_per_second(self) -> float:
        return self.events / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True, slots=True)
class RunResult:
    start_block: int
    indexed_block: int
    events: int
    rollbacks: int
    elapsed: float


@dataclass(frozen=True, slots=True)
class Status:
    """What ``provenance index status`` shows."""

    store: str
    chain_id: int | None
    genesis_hash: str | None
    head: int | None  # None if the node is unreachable
    indexed_block: int | None
    lag: int | None
    events: int
    counts: tuple[tuple[str, str, int], ...]  # (contract, event, count)
    contracts: tuple[tuple[str, str, int], ...]  # (name, address, start block)
    schema_version: int
    indexes_built: bool
    node_error: str | None = None


class Indexer:
    """Indexes the events of a deployment into a store.

    ``contracts`` is a :class:`~provenance.deployment.Deployment` or a mapping of contract
    name -> (address, start block); ``abis`` maps names to ABIs (default: the shipped
    artifacts). ``store`` is a :class:`Store` or a location for :func:`open_store`.
    """

    def __init__(
        self,
        store: Store | str | Path,
        rpc: Chain | RpcClient,
        contracts: Deployment | Mapping[str, tuple[str, int]],
        *,
        abis: Mapping[str, ABI] | None = None,
        projections: Sequence[Projection] | None = None,
        config: IndexerConfig | None = None,
        chain_id: int | None = None,
        genesis_hash: str | None = None,
    ) -> None:
        self.config = config or IndexerConfig()
        self.rpc = _client(rpc)
        self.store = store if isinstance(store, Store) else open_store(store)
        self._owns_store = not isinstance(store, Store)
        if isinstance(contracts, Deployment):
            self.contracts = {n: (c.address, c.block_number) for n, c in contracts.contracts.items()}
            chain_id = chain_id if chain_id is not None else contracts.chain_id
            genesis_hash = genesis_hash or contracts.genesis_hash
        else:
            self.contracts = {n: (str(a), int(b)) for n, (a, b) in contracts.items()}
        if not self.contracts:
            raise InputError("no contracts to index")
        self.expected_chain_id = chain_id
        self.expected_genesis = genesis_hash.lower() if genesis_hash else None
        self.abis = dict(abis) if abis is not None else _shipped_abis(self.contracts)
        self.decoder = LogDecoder({a: n for n, (a, _b) in self.contracts.items()}, self.abis)
        names = set(self.contracts)
        self.projections = [
            p for p in (projections if projections is not None else default_projections()) if p.contract in names
        ]
        self.tables = [t for p in self.projections for t in p.tables]
        self._by_contract: dict[str, list[Projection]] = {}
        for p in self.projections:
            self._by_contract.setdefault(p.contract, []).append(p)
        # History refs: SQL rules over the raw bytes, grouped by place.
        grouped: dict[tuple[str, str, str, int, int], list[str]] = {}
        for dec in self.decoder.decoders():
            for slot in dec.ref_slots:
                grouped.setdefault((dec.contract, slot.kind, slot.source, slot.offset, slot.length), []).append(
                    dec.name
                )
        self._ref_rules: list[RefRule] = [
            (c, tuple(sorted(names)), k, src, off, ln) for (c, k, src, off, ln), names in sorted(grouped.items())
        ]
        self.preparer = Preparer(self.decoder, frozenset(self._by_contract))
        self._pool: ProcessPoolExecutor | None = None
        self._pool_broken = False
        self.start_block = min(b for _a, b in self.contracts.values())
        self.fetcher = LogFetcher(
            self.rpc,
            self.decoder.addresses,
            self.preparer.prepare,
            sizer=RangeSizer(
                self.config.initial_range, maximum=self.config.max_range, target_logs=self.config.target_logs
            ),
            concurrency=self.config.concurrency,
            block_attempts=self.config.block_attempts,
            bloom_check=self.config.bloom_check,
        )

    @classmethod
    def from_deployment(
        cls,
        deployment: Deployment | Path | str,
        *,
        store: Store | str | Path,
        rpc: Chain | RpcClient,
        config: IndexerConfig | None = None,
    ) -> Indexer:
        """An indexer of every contract of a deployment manifest (ABIs from the shipped artifacts)."""
        manifest = deployment if isinstance(deployment, Deployment) else Deployment.load(deployment)
        return cls(store, rpc, manifest, config=config)

    def close(self) -> None:
        self.fetcher.close()
        self.rpc.close()
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- decoding (in fetch threads) ---------------------------------------------------

    # -- chain identity ----------------------------------------------------------------

    def _check_chain(self) -> None:
        """Chain id and genesis hash must match the deployment and the index (first run: record them)."""
        try:
            chain_id = int(self.rpc.call("eth_chainId"), 16)
        except (ChainError, ValueError, TypeError) as exc:
            raise IndexerError(f"cannot read the chain id from {self.rpc.url}: {exc}") from None
        genesis = self.fetcher.header(0)
        if genesis is None:
            raise IndexerError(f"{self.rpc.url} has no genesis block")
        genesis_hex = "0x" + genesis.hash.hex()
        if self.expected_chain_id is not None and chain_id != self.expected_chain_id:
            raise IndexerError(f"the node is chain {chain_id}, the deployment is on chain {self.expected_chain_id}")
        if self.expected_genesis is not None and genesis_hex != self.expected_genesis:
            raise IndexerError(
                f"the node's genesis hash {genesis_hex} differs from the deployment's {self.expected_genesis}: "
                "a restarted or different chain"
            )
        stored_chain, stored_genesis = self.store.get_meta("chain_id"), self.store.get_meta("genesis_hash")
        if stored_chain is not None and int(stored_chain) != chain_id:
            raise IndexerError(f"the index holds chain {stored_chain}, the node is chain {chain_id}")
        if stored_genesis is not None and stored_genesis != genesis_hex:
            raise IndexerError(
                f"the node's genesis hash {genesis_hex} differs from the index's {stored_genesis}: the chain was "
                "restarted or replaced; index into a new database"
            )
        stored = {bytes(a): (n, s) for a, n, s, _abi in self.store.contracts()}
        for name, (address, start) in self.contracts.items():
            known = stored.get(bytes.fromhex(address[2:].lower()))
            if stored and (known is None or known[0] != name):
                raise IndexerError(
                    f"the index was built for other contracts ({', '.join(sorted(n for n, _s in stored.values()))}); "
                    f"{name} at {address} is not one of them: index into a new database"
                )
        self.preparer.chain_id = chain_id
        if stored_chain is None or not stored:
            with self.store.transaction():
                self.store.set_meta("chain_id", str(chain_id))
                self.store.set_meta("genesis_hash", genesis_hex)
                for name, (address, start) in self.contracts.items():
                    abi = orjson.dumps(list(self.abis.get(name, []))).decode()
                    self.store.put_contract(bytes.fromhex(address[2:].lower()), name, start, abi)

    def _head(self) -> int:
        try:
            return int(self.rpc.call("eth_blockNumber"), 16)
        except (ChainError, ValueError, TypeError) as exc:
            raise IndexerError(f"cannot read the head block from {self.rpc.url}: {exc}") from None

    # -- the loop ----------------------------------------------------------------------

    def run(
        self,
        *,
        follow: bool = False,
        progress: Callable[[Progress], None] | None = None,
        stop: threading.Event | None = None,
        until_block: int | None = None,
    ) -> RunResult:
        """Catch up with the head (``follow``: and keep polling until ``stop`` is set)."""
        t0 = time.monotonic()
        self.store.lock_writer()
        try:
            self._check_chain()
            cur = self.store.cursor()
            run_start = cur[0] + 1 if cur else self.start_block
            self._events = 0
            self._rollbacks = 0
            self._progress = progress
            self._t0 = t0
            self._run_start = run_start
            while stop is None or not stop.is_set():
                head = self._head()
                target = head - self.config.confirmations
                if until_block is not None:
                    target = min(target, until_block)
                cur = self.store.cursor()
                if cur is not None:
                    if head < cur[0]:
                        self._check_chain()
                        raise IndexerError(
                            f"the node's head went backwards: it is at block {head}, the index at {cur[0]} "
                            "(a restarted dev chain or a deep reorg); index into a new database"
                        )
                    cur = self._reorg_check(cur, head)
                next_block = cur[0] + 1 if cur else self.start_block
                if next_block > target:
                    self._finish_backfill()
                    if not follow:
                        break
                    self._report(next_block - 1, target, head, "head")
                    if stop is not None:
                        stop.wait(self.config.poll_interval)
                    else:
                        time.sleep(self.config.poll_interval)
                    if follow:
                        self._check_chain()
                    continue
                final_edge = min(target, head - self.config.reorg_depth)
                if next_block <= final_edge:
                    self._backfill(next_block, final_edge, target, head, stop)
                else:
                    self._finish_backfill()
                    self._stream(next_block, target, target, head, stop, near=True, prev_hash=cur[1] if cur else None)
            cur = self.store.cursor()
            return RunResult(
                run_start, cur[0] if cur else run_start - 1, self._events, self._rollbacks, time.monotonic() - t0
            )
        finally:
            if self._pool is not None:
                self._pool.shutdown(wait=True, cancel_futures=True)
                self._pool = None
            self.fetcher.close()
            self.store.unlock_writer()

    def _report(self, indexed: int, target: int, head: int, regime: str) -> None:
        if self._progress is not None:
            self._progress(
                Progress(
                    self._run_start,
                    indexed,
                    target,
                    head,
                    self._events,
                    time.monotonic() - self._t0,
                    regime,
                    self._rollbacks,
                )
            )

    def _backfill(self, lo: int, hi: int, target: int, head: int, stop: threading.Event | None) -> None:
        cfg = self.config
        if cfg.defer_indexes is not False and self.store.indexes_built():
            fresh = self.store.cursor() is None
            if cfg.defer_indexes or fresh or hi - lo >= cfg.defer_indexes_blocks:
                self.store.drop_secondary_indexes()
        self._stream(lo, hi, target, head, stop, near=False, prev_hash=None)

    def _stream(
        self,
        lo: int,
        hi: int,
        target: int,
        head: int,
        stop: threading.Event | None,
        *,
        near: bool,
        prev_hash: bytes | None,
    ) -> None:
        """Read ``lo..hi`` through the fetch pipeline and commit in batches.

        Near the head every header is kept and must link to the previous one (else the
        stream stops at the break and the next step's reorg check takes over). A long
        stretch (far or near the head) moves to worker processes once it proves big (many
        blocks or many events).
        """
        cfg = self.config
        batch: list[RangeResult[Prepared]] = []
        pending_events = seen_events = 0
        last_commit = time.monotonic()
        pos = lo
        while pos <= hi:
            # worker processes near the head too when the span is big (a backfill's last
            # ``reorg_depth`` blocks); the header links are still checked here, in order.
            pool = self._process_pool(hi - pos + 1, seen_events)
            ranges = self.fetcher.ranges(pos, hi, all_headers=near, processes=pool, remote_read=worker_read)
            try:
                for res in _guard_pool(ranges, self._drop_pool):
                    if near:
                        for n in range(res.lo, res.hi + 1):
                            h = res.headers[n]
                            if prev_hash is not None and h.parent_hash != prev_hash:
                                if batch:
                                    self._commit(batch, store_headers=True)
                                return  # the chain changed under us: the reorg check handles it
                            prev_hash = h.hash
                    batch.append(res)
                    pending_events += res.n_logs
                    seen_events += res.n_logs
                    pos = res.hi + 1
                    stopping = stop is not None and stop.is_set()
                    if (
                        pending_events >= cfg.commit_events
                        or time.monotonic() - last_commit >= cfg.commit_seconds
                        or res.hi == hi
                        or stopping
                    ):
                        self._commit(batch, store_headers=near)
                        batch, pending_events, last_commit = [], 0, time.monotonic()
                        if near:
                            self.store.prune_blocks(head - cfg.reorg_depth - 1)
                        self._report(res.hi, target, head, "head" if near else "backfill")
                        if stopping:
                            return
                    if pool is None and pos <= hi and self._process_pool(hi - pos + 1, seen_events):
                        break  # big after all: continue in worker processes
            finally:
                ranges.close()  # type: ignore[attr-defined]
        if batch:
            self._commit(batch, store_headers=near)

    def _drop_pool(self) -> None:
        """The worker processes died (e.g. a main module without a ``__main__`` guard under spawn):
        go on in threads, loudly."""
        log.warning("indexer worker processes failed; continuing with threads (workers=0)")
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self._pool_broken = True

    def _process_pool(self, blocks: int, seen_events: int) -> ProcessPoolExecutor | None:
        """Worker processes for a long backfill (their own GIL each), started once per run."""
        if self._pool is not None or self._pool_broken:
            return self._pool
        workers = self.config.workers
        if workers is None:
            cpus = os.cpu_count() or 1
            workers = max(2, cpus - 1) if cpus > 1 else 0
        big = blocks >= self.config.workers_min_blocks or seen_events >= self.config.workers_min_events
        if workers <= 0 or not big or blocks < 2:
            return None
        if self._pool is None:
            cfg = self.config
            # fork where there is fork (no re-import of the caller's main module; Python launches
            # every worker before its manager thread), after joining our own fetch threads.
            self.fetcher.close()
            method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context(method),
                initializer=worker_init,
                initargs=(
                    self.rpc.settings(),
                    dict(self.decoder.by_address),
                    {n: list(a) for n, a in self.abis.items()},
                    sorted(self.preparer.projected),
                    self.preparer.chain_id,
                    {"block_attempts": cfg.block_attempts, "bloom_check": cfg.bloom_check},
                ),
            )
        return self._pool

    def _finish_backfill(self) -> None:
        if not self.store.indexes_built():
            self.store.build_secondary_indexes()

    def _commit(self, results: list[RangeResult[Prepared]], *, store_headers: bool) -> None:
        """Project, then write events, refs, state, block hashes and the checkpoint in one transaction."""
        last = results[-1]
        writer = StateWriter(self.store, self.tables)
        try:
            for res in results:
                for ev in res.payload.events:
                    for proj in self._by_contract.get(ev.contract, ()):
                        if ev.args is not None:
                            proj.apply(ev, writer)
            with self.store.transaction():
                for res in results:
                    self.store.insert_events(res.payload.rows)
                self.store.derive_refs(results[0].lo << 24, ((last.hi + 1) << 24) - 1, self._ref_rules)
                writer.flush()
                if store_headers:
                    self.store.put_blocks(
                        [(h.number, h.hash, h.parent_hash, h.timestamp) for r in results for h in r.headers.values()]
                    )
                else:
                    h = last.headers[last.hi]
                    self.store.put_blocks([(h.number, h.hash, h.parent_hash, h.timestamp)])
                self.store.set_cursor(last.hi, last.hi_hash)
        except BaseException:
            writer.discard()
            raise
        self._events += sum(len(r.payload.rows) for r in results)

    def _reorg_check(self, cur: tuple[int, bytes], head: int) -> tuple[int, bytes]:
        """Compare the checkpoint's hash with the node's; on a mismatch roll back to the fork point."""
        node = self.fetcher.header(cur[0])
        if node is not None and node.hash == cur[1]:
            return cur
        stored = self.store.recent_blocks(cur[0] - self.config.reorg_depth - 1)
        fork: Header | None = None
        for n, block_hash in stored:
            h = self.fetcher.header(n)
            if h is not None and h.hash == block_hash:
                fork = h
                break
        if fork is None:
            raise IndexerError(
                f"block {cur[0]} changed on the node and no stored block within the reorg window "
                f"({self.config.reorg_depth} blocks) matches: a reorg deeper than reorg_depth, or another chain"
            )
        writer_tables = self.tables
        with self.store.transaction():
            self.store.rollback_to(fork.number, fork.hash, writer_tables)
        self._rollbacks += 1
        self._report(fork.number, head - self.config.confirmations, head, "rollback")
        return (fork.number, fork.hash)

    # -- status ------------------------------------------------------------------------

    def status(self) -> Status:
        return index_status(self.store, self.rpc)


def _guard_pool(
    ranges: Iterator[RangeResult[Prepared]],
    on_broken: Callable[[], None],
) -> Iterator[RangeResult[Prepared]]:
    """Yield from ``ranges``; a broken process pool ends the iteration after ``on_broken()``."""
    try:
        yield from ranges
    except BrokenProcessPool:
        on_broken()


def index_status(store: Store, rpc: Chain | RpcClient | None = None) -> Status:
    """Head, indexed block, lag and counts of an index (the node is optional)."""
    head: int | None = None
    node_error: str | None = None
    if rpc is not None:
        try:
            head = int(_client(rpc).call("eth_blockNumber"), 16)
        except ChainError as exc:
            node_error = str(exc)
    cur = store.cursor()
    chain = store.get_meta("chain_id")
    return Status(
        store=store.description,
        chain_id=int(chain) if chain is not None else None,
        genesis_hash=store.get_meta("genesis_hash"),
        head=head,
        indexed_block=cur[0] if cur else None,
        lag=(head - cur[0]) if head is not None and cur is not None else None,
        events=store.event_count(),
        counts=tuple(store.counts_by_event()),
        contracts=tuple((n, "0x" + a.hex(), s) for a, n, s, _abi in store.contracts()),
        schema_version=store.schema_version(),
        indexes_built=store.indexes_built(),
        node_error=node_error,
    )


def _client(rpc: Chain | RpcClient) -> RpcClient:
    if isinstance(rpc, Chain):
        return rpc.client
    if isinstance(rpc, RpcClient):
        return rpc
    raise InputError(f"rpc: pass a Chain or an RpcClient (e.g. Chain(url)), not {type(rpc).__name__}")


def _shipped_abis(contracts: Mapping[str, tuple[str, int]]) -> dict[str, ABI]:
    from provenance.compiler import load_artifact
    from provenance.errors import CompileError

    out: dict[str, ABI] = {}
    for name in contracts:
        try:
            out[name] = load_artifact(name).abi
        except CompileError as exc:
            raise IndexerError(f"no ABI for {name}: {exc}; pass abis=") from None
    return out
