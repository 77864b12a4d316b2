"""Indexing and tracing: ``index`` (catch up, or ``--follow``), ``index status``, ``trace``."""

from __future__ import annotations

import signal
import sys
import threading
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from provenance._cli._context import Context, pass_ctx
from provenance.errors import InputError

if TYPE_CHECKING:
    from provenance.indexer import IndexerConfig, RunResult

__all__ = ["index_cmd", "trace"]


def _existing_index(c: Context, store: str | None) -> str:
    location = c.index_location(store)
    if "://" not in location and not Path(location).exists():
        raise InputError(f"no index at {location}: run `provenance index` first")
    return location


@click.group("index", invoke_without_command=True)
@click.option("--store", help="SQLite file or postgresql:// URL (env PROVENANCE_INDEX; default DATA_DIR/index.sqlite).")
@click.option("--follow", is_flag=True, help="Keep polling for new blocks until interrupted.")
@click.option(
    "--confirmations",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Index only blocks at least this deep.",
)
@click.pass_context
def index_cmd(ctx: click.Context, store: str | None, follow: bool, confirmations: int) -> None:
    """Index every event of the deployment: catch up with the head (progress bar) and exit."""
    c = ctx.find_object(Context)
    assert c is not None  # the root group always sets it
    if ctx.invoked_subcommand is not None:
        c.index_store = store
        return
    from provenance.indexer import IndexerConfig

    location = c.index_location(store)
    config = IndexerConfig(confirmations=confirmations)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        result = _run_indexer(c, location, config, follow, stop)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(
        f"indexed to block {result.indexed_block}: {result.events} new events in {result.elapsed:.1f}s"
        f"{f', {result.rollbacks} reorg rollbacks' if result.rollbacks else ''} -> {location}"
    )


def _run_indexer(c: Context, location: str, config: IndexerConfig, follow: bool, stop: threading.Event) -> RunResult:
    from provenance.indexer import Indexer

    with (
        Indexer.from_deployment(
            c.deployment(), store=location, rpc=c.node(c.rpc_url, patient=True), config=config
        ) as ix,
        click.progressbar(length=1000, label="indexing", file=sys.stderr, show_eta=True) as bar,
    ):
        done = [0]

        def progress(p: Any) -> None:
            step = int(p.fraction * 1000)
            if step > done[0]:
                bar.update(step - done[0])
                done[0] = step

        try:
            result = ix.run(follow=follow, progress=progress, stop=stop)
        except KeyboardInterrupt:
            stop.set()
            raise
    return result


@index_cmd.command("status")
@pass_ctx
def index_status_cmd(c: Context) -> None:
    """Head, indexed block, lag and event counts of the index."""
    from provenance.indexer import index_status, open_store

    location = _existing_index(c, c.index_store)
    store = open_store(location)
    try:
        st = index_status(store, c.node(c.rpc_url))
    finally:
        store.close()
    click.echo(f"store {st.store} (schema v{st.schema_version}); chain {st.chain_id}")
    click.echo(
        f"head {st.head if st.head is not None else '?'}  indexed {st.indexed_block}  "
        f"lag {st.lag if st.lag is not None else '?'}  events {st.events}"
    )
    if st.node_error:
        click.echo(f"node: {st.node_error}")
    for contract, event, count in st.counts:
        click.echo(f"  {contract:<14} {event:<24} {count}")


@click.command()
@click.argument("kind", type=click.Choice(["asset", "party", "trade"]))
@click.argument("ref")
@click.option("--store", help="SQLite file or postgresql:// URL (default DATA_DIR/index.sqlite).")
@click.option(
    "--lineage",
    type=click.Choice(["none", "up", "down", "both"]),
    default="both",
    show_default=True,
    help="For assets: include ancestors' and/or descendants' events.",
)
@click.option("--from-block", type=click.IntRange(0))
@click.option("--to-block", type=click.IntRange(0))
@click.option("--since", type=click.IntRange(0), help="Unix time, inclusive.")
@click.option("--until", type=click.IntRange(0), help="Unix time, inclusive.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per event.")
@pass_ctx
def trace(
    c: Context,
    kind: str,
    ref: str,
    store: str | None,
    lineage: str,
    from_block: int | None,
    to_block: int | None,
    since: int | None,
    until: int | None,
    limit: int,
    as_json: bool,
) -> None:
    """The indexed history of an asset, a party or a trade, oldest first."""
    import json as _json

    from provenance.indexer import asset_history, iter_history, open_store, party_history, trade_history

    location = _existing_index(c, store)
    st = open_store(location)
    filters: dict[str, Any] = {"from_block": from_block, "to_block": to_block, "since": since, "until": until}
    if kind == "asset":
        events = iter_history(asset_history, st, ref, lineage=lineage, page_size=min(limit, 1000), **filters)
    elif kind == "party":
        events = iter_history(party_history, st, ref, page_size=min(limit, 1000), **filters)
    else:
        trade = int(ref) if ref.isascii() and ref.isdigit() and len(ref) <= 78 else ref
        events = iter_history(trade_history, st, trade, page_size=min(limit, 1000), **filters)
    shown = 0
    try:
        for ev in islice(events, limit):
            shown += 1
            if as_json:
                click.echo(_json.dumps(ev.to_json(), default=str))
            else:
                args = ", ".join(f"{k}={_short(v)}" for k, v in (ev.args or {}).items())
                click.echo(
                    f"{ev.block_number:>8}:{ev.log_index:<4} {ev.contract:<12} {ev.name:<20} {args}  tx {ev.tx_hash}"
                )
    finally:
        st.close()
    if not as_json:
        click.echo(f"{shown} event(s)")


def _short(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)
