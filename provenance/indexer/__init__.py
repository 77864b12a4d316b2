"""The event indexer: every event of our contracts into SQLite or PostgreSQL, fast,
reorg-safe and crash-safe, with current-state tables and history queries.

Typical use (what ``provenance index`` / ``index status`` / ``trace`` wrap)::

    from provenance.chain import Chain
    from provenance.indexer import Indexer, open_store, asset_history, index_status

    with Indexer.from_deployment("deployment.json", store="data/index.sqlite",
                                 rpc=Chain("http://127.0.0.1:8545")) as ix:
        ix.run(follow=False, progress=lambda p: print(f"{p.fraction:.0%} {p.events} events"))
        print(ix.status())                      # head, indexed block, lag, counts
    store = open_store("data/index.sqlite")     # or "postgresql://user@host/db#schema"
    page = asset_history(store, asset_id, lineage="both", limit=100)
    more = asset_history(store, asset_id, lineage="both", cursor=page.next_cursor)

``run(follow=True, stop=threading.Event())`` keeps polling. Long backfills are read and
decoded in worker processes (``IndexerConfig.workers``, forked where the platform forks);
scripts that may spawn them need the usual ``if __name__ == "__main__":`` guard.

Modules: :mod:`.fetch` (adaptive eth_getLogs), :mod:`.decode`
(prepared decoders), :mod:`.prepare` (logs -> rows, worker processes), :mod:`.store`
(backends, schema, migrations), :mod:`.state` and :mod:`.projections` (current state from
events), :mod:`.indexer` (the loop), :mod:`.query` (histories and state). The JSON-RPC client
is :mod:`provenance.rpc`, shared with the rest of the package.
"""

from __future__ import annotations

from provenance.indexer.decode import Event, EventDecoder, LogDecoder
from provenance.indexer.indexer import Indexer, IndexerConfig, Progress, RunResult, Status, index_status
from provenance.indexer.query import (
    IndexedEvent,
    LineageEdge,
    Page,
    asset_history,
    asset_state,
    children_of,
    events,
    exchange_balance,
    history,
    holders,
    iter_history,
    licences_of,
    lineage,
    listing_state,
    offer_state,
    party_history,
    trade_history,
    trade_state,
)
from provenance.indexer.rows import AssetState, Holding, LicenceState, ListingState, OfferState, Payout, TradeState
from provenance.indexer.store import PostgresStore, SqliteStore, Store, open_store

__all__ = [
    "AssetState",
    "Event",
    "EventDecoder",
    "Holding",
    "IndexedEvent",
    "Indexer",
    "IndexerConfig",
    "LicenceState",
    "LineageEdge",
    "ListingState",
    "LogDecoder",
    "OfferState",
    "Page",
    "Payout",
    "PostgresStore",
    "Progress",
    "RunResult",
    "SqliteStore",
    "Status",
    "Store",
    "TradeState",
    "asset_history",
    "asset_state",
    "children_of",
    "events",
    "exchange_balance",
    "history",
    "holders",
    "index_status",
    "iter_history",
    "licences_of",
    "lineage",
    "listing_state",
    "offer_state",
    "open_store",
    "party_history",
    "trade_history",
    "trade_state",
]
