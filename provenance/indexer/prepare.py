"""Logs -> event rows: the hot path, run in fetch threads or in worker processes.

:class:`Preparer` turns one eth_getLogs answer into rows of the ``events`` table (and typed
:class:`~provenance.indexer.decode.Event` records for contracts that have a projection).
Per-block and per-transaction values are converted once; events whose arguments are all
static words go through the decoders' generated fast paths over the hex strings.

Worker processes (:mod:`provenance.indexer.workers`) run the same code with their own
connection and GIL; the main process only writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from provenance.errors import IndexerError
from provenance.indexer.decode import Event, EventDecoder, LogDecoder

__all__ = ["Prepared", "Preparer"]


@dataclass(frozen=True, slots=True)
class Prepared:
    """One range's rows (:data:`~provenance.indexer.store.EVENT_COLUMNS`) and projected events."""

    events: list[Event]
    rows: list[tuple[Any, ...]]


class _Unordered(Exception):
    """Logs not in (block, log index) order: sort, then prepare again."""


class Preparer:
    """Prepares the rows of one chain's logs; ``chain_id`` is set once the chain is checked."""

    def __init__(self, decoder: LogDecoder, projected: frozenset[str], chain_id: int = 0) -> None:
        self.decoder = decoder
        self.projected = projected
        self.chain_id = chain_id
        self._addr_bytes = {n: bytes.fromhex(a[2:]) for a, n in decoder.by_address.items()}
        # Generated fast decoders by (address as the node spells it, topic0 hex).
        self._fast: dict[tuple[str, str], EventDecoder] = {}
        for dec in decoder.decoders():
            if dec.fast_json is not None and dec.contract not in projected:
                for addr, name in decoder.by_address.items():
                    if name == dec.contract:
                        self._fast[(addr, "0x" + dec.topic0.hex())] = dec

    def prepare(self, logs: list[dict[str, Any]]) -> Prepared:
        rows: list[tuple[Any, ...]] = []
        events: list[Event] = []
        chain_id = self.chain_id
        by_address = self.decoder.by_address
        projected = self.projected
        fast = self._fast
        addr_bytes = self._addr_bytes
        fromhex = bytes.fromhex
        prev_bn = prev_tx = ""
        bn = ti = 0
        bt: int | None = None
        bh = th = b""
        last_id = -1
        try:
            for log in logs:
                # (1) block and transaction values, converted once per block / transaction.
                bn_hex = log["blockNumber"]
                if bn_hex != prev_bn:
                    prev_bn, bn, bh = bn_hex, int(bn_hex, 16), fromhex(log["blockHash"][2:])
                    ts = log.get("blockTimestamp")
                    bt = int(ts, 16) if ts is not None else None
                tx_hex = log["transactionHash"]
                if tx_hex != prev_tx:
                    prev_tx, th, ti = tx_hex, fromhex(tx_hex[2:]), int(log["transactionIndex"], 16)
                li = int(log["logIndex"], 16)
                eid = (bn << 24) | li
                if eid <= last_id or li >= 1 << 24:
                    raise _Unordered
                last_id = eid
                address = log["address"]
                t = log["topics"]
                d = log["data"]
                contract = by_address.get(address) or by_address.get(address.lower())
                if contract is None:
                    raise IndexerError(f"the node returned a log of {address}, which is not one of our contracts")
                # (2) the fast path: generated code over the hex strings.
                dec = fast.get((address, t[0])) if t else None
                if dec is not None and d.islower():
                    try:
                        args_json, topics_hex = dec.fast_json(t, d)  # type: ignore[misc]
                    except ValueError:
                        pass
                    else:
                        rows.append(
                            (
                                eid,
                                chain_id,
                                bn,
                                li,
                                bh,
                                bt,
                                th,
                                ti,
                                addr_bytes[contract],
                                contract,
                                dec.name,
                                fromhex(topics_hex),
                                fromhex(d[2:]),
                                args_json,
                            )
                        )
                        continue
                # (3) the general path: a typed Event (projections need it), JSON from the decoded args.
                ev = self.decoder.decode(log)
                json_text: str | None = None
                if ev.args is not None:
                    gdec = self.decoder.decoder(ev.contract, ev.topics[0])
                    if gdec is not None:
                        json_text = gdec.args_to_json(ev.args).decode()
                    if ev.contract in projected:
                        events.append(ev)
                rows.append(
                    (
                        eid,
                        chain_id,
                        bn,
                        li,
                        bh,
                        bt,
                        th,
                        ti,
                        addr_bytes[contract],
                        contract,
                        ev.name,
                        b"".join(ev.topics),
                        ev.data,
                        json_text,
                    )
                )
        except _Unordered:
            ordered = sorted(logs, key=lambda lg: (int(lg["blockNumber"], 16), int(lg["logIndex"], 16)))
            for a, b in pairwise(ordered):
                if (a["blockNumber"], a["logIndex"]) == (b["blockNumber"], b["logIndex"]):
                    raise IndexerError(
                        f"the node returned log {a['logIndex']} of block {a['blockNumber']} twice"
                    ) from None
            if any(int(lg["logIndex"], 16) >= 1 << 24 for lg in ordered):
                raise IndexerError("a block holds more than 16,777,215 logs") from None
            return self.prepare(ordered)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise IndexerError(f"the node returned a malformed log ({exc!r})") from None
        return Prepared(events, rows)
