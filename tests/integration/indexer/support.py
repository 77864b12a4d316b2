"""Helpers of the indexer tests: deploying, emitting, dumping an index, a fault-injecting RPC proxy."""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import orjson
from web3 import Web3

from provenance.compiler import Artifact
from provenance.indexer import Store
from provenance.indexer.projections import ExchangeProjection, RegistryProjection

__all__ = ["FaultProxy", "deploy", "dump_index", "emit_bulk", "mine"]


def deploy(w3: Web3, artifact: Artifact, *args: Any, sender: str | None = None) -> Any:
    """Deploy with an unlocked anvil account; returns the web3 contract (``.deploy_block`` set)."""
    sender = sender or w3.eth.accounts[0]
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx = factory.constructor(*args).transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    contract: Any = w3.eth.contract(address=receipt["contractAddress"], abi=artifact.abi)
    contract.deploy_block = receipt["blockNumber"]
    return contract


def emit_bulk(
    w3: Web3,
    emitter: Any,
    first: int,
    n: int,
    *,
    per_tx: int = 500,
    assets: int = 50,
    pings: bool = False,
    sender: str | None = None,
) -> int:
    """Emit ``n`` Moved events (and Pings) in transactions of ``per_tx``; returns the last block."""
    sender = sender or w3.eth.accounts[0]
    last = None
    for start in range(first, first + n, per_tx):
        count = min(per_tx, first + n - start)
        last = emitter.functions.bulk(start, count, assets, pings).transact({"from": sender, "gas": 25_000_000})
    assert last is not None
    return int(w3.eth.wait_for_transaction_receipt(last)["blockNumber"])


def mine(w3: Web3, blocks: int = 1) -> None:
    w3.provider.make_request("anvil_mine", [hex(blocks)])  # type: ignore[arg-type]


def dump_index(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row an index holds that must not depend on how or when it was built."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    out["events"] = [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
        for r in store.execute(
            "SELECT id, chain_id, block_number, log_index, block_hash, block_time, tx_hash, tx_index, address, contract, "
            "event, topics, data, args FROM events ORDER BY id"
        )
    ]
    out["refs"] = [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
        for r in store.execute("SELECT event_id, kind, ref FROM event_refs ORDER BY event_id, kind, ref")
    ]
    for spec in (*RegistryProjection.tables, *ExchangeProjection.tables):
        cols = (*spec.key_names, *spec.value_names, "block_from", "block_to")
        out[spec.name] = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
            for r in store.execute(
                f"SELECT {', '.join(cols)} FROM {spec.name} ORDER BY {', '.join((*spec.key_names, 'block_from'))}"
            )
        ]
    cur = store.cursor()
    out["cursor"] = [cur] if cur else []
    return out


class FaultProxy:
    """A loopback HTTP proxy in front of a JSON-RPC node that injects faults.

    ``rate`` is the probability that a request meets a fault, taken in turn from ``faults``
    (``drop``: close without answering; ``500``; ``truncate``: send half the body;
    ``delay``: answer after ``delay`` seconds; ``garble``: a 200 with a body that is not JSON).
    ``deny`` names methods that always fail with HTTP 500 (a range that can never be read).
    """

    def __init__(self, upstream: str, *, seed: int = 1) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.rate = 0.0
        self.faults: tuple[str, ...] = ("drop", "500", "truncate", "delay", "garble")
        self.delay = 2.0
        self.deny: set[str] = set()
        self.deny_if: Any = None  # callable(request doc) -> bool: always 500 for such requests
        self.random = random.Random(seed)
        self.injected: dict[str, int] = {}
        self.requests = 0
        self._turn = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                proxy.handle(self, body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _count(self, fault: str) -> None:
        with self._lock:
            self.injected[fault] = self.injected.get(fault, 0) + 1

    def handle(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        with self._lock:
            self.requests += 1
            fault = None
            if self.random.random() < self.rate:  # which requests: random; which fault: round robin
                fault = self.faults[self._turn % len(self.faults)]
                self._turn += 1
        try:
            doc = orjson.loads(body)
        except orjson.JSONDecodeError:
            doc = None
        methods = {d.get("method") for d in (doc if isinstance(doc, list) else [doc]) if isinstance(d, dict)}
        if methods & self.deny or (self.deny_if is not None and self.deny_if(doc)):
            self._count("deny")
            self._send(h, 500, b"denied by the test proxy")
            return
        if fault == "drop":
            self._count(fault)
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "500":
            self._count(fault)
            self._send(h, 500, b"internal error (injected)")
            return
        status, answer = self._forward(body)
        if fault == "delay":
            self._count(fault)
            time.sleep(self.delay)
        if fault == "truncate" and len(answer) > 2:
            self._count(fault)
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(answer)))
            h.end_headers()
            h.wfile.write(answer[: len(answer) // 2])
            h.wfile.flush()
            h.close_connection = True
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if fault == "garble":
            self._count(fault)
            answer = answer[: max(1, len(answer) // 3)]
        self._send(h, status, answer)

    def _forward(self, body: bytes) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        try:
            conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, payload: bytes) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            h.wfile.flush()
        except OSError:
            pass
