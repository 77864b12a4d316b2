"""Queries over an index: histories of assets (with lineage), parties and trades, state.

Every history is a :class:`Page` of :class:`IndexedEvent` in chain order (or reversed),
filtered by block range and/or block time, ``limit`` events at a time; pass the page's
``next_cursor`` back as ``cursor`` for the next page (keyset paging: stable under inserts).
Values come back as the chain has them: hex strings for hashes and addresses (lowercase),
ints for integers; both backends return identical results.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from provenance._internal.hexbytes import parse_address, parse_hex
from provenance.errors import InputError
from provenance.indexer.decode import ABI, EventDecoder, LogDecoder
from provenance.indexer.rows import (
    AssetState,
    Holding,
    LicenceState,
    ListingState,
    OfferState,
    Payout,
    TradeState,
)
from provenance.indexer.store import Store
from provenance.indexer.store.tables import EXCHANGE_TABLES

__all__ = [
    "IndexedEvent",
    "LineageEdge",
    "Page",
    "asset_history",
    "asset_state",
    "children_of",
    "events",
    "exchange_balance",
    "history",
    "holders",
    "iter_history",
    "licences_of",
    "lineage",
    "listing_state",
    "offer_state",
    "party_history",
    "trade_history",
    "trade_state",
]

Direction = Literal["none", "up", "down", "both"]
_EVENT_COLS = (
    "e.id, e.chain_id, e.block_number, e.log_index, e.block_hash, e.block_time, e.tx_hash, e.tx_index, "
    "e.address, e.contract, e.event, e.topics, e.data, e.args"
)
_CURSOR = re.compile(r"^(\d+):(\d+)$")


@dataclass(frozen=True, slots=True)
class IndexedEvent:
    """One stored event."""

    chain_id: int
    block_number: int
    log_index: int
    block_hash: str
    block_time: int | None
    tx_hash: str
    tx_index: int
    address: str
    contract: str
    name: str
    topics: tuple[str, ...]
    data: str
    args: dict[str, Any] | None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (wide integers as decimal strings)."""
        args: Any = self.args
        if args is not None:
            args = {
                k: (str(v) if isinstance(v, int) and not isinstance(v, bool) and abs(v) >= 1 << 53 else v)
                for k, v in args.items()
            }
        return {
            "chainId": self.chain_id,
            "blockNumber": self.block_number,
            "logIndex": self.log_index,
            "blockHash": self.block_hash,
            "blockTime": self.block_time,
            "txHash": self.tx_hash,
            "txIndex": self.tx_index,
            "address": self.address,
            "contract": self.contract,
            "event": self.name,
            "topics": list(self.topics),
            "data": self.data,
            "args": args,
        }


@dataclass(frozen=True, slots=True)
class Page:
    items: tuple[IndexedEvent, ...]
    next_cursor: str | None  # None on the last page


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """``child`` was derived from ``parent`` (``depth`` 1 = direct)."""

    child: str
    parent: str
    licence_id: int
    revenue_share_bps: int
    depth: int


# -- decoding rows back ----------------------------------------------------------------

_codecs: weakref.WeakKeyDictionary[Store, dict[tuple[str, str], EventDecoder]] = weakref.WeakKeyDictionary()


def _decoders(store: Store) -> dict[tuple[str, str], EventDecoder]:
    found = _codecs.get(store)
    if found is None:
        contracts = store.contracts()
        abis: dict[str, ABI] = {name: orjson.loads(abi) for _a, name, _s, abi in contracts}
        dec = LogDecoder({"0x" + a.hex(): name for a, name, _s, _abi in contracts}, abis)
        found = {(d.contract, d.name): d for d in dec.decoders()}
        _codecs[store] = found
    return found


def _to_event(store: Store, row: Sequence[Any]) -> IndexedEvent:
    raw_topics = bytes(row[11])
    topics = tuple("0x" + raw_topics[i : i + 32].hex() for i in range(0, len(raw_topics), 32))
    args: dict[str, Any] | None = None
    if row[13] is not None:
        doc = orjson.loads(row[13])
        dec = _decoders(store).get((str(row[9]), str(row[10])))
        args = dec.args_from_json(doc) if dec is not None else doc
    return IndexedEvent(
        chain_id=int(row[1]),
        block_number=int(row[2]),
        log_index=int(row[3]),
        block_hash="0x" + bytes(row[4]).hex(),
        block_time=int(row[5]) if row[5] is not None else None,
        tx_hash="0x" + bytes(row[6]).hex(),
        tx_index=int(row[7]),
        address="0x" + bytes(row[8]).hex(),
        contract=str(row[9]),
        name=str(row[10]),
        topics=topics,
        data="0x" + bytes(row[12]).hex(),
        args=args,
    )


# -- ids -------------------------------------------------------------------------------


def _bytes32(value: str | bytes | int, what: str) -> bytes:
    if isinstance(value, bytes):
        raw = value
    elif isinstance(value, int):
        if value < 0 or value >= 1 << 256:
            raise InputError(f"{what} out of range: {value}")
        return value.to_bytes(32, "big")
    else:
        text = value.strip()
        if text.isascii() and text.isdigit():
            return _bytes32(int(text), what)  # a decimal id
        raw = parse_hex(text, what=what)
    if len(raw) != 32:
        raise InputError(f"{what} must be 32 bytes, got {len(raw)}")
    return raw


def _address(value: str | bytes) -> bytes:
    if isinstance(value, bytes):
        if len(value) != 20:
            raise InputError(f"an address is 20 bytes, got {len(value)}")
        return value
    return bytes.fromhex(parse_address(value.strip(), what="party")[2:])


# -- histories -------------------------------------------------------------------------


def _history(
    store: Store,
    kind: str,
    keys: Sequence[bytes],
    *,
    from_block: int | None,
    to_block: int | None,
    since: int | None,
    until: int | None,
    limit: int,
    cursor: str | None,
    descending: bool,
) -> Page:
    if limit < 1 or limit > 10_000:
        raise InputError(f"limit must be 1..10000, got {limit}")
    if not keys:
        return Page((), None)
    marks = ", ".join("?" * len(keys))
    where = ["r.kind = ?", f"r.ref IN ({marks})"]
    params: list[Any] = [kind, *keys]
    where, params = _filters(where, params, "r.event_id", from_block, to_block, since, until, cursor, descending, store)
    order = "DESC" if descending else "ASC"
    # The ids first, from the covering index (stops after the page), then only those rows.
    sql = (
        f"SELECT {_EVENT_COLS} FROM events e WHERE e.id IN (SELECT DISTINCT r.event_id FROM event_refs r "
        f"WHERE {' AND '.join(where)} ORDER BY r.event_id {order} LIMIT ?) ORDER BY e.id {order}"
    )
    rows = store.execute(sql, (*params, limit + 1))
    return _page(store, rows, limit)


def _first_block_at(store: Store, t: int) -> int:
    """The first block whose events have ``block_time >= t`` (block times never decrease), by
    binary search over the primary key: O(log n) probes, no time index needed."""
    rows = store.execute("SELECT MAX(id) FROM events")
    if not rows or rows[0][0] is None:
        return 0
    lo, hi = 0, (int(rows[0][0]) >> 24) + 1
    while lo < hi:
        mid = (lo + hi) // 2
        probe = store.execute("SELECT block_time FROM events WHERE id >= ? ORDER BY id LIMIT 1", (mid << 24,))
        if not probe or probe[0][0] is None or int(probe[0][0]) >= t:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _filters(
    where: list[str],
    params: list[Any],
    id_col: str,
    from_block: int | None,
    to_block: int | None,
    since: int | None,
    until: int | None,
    cursor: str | None,
    descending: bool,
    store: Store | None = None,
) -> tuple[list[str], list[Any]]:
    if store is not None and since is not None:
        first = _first_block_at(store, since)
        from_block = first if from_block is None else max(from_block, first)
    if store is not None and until is not None:
        last = _first_block_at(store, until + 1) - 1
        to_block = last if to_block is None else min(to_block, last)
    if store is not None:
        since = until = None  # now exact id bounds: block times never decrease
    if from_block is not None:
        where.append(f"{id_col} >= ?")
        params.append(max(0, from_block) << 24)
    if to_block is not None:
        where.append(f"{id_col} < ?")
        params.append((to_block + 1) << 24)
    if since is not None:
        where.append("e.block_time >= ?")
        params.append(since)
    if until is not None:
        where.append("e.block_time <= ?")
        params.append(until)
    if cursor is not None:
        m = _CURSOR.match(cursor)
        if m is None:
            raise InputError(f"bad page cursor {cursor!r}")
        where.append(f"{id_col} {'<' if descending else '>'} ?")
        params.append((int(m.group(1)) << 24) | int(m.group(2)))
    return where, params


def _page(store: Store, rows: list[tuple[Any, ...]], limit: int) -> Page:
    items = tuple(_to_event(store, r) for r in rows[:limit])
    nxt = f"{items[-1].block_number}:{items[-1].log_index}" if len(rows) > limit and items else None
    return Page(items, nxt)


def history(
    store: Store,
    kind: str,
    ref: str | bytes | int,
    *,
    from_block: int | None = None,
    to_block: int | None = None,
    since: int | None = None,
    until: int | None = None,
    limit: int = 100,
    cursor: str | None = None,
    descending: bool = False,
) -> Page:
    """Events referring to ``ref`` as ``kind`` (``asset``, ``party``, ``licence``, ``pledge``,
    ``dispute``, ``trade``...)."""
    value = _address(ref) if kind == "party" and not isinstance(ref, int) else _bytes32(ref, f"{kind} id")
    return _history(
        store,
        kind,
        [value],
        from_block=from_block,
        to_block=to_block,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        descending=descending,
    )


def asset_history(
    store: Store,
    asset_id: str | bytes,
    *,
    lineage: Direction = "none",
    from_block: int | None = None,
    to_block: int | None = None,
    since: int | None = None,
    until: int | None = None,
    limit: int = 100,
    cursor: str | None = None,
    descending: bool = False,
) -> Page:
    """Every event touching an asset; with ``lineage`` also its ancestors' (``up``), its
    descendants' (``down``) or both, as derived at ``to_block`` (default: now)."""
    root = _bytes32(asset_id, "asset id")
    ids = {root}
    if lineage in ("up", "both"):
        ids.update(bytes.fromhex(e.parent[2:]) for e in _walk(store, root, "up", to_block))
    if lineage in ("down", "both"):
        ids.update(bytes.fromhex(e.child[2:]) for e in _walk(store, root, "down", to_block))
    if lineage not in ("none", "up", "down", "both"):
        raise InputError(f"lineage must be none, up, down or both, got {lineage!r}")
    return _history(
        store,
        "asset",
        sorted(ids),
        from_block=from_block,
        to_block=to_block,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
        descending=descending,
    )


def party_history(store: Store, party: str | bytes, **filters: Any) -> Page:
    """Every event naming an address (as applicant, holder, licensee, registrar, ...)."""
    return history(store, "party", party, **filters)


def trade_history(store: Store, trade_id: str | bytes | int, **filters: Any) -> Page:
    """Every event of a trade of the exchange (events with a ``tradeId`` argument)."""
    return history(store, "trade", trade_id, **filters)


def events(
    store: Store,
    *,
    contract: str | None = None,
    event: str | None = None,
    from_block: int | None = None,
    to_block: int | None = None,
    since: int | None = None,
    until: int | None = None,
    limit: int = 100,
    cursor: str | None = None,
    descending: bool = False,
) -> Page:
    """All events, optionally of one contract / event name, in a block or time range."""
    if limit < 1 or limit > 10_000:
        raise InputError(f"limit must be 1..10000, got {limit}")
    where = ["1 = 1"]
    params: list[Any] = []
    if contract is not None:
        where.append("e.contract = ?")
        params.append(contract)
    if event is not None:
        where.append("e.event = ?")
        params.append(event)
    where, params = _filters(where, params, "e.id", from_block, to_block, since, until, cursor, descending, store)
    order = "DESC" if descending else "ASC"
    rows = store.execute(
        f"SELECT {_EVENT_COLS} FROM events e WHERE {' AND '.join(where)} ORDER BY e.id {order} LIMIT ?",
        (*params, limit + 1),
    )
    return _page(store, rows, limit)


def iter_history(fetch: Any, *args: Any, page_size: int = 1000, **filters: Any) -> Iterator[IndexedEvent]:
    """Every event of a history, page by page: ``iter_history(asset_history, store, asset_id)``."""
    cursor: str | None = None
    while True:
        page: Page = fetch(*args, limit=page_size, cursor=cursor, **filters)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# -- state -----------------------------------------------------------------------------


def _valid(alias: str, at_block: int | None) -> tuple[str, tuple[Any, ...]]:
    if at_block is None:
        return f"{alias}.block_to IS NULL", ()
    return f"{alias}.block_from <= ? AND ({alias}.block_to IS NULL OR {alias}.block_to > ?)", (at_block, at_block)


def _walk(store: Store, root: bytes, direction: str, at_block: int | None, max_depth: int = 64) -> list[LineageEdge]:
    cond, params = _valid("l", at_block)
    mine, other = ("asset_id", "parent_id") if direction == "up" else ("parent_id", "asset_id")
    edges: list[LineageEdge] = []
    seen = {root}
    frontier = [root]
    depth = 0
    while frontier and depth < max_depth:
        depth += 1
        marks = ", ".join("?" * len(frontier))
        rows = store.execute(
            f"SELECT l.asset_id, l.parent_id, l.licence_id, l.revenue_share_bps FROM lineage l "
            f"WHERE l.{mine} IN ({marks}) AND {cond} ORDER BY l.{mine}, l.position, l.{other}",
            (*frontier, *params),
        )
        nxt: list[bytes] = []
        for child, parent, licence, bps in rows:
            child, parent = bytes(child), bytes(parent)
            edges.append(
                LineageEdge(
                    "0x" + child.hex(), "0x" + parent.hex(), int.from_bytes(bytes(licence), "big"), int(bps), depth
                )
            )
            far = parent if direction == "up" else child
            if far not in seen:
                seen.add(far)
                nxt.append(far)
        frontier = nxt
    return edges


def lineage(
    store: Store,
    asset_id: str | bytes,
    direction: Literal["up", "down"] = "up",
    *,
    at_block: int | None = None,
    max_depth: int = 64,
) -> list[LineageEdge]:
    """Ancestors (``up``) or descendants (``down``) of an asset, breadth first, at ``at_block``."""
    if direction not in ("up", "down"):
        raise InputError(f"direction must be up or down, got {direction!r}")
    return _walk(store, _bytes32(asset_id, "asset id"), direction, at_block, max_depth)


def children_of(store: Store, asset_id: str | bytes) -> list[str]:
    """Every asset ever derived from ``asset_id``, in the order first recorded (as ``childrenOf``)."""
    rows = store.execute(
        "SELECT child_id FROM children WHERE parent_id = ? AND block_to IS NULL ORDER BY first_block, first_log",
        (_bytes32(asset_id, "asset id"),),
    )
    return ["0x" + bytes(r[0]).hex() for r in rows]


def _hexify(row: dict[str, Any]) -> dict[str, Any]:
    return {k: ("0x" + bytes(v).hex() if isinstance(v, bytes | memoryview) else v) for k, v in row.items()}


def asset_state(store: Store, asset_id: str | bytes, *, at_block: int | None = None) -> AssetState | None:
    """The asset's row (``assets`` table) at ``at_block`` (default: now), or None."""
    cond, params = _valid("a", at_block)
    cols = (
        "applicant",
        "submitter",
        "category",
        "level",
        "kind",
        "status",
        "notice_ends_at",
        "metadata_hash",
        "metadata_uri",
        "consent_ref",
        "serial",
        "certified_at",
        "cert_year",
        "code",
        "registrar",
        "open_disputes",
        "regulator_frozen",
        "active_pledges",
        "epoch",
        "parent_count",
    )
    rows = store.execute(
        f"SELECT {', '.join('a.' + c for c in cols)} FROM assets a WHERE a.asset_id = ? AND {cond}",
        (_bytes32(asset_id, "asset id"), *params),
    )
    if not rows:
        return None
    return AssetState(**_hexify(dict(zip(cols, rows[0], strict=True))))


def holders(
    store: Store,
    asset_id: str | bytes,
    right: int,
    *,
    at_block: int | None = None,
) -> list[Holding]:
    """Each holding with shares > 0 (holder key, shares, pledged), in the contract's ``holdersOf`` order."""
    cond, params = _valid("r", at_block)
    rows = store.execute(
        f"SELECT r.holder, r.shares, r.pledged FROM rights r WHERE r.asset_id = ? AND r.right_kind = ? "
        f"AND r.shares > 0 AND {cond} ORDER BY r.position, r.holder",
        (_bytes32(asset_id, "asset id"), right, *params),
    )
    return [Holding("0x" + bytes(h).hex(), int(s), int(p)) for h, s, p in rows]


def licences_of(store: Store, asset_id: str | bytes, *, at_block: int | None = None) -> list[LicenceState]:
    """Every licence granted on an asset (revoked ones included), by licence id."""
    cond, params = _valid("l", at_block)
    cols = (
        "licence_id",
        "asset_id",
        "licensee",
        "grantor",
        "purpose_hash",
        "starts_at",
        "expires_at",
        "terms_hash",
        "revenue_share_bps",
        "derivatives_allowed",
        "revoked",
        "epoch",
    )
    rows = store.execute(
        f"SELECT {', '.join('l.' + c for c in cols)} FROM licences l WHERE l.asset_id = ? AND {cond} "
        "ORDER BY l.licence_id",
        (_bytes32(asset_id, "asset id"), *params),
    )
    out = []
    for r in rows:
        d = _hexify(dict(zip(cols, r, strict=True)))
        d["licence_id"] = int(d["licence_id"], 16)
        d["derivatives_allowed"] = bool(d["derivatives_allowed"])
        d["revoked"] = bool(d["revoked"])
        out.append(LicenceState(**d))
    return out


# -- exchange state --------------------------------------------------------------------


def _exchange_row(store: Store, table: str, key_col: str, key: bytes, at_block: int | None) -> dict[str, Any] | None:
    from provenance.indexer.projections.exchange import U256_COLUMNS

    spec = next(t for t in EXCHANGE_TABLES if t.name == table)
    cols = (*spec.key_names, *spec.value_names)
    cond, params = _valid("x", at_block)
    rows = store.execute(
        f"SELECT {', '.join('x.' + c for c in cols)} FROM {table} x WHERE x.{key_col} = ? AND {cond}", (key, *params)
    )
    if not rows:
        return None
    out: dict[str, Any] = {}
    for name, v in zip(cols, rows[0], strict=True):
        if isinstance(v, memoryview):
            v = bytes(v)
        if name in U256_COLUMNS and isinstance(v, bytes):
            out[name] = int.from_bytes(v, "big")
        elif name in spec.bool_columns and v is not None:
            out[name] = bool(v)
        elif isinstance(v, bytes):
            out[name] = "0x" + v.hex()
        else:
            out[name] = v
    return out


def listing_state(store: Store, listing_id: str | bytes | int, *, at_block: int | None = None) -> ListingState | None:
    """The exchange listing's row (``listings`` table) at ``at_block`` (default: now), or None."""
    row = _exchange_row(store, "listings", "listing_id", _bytes32(listing_id, "listing id"), at_block)
    return None if row is None else ListingState(**row)


def trade_state(store: Store, trade_id: str | bytes | int, *, at_block: int | None = None) -> TradeState | None:
    """The trade's row (``trades`` table) at ``at_block``, with its settlement's ``payouts``, or None."""
    key = _bytes32(trade_id, "trade id")
    out = _exchange_row(store, "trades", "trade_id", key, at_block)
    if out is None:
        return None
    cond, params = _valid("p", at_block)
    rows = store.execute(
        f"SELECT p.payee, p.source_asset, p.amount FROM trade_payouts p WHERE p.trade_id = ? AND {cond} "
        "ORDER BY p.payee, p.source_asset",
        (key, *params),
    )
    payouts = tuple(
        Payout("0x" + bytes(p).hex(), "0x" + bytes(s).hex(), int.from_bytes(bytes(a), "big")) for p, s, a in rows
    )
    return TradeState(**out, payouts=payouts)


def offer_state(store: Store, offer_id: str | bytes | int, *, at_block: int | None = None) -> OfferState | None:
    """The negotiated offer's row (``offers`` table) at ``at_block``, or None."""
    row = _exchange_row(store, "offers", "offer_id", _bytes32(offer_id, "offer id"), at_block)
    return None if row is None else OfferState(**row)


def exchange_balance(
    store: Store, account: str | bytes, currency: str | bytes = b"\0" * 20, *, at_block: int | None = None
) -> int:
    """``withdrawableOf(account, currency)`` as the index has it (currency default: the native coin)."""
    cond, params = _valid("b", at_block)
    rows = store.execute(
        f"SELECT b.balance FROM exchange_balances b WHERE b.account = ? AND b.currency = ? AND {cond}",
        (_address(account), _address(currency), *params),
    )
    return int.from_bytes(bytes(rows[0][0]), "big") if rows else 0
