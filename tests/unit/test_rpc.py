"""The one JSON-RPC client against a scripted loopback server that misbehaves on cue.

Each test scripts what the server does with the next requests (answer, fail with a status,
drop the connection after reading, stall, answer out of order...) and checks what the client
does: retry, give up with a typed error, or refuse to resend a call that must not run twice.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest

from provenance.chain import Chain
from provenance.errors import ChainError, InputError, RpcError, RpcFateUnknown, RpcTimeout, RpcTransportError
from provenance.node import free_port
from provenance.rpc import NON_IDEMPOTENT, RpcClient

Action = Callable[[BaseHTTPRequestHandler, Any], None]


def answer(doc: Any) -> list[Any] | dict[str, Any]:
    """The well-behaved answer to a request document: result = [method, params]."""

    def one(req: dict[str, Any]) -> dict[str, Any]:
        return {"jsonrpc": "2.0", "id": req["id"], "result": [req["method"], req["params"]]}

    return [one(r) for r in doc] if isinstance(doc, list) else one(doc)


def send(h: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    h.wfile.write(body)


def ok(h: BaseHTTPRequestHandler, doc: Any) -> None:
    send(h, 200, orjson.dumps(answer(doc)))


def status(code: int) -> Action:
    return lambda h, doc: send(h, code, b"busy")


def drop(h: BaseHTTPRequestHandler, doc: Any) -> None:
    """Read the request, then close without a word (the fate of the call is unknown to the client)."""
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


def stall(seconds: float) -> Action:
    def act(h: BaseHTTPRequestHandler, doc: Any) -> None:
        time.sleep(seconds)
        ok(h, doc)

    return act


def garble(h: BaseHTTPRequestHandler, doc: Any) -> None:
    send(h, 200, b'{"jsonrpc": "2.0", "id": ')


def reversed_batch(h: BaseHTTPRequestHandler, doc: Any) -> None:
    send(h, 200, orjson.dumps(list(reversed(answer(doc)))))


def wrong_id(h: BaseHTTPRequestHandler, doc: Any) -> None:
    send(h, 200, orjson.dumps({"jsonrpc": "2.0", "id": 999_999, "result": "0x1"}))


def error_for(method: str) -> Action:
    def act(h: BaseHTTPRequestHandler, doc: Any) -> None:
        items = answer(doc)
        for item in items if isinstance(items, list) else [items]:
            if item["result"][0] == method:
                del item["result"]
                item["error"] = {"code": -32000, "message": f"{method} refused", "data": "0x01"}
        send(h, 200, orjson.dumps(items))

    return act


class Scripted:
    """A loopback JSON-RPC server: ``script`` holds the actions for the next requests, then ``ok``."""

    def __init__(self) -> None:
        self.script: list[Action] = []
        self.seen: list[Any] = []
        self.connections: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                doc = orjson.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                with server._lock:
                    server.seen.append(doc)
                    server.connections.add(self.client_address)
                    act = server.script.pop(0) if server.script else ok
                act(self, doc)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def methods(self) -> list[str]:
        return [d["method"] if isinstance(d, dict) else f"batch{len(d)}" for d in self.seen]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def server() -> Iterator[Scripted]:
    s = Scripted()
    yield s
    s.close()


def client(url: str, **kw: Any) -> RpcClient:
    kw.setdefault("timeout", 2.0)
    kw.setdefault("backoff", 0.001)
    kw.setdefault("max_backoff", 0.01)
    return RpcClient(url, **kw)


def test_one_keep_alive_connection_for_many_calls(server: Scripted) -> None:
    rpc = client(server.url)
    for i in range(20):
        assert rpc.call("eth_chainId", [i]) == ["eth_chainId", [i]]
    assert len(server.connections) == 1 and rpc.requests == 20 and rpc.retried == 0
    # no Nagle delay between the headers and a large body (http.client sends them apart)
    sock = rpc._local.conn.sock
    assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    rpc.close()


def test_threads_share_a_client_with_a_connection_each(server: Scripted) -> None:
    rpc = client(server.url)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                assert rpc.call("eth_blockNumber", [n, i]) == ["eth_blockNumber", [n, i]]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(server.seen) == 40 and len(server.connections) == 4
    rpc.close()


@pytest.mark.parametrize("fault", [status(500), status(503), status(429), drop, garble, wrong_id, stall(0.6)])
def test_transport_faults_are_retried(server: Scripted, fault: Action) -> None:
    rpc = client(server.url, timeout=0.3)
    server.script = [fault, fault]
    assert rpc.call("eth_getLogs", [{"fromBlock": "0x1"}]) == ["eth_getLogs", [{"fromBlock": "0x1"}]]
    assert rpc.retried == 2 and len(server.seen) == 3


def test_retries_are_bounded_and_typed(server: Scripted) -> None:
    rpc = client(server.url, retries=2)
    server.script = [status(502)] * 5
    with pytest.raises(RpcTransportError, match=r"eth_chainId: the node at .* answered HTTP 502 \(after 3 attempts\)"):
        rpc.call("eth_chainId")
    assert len(server.seen) == 3


def test_an_error_object_is_the_answer_and_never_retried(server: Scripted) -> None:
    rpc = client(server.url)
    server.script = [error_for("eth_call")]
    with pytest.raises(RpcError) as err:
        rpc.call("eth_call", [{}])
    assert (err.value.method, err.value.code, err.value.rpc_message, err.value.data) == (
        "eth_call",
        -32000,
        "eth_call refused",
        "0x01",
    )
    assert len(server.seen) == 1


def test_a_silent_node_costs_one_timeout_without_timeout_retries(server: Scripted) -> None:
    rpc = client(server.url, timeout=0.3, retries=5, retry_timeouts=False)
    server.script = [stall(1.5)]
    started = time.monotonic()
    with pytest.raises(RpcTimeout, match=r"did not answer within 0.3s$"):
        rpc.call("eth_chainId")
    assert time.monotonic() - started < 1.0 and len(server.seen) == 1


def test_unreachable_node_is_one_clear_line() -> None:
    rpc = client(f"http://127.0.0.1:{free_port()}", retries=1)
    with pytest.raises(RpcTransportError, match=r"^eth_chainId: cannot reach the node at .*: connection refused"):
        rpc.call("eth_chainId")
    assert rpc.retried == 1


def test_batches_are_split_under_the_byte_cap_and_matched_by_id(server: Scripted) -> None:
    rpc = client(server.url)
    calls = [("eth_getBlockByNumber", [hex(n), False]) for n in range(300)]
    server.script = [reversed_batch] * 10
    out = rpc.batch(calls, max_bytes=4096)
    assert out == [[m, p] for m, p in calls]
    bodies = [orjson.dumps(d) for d in server.seen]
    assert len(bodies) > 1 and all(len(b) <= 4096 for b in bodies)
    assert sum(len(d) for d in server.seen) == 300


def test_batch_errors_raise_or_stay_in_place(server: Scripted) -> None:
    rpc = client(server.url)
    calls: list[tuple[str, list[Any]]] = [("eth_chainId", []), ("eth_estimateGas", [{}]), ("eth_blockNumber", [])]
    server.script = [error_for("eth_estimateGas")]
    with pytest.raises(RpcError, match="eth_estimateGas refused"):
        rpc.batch(calls)
    server.script = [error_for("eth_estimateGas")]
    first, middle, last = rpc.batch(calls, errors_in_place=True)
    assert first == ["eth_chainId", []] and last == ["eth_blockNumber", []]
    assert isinstance(middle, RpcError) and middle.method == "eth_estimateGas"


def test_a_short_batch_answer_is_retried(server: Scripted) -> None:
    def short(h: BaseHTTPRequestHandler, doc: Any) -> None:
        send(h, 200, orjson.dumps(answer(doc)[:-1]))  # type: ignore[index]

    rpc = client(server.url)
    server.script = [short]
    assert len(rpc.batch([("eth_chainId", []), ("eth_blockNumber", [])])) == 2
    assert rpc.retried == 1


@pytest.mark.parametrize("fault", [drop, status(500), stall(0.6), garble])
def test_a_send_whose_fate_is_unknown_is_not_resent(server: Scripted, fault: Action) -> None:
    rpc = client(server.url, timeout=0.3, retries=5)
    server.script = [fault]
    with pytest.raises(RpcFateUnknown, match="eth_sendRawTransaction: .* may or may not have executed it"):
        rpc.call("eth_sendRawTransaction", ["0x02"])
    assert server.methods() == ["eth_sendRawTransaction"]
    server.script = [fault]
    with pytest.raises(RpcFateUnknown):
        rpc.batch([("eth_chainId", []), ("eth_sendRawTransaction", ["0x02"])])
    assert len(server.seen) == 2


def test_a_send_that_provably_never_arrived_is_retried(server: Scripted) -> None:
    rpc = client(server.url)
    server.script = [status(429)]  # refused before any work: resending is safe
    assert rpc.call("eth_sendRawTransaction", ["0x02"]) == ["eth_sendRawTransaction", ["0x02"]]
    assert server.methods() == ["eth_sendRawTransaction"] * 2


def ok_then_hang_up(h: BaseHTTPRequestHandler, doc: Any) -> None:
    """Answer as keep-alive, then close the connection while it is idle (as servers do after a while)."""
    ok(h, doc)
    h.wfile.flush()
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)


def test_a_connection_closed_while_idle_is_replaced_before_a_send(server: Scripted) -> None:
    rpc = client(server.url)
    server.script = [ok_then_hang_up]
    assert rpc.call("eth_chainId") == ["eth_chainId", []]
    time.sleep(0.2)  # the server's FIN arrives while the connection is idle
    # written on the dead connection, the send would fail after it left: fate unknown; it is not
    assert rpc.call("eth_sendRawTransaction", ["0x03"]) == ["eth_sendRawTransaction", ["0x03"]]
    assert server.methods() == ["eth_chainId", "eth_sendRawTransaction"] and len(server.connections) == 2
    assert rpc.retried == 0


def test_settings_rebuild_the_client(server: Scripted) -> None:
    rpc = client(server.url, timeout=1.5, retries=3, retry_timeouts=False, headers={"Authorization": "Bearer x"})
    again = RpcClient.from_settings(rpc.settings())
    assert again.settings() == rpc.settings() == rpc.clone().settings()
    assert again.call("eth_chainId") == ["eth_chainId", []]


@pytest.mark.parametrize(
    "url", ["", "ftp://x", "http://", "127.0.0.1:8545", "http://host:port", None, 8545, b"http://x"]
)
def test_bad_urls_are_input_errors(url: Any) -> None:
    with pytest.raises(InputError):
        RpcClient(url)
    with pytest.raises(InputError):
        Chain(url)


@pytest.mark.parametrize("kw", [{"timeout": 0}, {"timeout": -1}, {"timeout": "1"}, {"retries": -1}, {"retries": 1.5}])
def test_bad_settings_are_input_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        RpcClient("http://127.0.0.1:1", **kw)


def test_chain_shares_the_client_and_keeps_errors_in_place(server: Scripted) -> None:
    rpc = client(server.url)
    chain = Chain(rpc)
    assert chain.client is rpc and chain.url == server.url
    server.script = [error_for("eth_estimateGas")]
    answers = chain.batch([("eth_chainId", []), ("eth_estimateGas", [{}])])
    assert answers[0] == ["eth_chainId", []] and isinstance(answers[1], RpcError)
    assert issubclass(RpcFateUnknown, RpcTransportError) and issubclass(RpcTransportError, ChainError)
    assert "eth_sendRawTransaction" in NON_IDEMPOTENT and "eth_call" not in NON_IDEMPOTENT
