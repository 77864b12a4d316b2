"""The indexer's worker processes: each reads and prepares ranges with its own connection and GIL.

The indexer starts a process pool with :func:`worker_init` as initializer and hands
:func:`worker_read` to :meth:`LogFetcher.ranges <provenance.indexer.fetch.LogFetcher.ranges>`;
the main process only plans ranges and writes.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from provenance.errors import IndexerError
from provenance.indexer.decode import ABI, LogDecoder
from provenance.indexer.fetch import LogFetcher
from provenance.indexer.prepare import Preparer
from provenance.rpc import RpcClient

__all__ = ["worker_init", "worker_read"]

# -- worker processes ----------------------------------------------------------------------

_STATE: dict[str, Any] = {}


def worker_init(
    rpc: Mapping[str, Any],
    contracts: Mapping[str, str],
    abis: Mapping[str, ABI],
    projected: Sequence[str],
    chain_id: int,
    fetch: Mapping[str, Any],
) -> None:
    """Initializer of a worker process: its own RPC connection, decoders and fetcher."""
    _exit_with_parent()
    client = RpcClient.from_settings(rpc)
    decoder = LogDecoder(contracts, abis)
    preparer = Preparer(decoder, frozenset(projected), chain_id)
    _STATE["fetcher"] = LogFetcher(client, decoder.addresses, preparer.prepare, concurrency=1, **fetch)


def _exit_with_parent() -> None:
    """A worker outlives a SIGKILLed indexer by no more than a second (forked workers share the
    task pipe, so none would ever see it close)."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="provenance-parent-watch", daemon=True).start()


def worker_read(lo: int, hi: int, all_headers: bool) -> Any:
    """Read and prepare one range in a worker process (errors come back as IndexerError)."""
    fetcher = _STATE["fetcher"]
    try:
        return fetcher.read_range(lo, hi, all_headers)
    except IndexerError:
        raise
    except Exception as exc:  # noqa: BLE001 - must pickle: flatten to an IndexerError
        raise IndexerError(f"worker failed reading blocks {lo}-{hi}: {type(exc).__name__}: {exc}") from None
