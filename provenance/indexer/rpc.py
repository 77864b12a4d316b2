"""A raw JSON-RPC client: one persistent HTTP connection, orjson, batches, retries.

web3.py's provider stack formats every response through middlewares; the indexer only
needs bytes in and parsed JSON out. :class:`RpcClient` keeps one keep-alive connection
(``http.client``), retries transport faults (dropped connections, timeouts, HTTP 5xx and
429, truncated or unparsable bodies) with capped exponential backoff and jitter, and
raises typed errors: :class:`RpcError` for an error the node answered,
:class:`RpcTransportError` (and :class:`RpcTimeout`) when no usable answer came.

A client is not thread-safe; give each thread its own (``clone()``).
"""

from __future__ import annotations

import http.client
import random
import ssl
import time
from collections.abc import Sequence
from typing import Any, Self
from urllib.parse import urlsplit

import orjson

from provenance.errors import ChainError, InputError, RpcError

__all__ = ["RpcClient", "RpcError", "RpcTimeout", "RpcTransportError"]


class RpcTransportError(ChainError):
    """No usable answer: the connection dropped, the status was 5xx, or the body was cut or garbled."""


class RpcTimeout(RpcTransportError):
    """The node did not answer within the timeout."""


class _Retryable(Exception):
    def __init__(self, reason: str, *, timeout: bool = False) -> None:
        super().__init__(reason)
        self.timeout = timeout


_RETRY_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})


class RpcClient:
    """JSON-RPC over HTTP(S) with a persistent connection.

    ``retries`` is the number of retries after the first attempt; the delay before retry
    ``n`` is ``min(max_backoff, backoff * 2**n)`` with +-25 % jitter.
    """

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        retries: int = 6,
        backoff: float = 0.1,
        max_backoff: float = 5.0,
        headers: dict[str, str] | None = None,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"RPC URL must be http(s)://host[:port][/path], got {url!r}")
        if timeout <= 0 or retries < 0:
            raise InputError("timeout must be positive and retries non-negative")
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = parts.port or (443 if self._https else 80)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json", "Connection": "keep-alive"}
        self._headers.update(headers or {})
        self._conn: http.client.HTTPConnection | None = None
        self._next_id = 1
        self.requests = 0  # HTTP requests sent, for statistics
        self.retried = 0  # retries taken

    def clone(self) -> RpcClient:
        """A client with the same settings and its own connection (one per thread)."""
        return RpcClient(
            self.url,
            timeout=self.timeout,
            retries=self.retries,
            backoff=self.backoff,
            max_backoff=self.max_backoff,
            headers=dict(self._headers),
        )

    # -- transport --------------------------------------------------------------------

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        if self._conn is None:
            if self._https:
                self._conn = http.client.HTTPSConnection(
                    self._host, self._port, timeout=timeout, context=ssl.create_default_context()
                )
            else:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
        elif self._conn.sock is not None:
            self._conn.sock.settimeout(timeout)
        self._conn.timeout = timeout
        return self._conn

    def close(self) -> None:
        """Close the connection (it reopens on the next call)."""
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post_once(self, body: bytes, timeout: float) -> Any:
        conn = self._connection(timeout)
        self.requests += 1
        try:
            conn.request("POST", self._path, body=body, headers=self._headers)
            resp = conn.getresponse()
            status = resp.status
            raw = resp.read()
            if resp.will_close:
                self.close()
        except TimeoutError as exc:
            self.close()
            raise _Retryable(f"timed out after {timeout:g}s", timeout=True) from exc
        except (http.client.HTTPException, OSError) as exc:
            self.close()
            raise _Retryable(f"{type(exc).__name__}: {exc}") from exc
        if status in _RETRY_STATUS or status >= 500:
            self.close()
            raise _Retryable(f"HTTP {status}: {raw[:200]!r}")
        if status == 413:
            # Some gateways refuse large responses with 413; the caller sees it as an error object.
            return {"jsonrpc": "2.0", "id": None, "error": {"code": -32005, "message": "HTTP 413: response too large"}}
        if status != 200:
            raise RpcTransportError(f"{self.url}: HTTP {status}: {raw[:200]!r}")
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self.close()
            raise _Retryable(f"unparsable body ({len(raw)} bytes): {exc}") from exc

    def _post(self, body: bytes, what: str, *, timeout: float | None, retry_timeouts: bool, check: Any) -> Any:
        timeout = timeout or self.timeout
        attempt = 0
        while True:
            try:
                doc = self._post_once(body, timeout)
                check(doc)
                return doc
            except _Retryable as exc:
                if attempt >= self.retries or (exc.timeout and not retry_timeouts):
                    cls = RpcTimeout if exc.timeout else RpcTransportError
                    raise cls(f"{what} via {self.url} failed after {attempt + 1} attempts: {exc}") from None
                delay = min(self.max_backoff, self.backoff * (2**attempt)) * random.uniform(0.75, 1.25)
                attempt += 1
                self.retried += 1
                time.sleep(delay)

    # -- JSON-RPC ---------------------------------------------------------------------

    def call(
        self, method: str, params: Sequence[Any] = (), *, timeout: float | None = None, retry_timeouts: bool = True
    ) -> Any:
        """Call ``method``; return its ``result`` (parsed JSON) or raise."""
        req_id = self._next_id
        self._next_id += 1
        body = orjson.dumps({"jsonrpc": "2.0", "id": req_id, "method": method, "params": list(params)})

        def check(doc: Any) -> None:
            if not isinstance(doc, dict) or ("result" not in doc and "error" not in doc):
                raise _Retryable(f"malformed JSON-RPC response: {str(doc)[:200]}")
            if "error" not in doc and doc.get("id") != req_id:
                raise _Retryable(f"response id {doc.get('id')!r} does not match request id {req_id}")

        doc = self._post(body, method, timeout=timeout, retry_timeouts=retry_timeouts, check=check)
        err = doc.get("error")
        if err is not None:
            raise _rpc_error(method, err)
        return doc["result"]

    def batch(self, calls: Sequence[tuple[str, Sequence[Any]]], *, timeout: float | None = None) -> list[Any]:
        """Send ``calls`` as one JSON-RPC batch; results in order. Any error object raises :class:`RpcError`."""
        if not calls:
            return []
        first = self._next_id
        self._next_id += len(calls)
        body = orjson.dumps(
            [{"jsonrpc": "2.0", "id": first + i, "method": m, "params": list(p)} for i, (m, p) in enumerate(calls)]
        )

        def check(doc: Any) -> None:
            if isinstance(doc, dict) and "error" in doc:
                return  # the whole batch was refused: reported below
            if not isinstance(doc, list) or len(doc) != len(calls):
                raise _Retryable(
                    f"batch of {len(calls)} answered with {len(doc) if isinstance(doc, list) else 'no list'}"
                )

        doc = self._post(
            body, f"batch of {len(calls)} ({calls[0][0]}...)", timeout=timeout, retry_timeouts=True, check=check
        )
        if isinstance(doc, dict):
            raise _rpc_error(f"batch({calls[0][0]})", doc["error"])
        by_id: dict[Any, Any] = {}
        for item in doc:
            if isinstance(item, dict):
                by_id[item.get("id")] = item
        out: list[Any] = []
        for i, (method, _params) in enumerate(calls):
            item = by_id.get(first + i)
            if item is None:
                raise RpcTransportError(f"batch answer lacks the response to {method} (id {first + i})")
            if item.get("error") is not None:
                raise _rpc_error(method, item["error"])
            out.append(item.get("result"))
        return out


def _rpc_error(method: str, err: Any) -> RpcError:
    if isinstance(err, dict):
        try:
            code = int(err.get("code", 0))
        except (TypeError, ValueError):
            code = 0
        return RpcError(method, code, str(err.get("message", "")), err.get("data"))
    return RpcError(method, 0, str(err))
