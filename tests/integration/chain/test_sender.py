"""The sender when the node misbehaves: a lost answer to a send, an automine that stalls.

After a send whose fate is unknown the sender asks the node, and never signs a nonce twice: a loopback proxy in front of a real anvil forwards ``eth_sendRawTransaction`` and then hangs
up without passing the answer on (the node executed it; the client cannot know). The sender
must look its transactions up by hash, resend the very same signed bytes only for those the
node does not have, and end with every call mined exactly once.
"""

from __future__ import annotations

import http.client
import socket
import threading
import warnings
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import orjson
import pytest

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Call, Chain, Sender
from provenance.errors import TransactionError
from provenance.node import LocalNode


class HangUpProxy:
    """Forwards to ``upstream``; for the next ``hang_ups`` sends, forwards only ``forward`` of the
    batch's transactions (all by default) and hangs up instead of answering."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.hang_ups = 0
        self.forward: int | None = None
        self.automine_claim: bool | None = None  # answer anvil_getAutomine with this instead
        self.mined_by_request = 0
        self.sends: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                doc = orjson.loads(body)
                items = doc if isinstance(doc, list) else [doc]
                if proxy.automine_claim is not None and isinstance(doc, dict):
                    if doc["method"] == "anvil_getAutomine":
                        self.reply({"jsonrpc": "2.0", "id": doc["id"], "result": proxy.automine_claim})
                        return
                    proxy.mined_by_request += doc["method"] == "evm_mine"
                sends = [d for d in items if d["method"] == "eth_sendRawTransaction"]
                proxy.sends.extend(d["params"][0] for d in sends)
                if sends and proxy.hang_ups > 0:
                    proxy.hang_ups -= 1
                    keep = sends if proxy.forward is None else sends[: proxy.forward]
                    if keep:
                        proxy.upstream(orjson.dumps(keep))
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.reply(proxy.upstream(body))

            def reply(self, answer: Any) -> None:
                body = answer if isinstance(answer, bytes) else orjson.dumps(answer)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def upstream(self, body: bytes) -> bytes:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("POST", "/", body=body, headers={"Content-Type": "application/json"})
            return conn.getresponse().read()
        finally:
            conn.close()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def proxy(node: LocalNode) -> Iterator[HangUpProxy]:
    p = HangUpProxy(node.url)
    yield p
    p.close()


def _sender(url: str, account: int) -> Sender:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        return Sender(Chain(url, timeout=5, retries=2), dev_signer(account, 31337))


@pytest.mark.parametrize("forward", [None, 0, 3])
def test_sends_whose_answer_was_lost_are_mined_exactly_once(
    node: LocalNode, proxy: HangUpProxy, forward: int | None
) -> None:
    sender = _sender(proxy.url, 8)
    target = "0x" + "5e" * 20
    chain = Chain(node.url)
    before_balance = chain.balance(target)
    before_nonce = int(chain.rpc("eth_getTransactionCount", [sender.address, "latest"]), 16)
    proxy.hang_ups, proxy.forward = 1, forward
    calls = [Call(target, b"", value=1 + i, gas=21_000) for i in range(6)]
    hashes = sender.send_many(calls, preflight=False)
    receipts = sender.wait(hashes)
    assert [r.status for r in receipts] == [1] * 6
    assert chain.balance(target) - before_balance == sum(1 + i for i in range(6))
    after_nonce = int(chain.rpc("eth_getTransactionCount", [sender.address, "latest"]), 16)
    assert after_nonce - before_nonce == 6  # six nonces, six transactions: nothing signed twice
    # what was resent is byte-identical to what was first sent
    assert len(set(proxy.sends)) == 6
    # the sender keeps going with the next nonce
    more = sender.wait(sender.send_many([Call(target, b"", value=1, gas=21_000)], preflight=False))
    assert more[0].status == 1


def test_ready_transactions_left_unmined_by_anvil_automine_are_mined() -> None:
    """anvil's automine can leave ready transactions in its pool with nothing to wake its miner
    (foundry-rs/foundry#10122): the benchmarks stalled on it with hundreds in flight. The state is
    made here on purpose: an anvil that does not mine, behind a proxy that says automine is on."""
    with LocalNode(extra_args=("--no-mining",)) as stalled:
        proxy = HangUpProxy(stalled.url)
        try:
            proxy.automine_claim = True
            sender = _sender(proxy.url, 3)
            sender.receipt_timeout = 20
            hashes = sender.send_many([Call("0x" + "5f" * 20, b"", value=1, gas=21_000)] * 4, preflight=False)
            assert Chain(stalled.url).rpc("txpool_status")["pending"] == "0x4"
            receipts = sender.wait(hashes)
            assert [r.status for r in receipts] == [1] * 4 and proxy.mined_by_request >= 1
            # a node that says it does not automine is left alone: the wait ends, naming what it saw
            proxy.automine_claim = False
            sender.receipt_timeout = 2
            more = sender.send_many([Call("0x" + "5f" * 20, b"", value=1, gas=21_000)], preflight=False)
            with pytest.raises(
                TransactionError, match=r"^1 transaction\(s\) not mined within 2s: the node holds 1 in its pool"
            ):
                sender.wait(more)
        finally:
            proxy.close()
