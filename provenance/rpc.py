"""The one JSON-RPC client: keep-alive HTTP(S), orjson, batches under a byte cap, typed errors.

Everything in provenance that talks to a node goes through :class:`RpcClient`: the
transaction sender (through :class:`~provenance.chain.Chain`), the indexer, the evidence
fetcher and the local node's readiness probe.

- **Connections**: one keep-alive ``http.client`` connection per thread, so one client can
  be shared by many threads. A connection the server closed while idle is noticed before a
  request is written on it (as urllib3 does), and a fresh one is opened.
- **Retries**: transport faults (refused or dropped connections, timeouts, HTTP 5xx, 408,
  425 and 429, truncated or unparsable bodies, answers that are not JSON-RPC) are retried
  ``retries`` times with capped exponential backoff and jitter. An error object the node
  answered is never retried: it is the answer.
- **Non-idempotent calls** (``eth_sendRawTransaction`` and the like, see
  :data:`NON_IDEMPOTENT`) are retried only when the request provably never reached the node
  (the connection was refused, or the server answered 429). Otherwise the client raises
  :class:`~provenance.errors.RpcFateUnknown`: the caller must find out what happened (the
  sender looks its transactions up by hash) rather than send twice blindly.
- **Timeouts**: ``timeout`` bounds each attempt. With ``retry_timeouts=False`` a timeout is
  not retried, so a hanging node costs one ``timeout`` (the CLI's ``--timeout``), not
  ``retries`` of them.
- **Errors**: :class:`~provenance.errors.RpcError` for an error object the node answered,
  :class:`~provenance.errors.RpcTransportError` (with :class:`~provenance.errors.RpcTimeout`
  and :class:`~provenance.errors.RpcFateUnknown`) when no usable answer came. All are
  :class:`~provenance.errors.ChainError`.

Worker processes rebuild a client from :meth:`RpcClient.settings` with
:meth:`RpcClient.from_settings` (a client holds sockets and cannot be pickled).
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import random
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Self
from urllib.parse import urlsplit

import orjson

from provenance.errors import InputError, RpcError, RpcFateUnknown, RpcTimeout, RpcTransportError

__all__ = [
    "NON_IDEMPOTENT",
    "RpcClient",
    "RpcError",
    "RpcFateUnknown",
    "RpcTimeout",
    "RpcTransportError",
]

NON_IDEMPOTENT = frozenset(
    {
        "eth_sendRawTransaction",
        "eth_sendTransaction",
        "eth_sendRawTransactionSync",
        "personal_sendTransaction",
        "anvil_mine",
        "evm_mine",
        "evm_increaseTime",
        "anvil_increaseTime",
        "evm_revert",
        "evm_snapshot",
        "anvil_reorg",
        "anvil_rollback",
    }
)
"""Methods whose second execution is not the same as one: never resent when their fate is unknown."""

_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class _Fault(Exception):
    """A transport fault: ``timeout`` if the node went silent, ``unsent`` if it provably never saw the request."""

    def __init__(self, reason: str, *, timeout: bool = False, unsent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.timeout = timeout
        self.unsent = unsent


class RpcClient:
    """JSON-RPC over HTTP(S) with keep-alive connections (one per thread).

    ``retries`` is the number of retries after the first attempt; the delay before retry
    ``n`` is ``min(max_backoff, backoff * 2**n)`` with +-25 % jitter. ``retry_timeouts``
    is the default for :meth:`call` and :meth:`batch`: whether a timed-out attempt is
    retried. The client is thread-safe.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        retries: int = 6,
        backoff: float = 0.1,
        max_backoff: float = 5.0,
        retry_timeouts: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if not isinstance(url, str):
            raise InputError(f"RPC URL must be a string http(s)://host[:port][/path], got {type(url).__name__}")
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            raise InputError(f"RPC URL has an invalid port: {url!r}") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"RPC URL must be http(s)://host[:port][/path], got {url!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
            raise InputError(f"timeout must be a positive number of seconds, got {timeout!r}")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise InputError(f"retries must be a non-negative integer, got {retries!r}")
        if not backoff >= 0 or not max_backoff >= 0:
            raise InputError("backoff and max_backoff must be non-negative")
        self.url = url
        self.timeout = float(timeout)
        self.retries = retries
        self.backoff = float(backoff)
        self.max_backoff = float(max_backoff)
        self.retry_timeouts = retry_timeouts
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = port or (443 if self._https else 80)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json", "Connection": "keep-alive"}
        self._headers.update(headers or {})
        self._local = threading.local()
        self._conns: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.requests = 0
        """HTTP requests sent (statistics)."""
        self.retried = 0
        """Retries taken (statistics)."""

    # -- construction --------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """Plain settings that rebuild an equivalent client (for worker processes)."""
        return {
            "url": self.url,
            "timeout": self.timeout,
            "retries": self.retries,
            "backoff": self.backoff,
            "max_backoff": self.max_backoff,
            "retry_timeouts": self.retry_timeouts,
            "headers": {k: v for k, v in self._headers.items() if k not in ("Content-Type", "Accept", "Connection")},
        }

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RpcClient:
        """The client :meth:`settings` describes."""
        return cls(
            settings["url"],
            timeout=settings["timeout"],
            retries=settings["retries"],
            backoff=settings["backoff"],
            max_backoff=settings["max_backoff"],
            retry_timeouts=settings["retry_timeouts"],
            headers=settings["headers"],
        )

    def clone(self) -> RpcClient:
        """A client with the same settings and connections of its own."""
        return RpcClient.from_settings(self.settings())

    def __repr__(self) -> str:
        return f"RpcClient({self.url!r}, timeout={self.timeout:g}, retries={self.retries})"

    # -- connections ---------------------------------------------------------------------

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None and conn.sock is not None and _dropped(conn.sock):
            self._drop()
            conn = None
        if conn is None:
            if self._https:
                conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
            self._local.conn = conn
            with self._lock:
                self._conns.append(conn)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def _drop(self) -> None:
        """Close this thread's connection (the next request opens a new one)."""
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)
            conn.close()

    def close(self) -> None:
        """Close every connection of every thread (they reopen on the next call)."""
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -----------------------------------------------------------------------

    def _post_once(self, body: bytes, timeout: float) -> Any:
        conn = self._connection(timeout)
        with self._lock:
            self.requests += 1
        if conn.sock is None:
            try:
                conn.connect()
            except TimeoutError:
                self._drop()
                raise _Fault(
                    f"cannot reach the node at {self.url}: no connection within {timeout:g}s", unsent=True
                ) from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                raise _Fault(f"cannot reach the node at {self.url}: {_describe(exc)}", unsent=True) from None
            # as urllib3 does: http.client writes headers and a large body in two sends, which
            # Nagle's algorithm and the server's delayed ACK would hold back for up to 40 ms
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            conn.request("POST", self._path, body=body, headers=self._headers)
            resp = conn.getresponse()
            status = resp.status
            raw = resp.read()
            if resp.will_close:
                self._drop()
        except TimeoutError:
            self._drop()
            raise _Fault(f"the node at {self.url} did not answer within {timeout:g}s", timeout=True) from None
        except (http.client.HTTPException, OSError) as exc:
            self._drop()
            raise _Fault(f"the connection to {self.url} failed: {_describe(exc)}") from None
        if status in _RETRY_STATUS or status >= 500:
            self._drop()
            raise _Fault(f"the node at {self.url} answered HTTP {status}", unsent=status == 429)
        if status == 413:
            # Some gateways refuse large requests or responses with 413: an answer, not a fault.
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32005, "message": "HTTP 413: too large"}}
        if status != 200:
            try:
                doc = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise RpcTransportError(f"the node at {self.url} answered HTTP {status}") from None
            if isinstance(doc, dict | list):
                return doc  # JSON-RPC servers may send error objects with HTTP 4xx
            raise RpcTransportError(f"the node at {self.url} answered HTTP {status}")
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            self._drop()
            raise _Fault(f"the node at {self.url} sent a body that is not JSON ({len(raw)} bytes)") from None

    def _post(
        self,
        body: bytes,
        what: str,
        *,
        timeout: float | None,
        retry_timeouts: bool | None,
        idempotent: bool,
        check: Callable[[Any], None],
    ) -> Any:
        wait = self.timeout if timeout is None else timeout
        retry_timeouts = self.retry_timeouts if retry_timeouts is None else retry_timeouts
        attempt = 0
        while True:
            try:
                doc = self._post_once(body, wait)
                check(doc)
                return doc
            except _Fault as fault:
                if not idempotent and not fault.unsent:
                    raise RpcFateUnknown(
                        f"{what}: {fault.reason}; the node may or may not have executed it (not resent)"
                    ) from None
                if attempt >= self.retries or (fault.timeout and not retry_timeouts):
                    tries = f" (after {attempt + 1} attempts)" if attempt else ""
                    cls = RpcTimeout if fault.timeout else RpcTransportError
                    raise cls(f"{what}: {fault.reason}{tries}") from None
                delay = min(self.max_backoff, self.backoff * (2**attempt)) * random.uniform(0.75, 1.25)
                attempt += 1
                with self._lock:
                    self.retried += 1
                time.sleep(delay)

    # -- JSON-RPC ------------------------------------------------------------------------

    def call(
        self,
        method: str,
        params: Sequence[Any] = (),
        *,
        timeout: float | None = None,
        retry_timeouts: bool | None = None,
    ) -> Any:
        """Call ``method``; return its ``result`` (parsed JSON) or raise :class:`RpcError`."""
        req_id = next(self._ids)
        body = orjson.dumps({"jsonrpc": "2.0", "id": req_id, "method": method, "params": list(params)})

        def check(doc: Any) -> None:
            if not isinstance(doc, dict) or ("result" not in doc and "error" not in doc):
                raise _Fault(f"the node at {self.url} sent no JSON-RPC answer: {str(doc)[:120]}")
            if doc.get("error") is None and doc.get("id") != req_id:
                raise _Fault(f"the node at {self.url} answered id {doc.get('id')!r} to request {req_id}")

        doc = self._post(
            body,
            method,
            timeout=timeout,
            retry_timeouts=retry_timeouts,
            idempotent=method not in NON_IDEMPOTENT,
            check=check,
        )
        err = doc.get("error")
        if err is not None:
            raise _rpc_error(method, err)
        return doc["result"]

    def batch(
        self,
        calls: Sequence[tuple[str, Sequence[Any]]],
        *,
        max_bytes: int = 1 << 20,
        errors_in_place: bool = False,
        timeout: float | None = None,
        retry_timeouts: bool | None = None,
    ) -> list[Any]:
        """``calls`` as JSON-RPC batches of at most ``max_bytes`` each; results in order, matched by id.

        An error object answering one call raises its :class:`RpcError`, or with
        ``errors_in_place`` takes that call's place in the result list.
        """
        if not calls:
            return []
        out: list[Any] = []
        chunk: list[tuple[int, bytes]] = []
        size = 2
        for method, params in calls:
            req_id = next(self._ids)
            item = orjson.dumps({"jsonrpc": "2.0", "id": req_id, "method": method, "params": list(params)})
            if chunk and size + len(item) + 1 > max_bytes:
                out.extend(self._batch_once(chunk, calls[len(out) : len(out) + len(chunk)], timeout, retry_timeouts))
                chunk, size = [], 2
            chunk.append((req_id, item))
            size += len(item) + 1
        out.extend(self._batch_once(chunk, calls[len(out) :], timeout, retry_timeouts))
        if not errors_in_place:
            for item in out:
                if isinstance(item, RpcError):
                    raise item
        return out

    def _batch_once(
        self,
        chunk: Sequence[tuple[int, bytes]],
        calls: Sequence[tuple[str, Sequence[Any]]],
        timeout: float | None,
        retry_timeouts: bool | None,
    ) -> list[Any]:
        body = b"[" + b",".join(item for _id, item in chunk) + b"]"
        ids = [req_id for req_id, _item in chunk]
        what = f"a batch of {len(chunk)} calls ({calls[0][0]}{', ...' if len(chunk) > 1 else ''})"

        def check(doc: Any) -> None:
            if isinstance(doc, dict) and doc.get("error") is not None:
                return  # the whole batch was refused: reported below
            if not isinstance(doc, list) or len(doc) != len(chunk):
                got = f"{len(doc)} answers" if isinstance(doc, list) else "no list"
                raise _Fault(f"the node at {self.url} answered {what} with {got}")
            answered = {item.get("id") for item in doc if isinstance(item, dict)}
            if answered != set(ids):
                raise _Fault(f"the node at {self.url} answered {what} with ids that do not match the requests")

        doc = self._post(
            body,
            what,
            timeout=timeout,
            retry_timeouts=retry_timeouts,
            idempotent=not any(method in NON_IDEMPOTENT for method, _params in calls),
            check=check,
        )
        if isinstance(doc, dict):
            raise _rpc_error(calls[0][0] if len(calls) == 1 else f"batch({calls[0][0]}, ...)", doc["error"])
        by_id = {item["id"]: item for item in doc}
        out: list[Any] = []
        for req_id, (method, _params) in zip(ids, calls, strict=True):
            item = by_id[req_id]
            err = item.get("error")
            if err is not None:
                out.append(_rpc_error(method, err))
            elif "result" not in item:
                raise RpcTransportError(f"the node at {self.url} answered {method} with neither result nor error")
            else:
                out.append(item["result"])
        return out


def _rpc_error(method: str, err: Any) -> RpcError:
    """The :class:`RpcError` of a JSON-RPC error object (tolerant of malformed ones)."""
    if isinstance(err, dict):
        code = err.get("code")
        return RpcError(
            method,
            code if isinstance(code, int) and not isinstance(code, bool) else None,
            str(err.get("message", "")),
            err.get("data"),
        )
    return RpcError(method, None, str(err))


def _dropped(sock: socket.socket) -> bool:
    """Whether an idle keep-alive socket was closed by the server (readable with nothing pending = EOF)."""
    try:
        readable, _w, _x = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror or exc})"
    if isinstance(exc, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError):
        return "the connection was closed"
    text = str(exc) or type(exc).__name__
    return text
