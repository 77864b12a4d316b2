"""Reading logs: adaptive eth_getLogs ranges, bounded concurrency, completeness checks.

* Range size adapts (:class:`RangeSizer`): it shrinks fast (to what the last answer says
  fits, halving on "too many results" or response-size errors, quartering on timeouts) and
  grows slowly (x1.25 per sparse answer). A range refused as too big is split in halves
  until it is read; a single block that still cannot be read stops with an
  :class:`~provenance.errors.IndexerError`: nothing is ever skipped.
* Up to ``concurrency`` ranges are read at once, each thread on its own connection; results
  come back strictly in block order.
* Every log must come from one of our addresses and carry the hash of the block header we
  read for its number (otherwise the chain moved under us and the range is read again).
* Completeness: a block whose ``logsBloom`` admits one of our addresses but for which
  eth_getLogs returned nothing is read again by block hash.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from eth_hash.auto import keccak

from provenance.errors import IndexerError
from provenance.rpc import RpcClient, RpcError, RpcTimeout, RpcTransportError

__all__ = ["FetchStats", "Header", "LogFetcher", "RangeResult", "RangeSizer", "bloom_bits", "bloom_may_contain"]

T = TypeVar("T")

_TOO_BIG = re.compile(
    r"too many|more than|limit|exceed|too large|too big|block range|range is too|response size|"
    r"timeout|timed out|query returned|max results|payload|413",
    re.IGNORECASE,
)
_HEADER_BATCH = 200


@dataclass(frozen=True, slots=True)
class Header:
    """The parts of a block header the indexer needs."""

    number: int
    hash: bytes
    parent_hash: bytes
    timestamp: int
    logs_bloom: bytes

    @classmethod
    def from_rpc(cls, doc: dict[str, Any]) -> Header:
        try:
            return cls(
                number=int(doc["number"], 16),
                hash=bytes.fromhex(doc["hash"][2:]),
                parent_hash=bytes.fromhex(doc["parentHash"][2:]),
                timestamp=int(doc["timestamp"], 16),
                logs_bloom=bytes.fromhex(doc["logsBloom"][2:]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexerError(f"the node returned a malformed block header ({exc!r})") from None


def bloom_bits(item: bytes) -> tuple[tuple[int, int], ...]:
    """(byte index, mask) of the three bloom bits of ``item`` (yellow paper, M3:2048)."""
    h = keccak(item)
    out = []
    for i in (0, 2, 4):
        bit = ((h[i] << 8) | h[i + 1]) & 2047
        out.append((255 - bit // 8, 1 << (bit % 8)))
    return tuple(out)


def bloom_may_contain(bloom: bytes, bits: tuple[tuple[int, int], ...]) -> bool:
    return len(bloom) == 256 and all(bloom[i] & m for i, m in bits)


class RangeSizer:
    """Block-range size for eth_getLogs: shrink fast, grow slowly. Thread-safe."""

    def __init__(
        self, initial: int = 8, *, minimum: int = 1, maximum: int = 100_000, target_logs: int = 10_000
    ) -> None:
        self.minimum = max(1, minimum)
        self.maximum = max(self.minimum, maximum)
        self.target_logs = max(1, target_logs)
        self._size = min(max(initial, self.minimum), self.maximum)
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return self._size

    def answered(self, blocks: int, logs: int) -> None:
        with self._lock:
            if logs > self.target_logs:
                self._size = max(self.minimum, min(self._size, int(blocks * self.target_logs / logs)))
            elif logs * 2 < self.target_logs and blocks >= self._size:
                factor = 1.5 if logs * 10 < self.target_logs else 1.25  # slowly; a little faster when empty
                self._size = min(self.maximum, int(self._size * factor) + 1)

    def refused(self, blocks: int, *, timeout: bool = False) -> None:
        with self._lock:
            self._size = max(self.minimum, min(self._size, blocks // (4 if timeout else 2)))


@dataclass(slots=True)
class FetchStats:
    """Counters of one fetcher (read by progress reports)."""

    ranges: int = 0
    splits: int = 0
    timeouts: int = 0
    bloom_rereads: int = 0
    bloom_recovered: int = 0
    chain_moved: int = 0


@dataclass(frozen=True, slots=True)
class RangeResult(Generic[T]):
    """Everything read for blocks ``lo..hi``: the transformed logs and the headers read."""

    lo: int
    hi: int
    payload: T
    n_logs: int
    headers: dict[int, Header] = field(default_factory=dict)

    @property
    def hi_hash(self) -> bytes:
        return self.headers[self.hi].hash


class LogFetcher(Generic[T]):
    """Reads the logs of ``addresses`` and hands each range's logs to ``transform``.

    ``transform`` runs in the worker thread (decoding overlaps with the writer's work).
    """

    def __init__(
        self,
        rpc: RpcClient,
        addresses: Sequence[str],
        transform: Callable[[list[dict[str, Any]]], T],
        *,
        sizer: RangeSizer | None = None,
        concurrency: int = 3,
        block_attempts: int = 8,
        bloom_check: bool = True,
    ) -> None:
        self.rpc = rpc
        self.addresses = sorted(a.lower() for a in addresses)
        self._address_set = frozenset(self.addresses)
        self._bloom = [bloom_bits(bytes.fromhex(a[2:])) for a in self.addresses]
        self.transform = transform
        self.sizer = sizer or RangeSizer()
        self.concurrency = max(1, concurrency)
        self.block_attempts = block_attempts
        self.bloom_check = bloom_check
        self.stats = FetchStats()
        self._local = threading.local()
        self._clients: list[RpcClient] = []
        self._clients_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def _client(self) -> RpcClient:
        client: RpcClient | None = getattr(self._local, "client", None)
        if client is None:
            client = self.rpc.clone()
            self._local.client = client
            with self._clients_lock:
                self._clients.append(client)
        return client

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        with self._clients_lock:
            for c in self._clients:
                c.close()
            self._clients.clear()
        self._local = threading.local()

    # -- the pipeline ------------------------------------------------------------------

    def ranges(
        self,
        start: int,
        end: int,
        *,
        all_headers: bool = False,
        processes: Executor | None = None,
        remote_read: Callable[[int, int, bool], RangeResult[T]] | None = None,
    ) -> Iterator[RangeResult[T]]:
        """Results for ``start..end`` in order, up to ``concurrency`` ranges in flight.

        With ``processes`` (a pool whose workers ran :func:`provenance.indexer.workers.worker_init`)
        the ranges are read and prepared in worker processes by ``remote_read`` (e.g.
        :func:`provenance.indexer.workers.worker_read`); this thread only plans them.
        """
        if start > end:
            return
        if processes is not None and remote_read is None:
            raise IndexerError("LogFetcher.ranges: worker processes need a remote_read function")
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="provenance-fetch")
        pending: deque[Future[RangeResult[T]]] = deque()
        in_flight = self.concurrency if processes is None else 2 * self.concurrency
        next_lo = start
        try:
            while next_lo <= end or pending:
                while next_lo <= end and len(pending) < in_flight:
                    hi = min(end, next_lo + self.sizer.size - 1)
                    if processes is None:
                        pending.append(self._pool.submit(self.read_range, next_lo, hi, all_headers))
                    else:
                        pending.append(processes.submit(remote_read, next_lo, hi, all_headers))  # type: ignore[arg-type]
                    next_lo = hi + 1
                res = pending.popleft().result()
                if processes is not None:
                    self.sizer.answered(res.hi - res.lo + 1, res.n_logs)
                    self.stats.ranges += 1
                yield res
        finally:
            for fut in pending:
                fut.cancel()
            for fut in pending:
                if not fut.cancelled():
                    try:
                        fut.result()
                    except Exception:  # noqa: BLE001,S110 - the caller is already leaving
                        pass

    def read_range(self, lo: int, hi: int, all_headers: bool = False) -> RangeResult[T]:
        """Read one range completely (in the calling thread)."""
        client = self._client()
        for _attempt in range(self.block_attempts):
            logs = self._logs(client, lo, hi)
            need = set(range(lo, hi + 1)) if (all_headers or self.bloom_check) else {hi}
            for log in logs:
                if log.get("blockTimestamp") is None:
                    need.add(int(log["blockNumber"], 16))
            headers = self._headers(client, sorted(need))
            # (1) every log belongs to the header we read for its block (the decoder checks the address).
            moved = False
            prev_bn = ""
            expected = ""
            header: Header | None = None
            for log in logs:
                bn = log["blockNumber"]
                if bn != prev_bn:
                    prev_bn = bn
                    header = headers.get(int(bn, 16))
                    expected = "0x" + header.hash.hex() if header is not None else ""
                if (expected and log["blockHash"] != expected) or log.get("removed"):
                    moved = True
                    break
                if header is not None and log.get("blockTimestamp") is None:
                    log["blockTimestamp"] = hex(header.timestamp)
            if moved:
                self.stats.chain_moved += 1
                time.sleep(0.05)
                continue
            # (2) completeness: blooms that admit our addresses must come with logs.
            if self.bloom_check:
                logs = self._bloom_reread(client, logs, headers)
            self.stats.ranges += 1
            return RangeResult(lo, hi, self.transform(logs), len(logs), headers)
        raise IndexerError(f"blocks {lo}-{hi} kept changing while being read ({self.block_attempts} attempts)")

    # -- eth_getLogs with splitting ----------------------------------------------------

    def _logs(self, client: RpcClient, lo: int, hi: int) -> list[dict[str, Any]]:
        attempts = 0
        while True:
            try:
                result = client.call(
                    "eth_getLogs",
                    [{"fromBlock": hex(lo), "toBlock": hex(hi), "address": self.addresses}],
                    retry_timeouts=lo == hi,
                )
                if not isinstance(result, list):
                    raise IndexerError(f"eth_getLogs {lo}-{hi} answered {type(result).__name__}, not a list")
                self.sizer.answered(hi - lo + 1, len(result))
                return result  # in (block, log index) order: the indexer checks
            except RpcTimeout as exc:
                self.stats.timeouts += 1
                if lo < hi:
                    return self._split(client, lo, hi, timeout=True)
                attempts += 1
                if attempts >= self.block_attempts:
                    raise IndexerError(f"block {lo} cannot be read: {exc}") from None
            except RpcError as exc:
                if lo < hi and _TOO_BIG.search(exc.message):
                    return self._split(client, lo, hi, timeout=False)
                attempts += 1
                if attempts >= self.block_attempts:
                    what = f"block {lo}" if lo == hi else f"blocks {lo}-{hi}"
                    raise IndexerError(f"{what} cannot be read: {exc}") from None
                time.sleep(min(5.0, self.rpc.backoff * 2**attempts))
            except RpcTransportError as exc:
                # The client already retried with backoff. A wide range may be what breaks the
                # node or a gateway (a 5xx or a cut body on a huge answer): split it; a single
                # block gets a few more rounds, then the indexer stops.
                if lo < hi:
                    return self._split(client, lo, hi, timeout=False)
                attempts += 1
                if attempts >= self.block_attempts:
                    what = f"block {lo}" if lo == hi else f"blocks {lo}-{hi}"
                    raise IndexerError(f"{what} cannot be read: {exc}") from None
                time.sleep(min(5.0, self.rpc.backoff * 2**attempts))

    def _split(self, client: RpcClient, lo: int, hi: int, *, timeout: bool) -> list[dict[str, Any]]:
        self.stats.splits += 1
        self.sizer.refused(hi - lo + 1, timeout=timeout)
        mid = (lo + hi) // 2
        return self._logs(client, lo, mid) + self._logs(client, mid + 1, hi)

    # -- headers and blooms ------------------------------------------------------------

    def _headers(self, client: RpcClient, numbers: list[int]) -> dict[int, Header]:
        out: dict[int, Header] = {}
        for i in range(0, len(numbers), _HEADER_BATCH):
            chunk = numbers[i : i + _HEADER_BATCH]
            docs = self._with_retries(
                lambda c=chunk: client.batch([("eth_getBlockByNumber", [hex(n), False]) for n in c]),  # type: ignore[misc]
                f"headers {chunk[0]}-{chunk[-1]}",
            )
            for n, doc in zip(chunk, docs, strict=True):
                if doc is None:
                    raise IndexerError(f"the node has no block {n} (it was at or above it a moment ago)")
                header = Header.from_rpc(doc)
                if header.number != n:
                    raise IndexerError(f"asked for block {n}, the node answered block {header.number}")
                out[n] = header
        return out

    def header(self, number: int | str) -> Header | None:
        """One header by number or tag (``"latest"``), or None if the node has no such block."""
        client = self._client()
        tag = hex(number) if isinstance(number, int) else number
        doc = self._with_retries(lambda: client.call("eth_getBlockByNumber", [tag, False]), f"block {tag}")
        return Header.from_rpc(doc) if doc is not None else None

    def _with_retries(self, fn: Callable[[], Any], what: str) -> Any:
        attempts = 0
        while True:
            try:
                return fn()
            except (RpcTransportError, RpcError) as exc:
                attempts += 1
                if attempts >= self.block_attempts:
                    raise IndexerError(f"{what} cannot be read: {exc}") from None
                time.sleep(min(5.0, self.rpc.backoff * 2**attempts))

    def _bloom_reread(
        self, client: RpcClient, logs: list[dict[str, Any]], headers: dict[int, Header]
    ) -> list[dict[str, Any]]:
        seen = {int(log["blockNumber"], 16) for log in logs}
        extra: list[dict[str, Any]] = []
        for n, header in headers.items():
            if n in seen or not any(bloom_may_contain(header.logs_bloom, bits) for bits in self._bloom):
                continue
            self.stats.bloom_rereads += 1
            found = self._with_retries(
                lambda h=header: client.call(  # type: ignore[misc]
                    "eth_getLogs", [{"blockHash": "0x" + h.hash.hex(), "address": self.addresses}]
                ),
                f"logs of block {n} by hash",
            )
            if found:
                self.stats.bloom_recovered += 1
                for log in found:
                    if log.get("blockTimestamp") is None:
                        log["blockTimestamp"] = hex(header.timestamp)
                extra.extend(found)
        if extra:
            logs = sorted(logs + extra, key=_log_order)
        return logs


def _log_order(log: dict[str, Any]) -> tuple[int, int]:
    return (int(log["blockNumber"], 16), int(log["logIndex"], 16))
