"""The exception hierarchy: one root, one branch per domain, stdlib mixins where they fit.

Every error the library raises on purpose is a :class:`ProvenanceError`. The CLI prints
``str(error)`` as one line and exits non-zero; nothing here may ever carry a private key.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ChainError",
    "CompileError",
    "ContractRevert",
    "DecodeError",
    "DeploymentError",
    "IndexerError",
    "InputError",
    "KeystoreError",
    "NodeError",
    "ProvenanceError",
    "RpcError",
    "RpcFateUnknown",
    "RpcTimeout",
    "RpcTransportError",
    "StoreError",
    "TransactionError",
    "VerificationError",
]


class ProvenanceError(Exception):
    """Root of every error raised by provenance on purpose."""

    def diagnostics(self) -> str:
        """A longer, multi-line explanation for logs; defaults to the message."""
        return str(self)


class InputError(ProvenanceError, ValueError):
    """A caller passed a value that is malformed or out of range; the message names it."""


class DecodeError(ProvenanceError, ValueError):
    """Bytes do not decode under their ABI (a log whose topics or data do not fit its event)."""


class CompileError(ProvenanceError):
    """The Solidity compiler is missing or rejected the sources."""


class NodeError(ProvenanceError):
    """A local chain node could not be started, reached or stopped."""


class ChainError(ProvenanceError):
    """The JSON-RPC endpoint is unreachable or answered something unusable."""


class RpcError(ChainError):
    """The node answered a JSON-RPC error object: ``method``, ``code``, ``rpc_message`` and ``data``."""

    METHOD_NOT_FOUND = -32601
    _NOT_SUPPORTED_HINTS = ("not found", "does not exist", "not supported", "unsupported", "not available")

    def __init__(self, method: str, code: int | None, message: str, data: Any = None) -> None:
        self.method = method
        self.code = code
        self.rpc_message = message
        self.data = data
        super().__init__(f"{method} failed: {message} (code {code})")

    @property
    def message(self) -> str:
        return self.rpc_message

    @property
    def method_not_found(self) -> bool:
        """Whether the node says it has no such method."""
        text = self.rpc_message.lower()
        return self.code == self.METHOD_NOT_FOUND or any(hint in text for hint in self._NOT_SUPPORTED_HINTS)


class RpcTransportError(ChainError):
    """No usable answer came: the connection was refused or dropped, the status was 5xx, the body was cut or garbled."""


class RpcTimeout(RpcTransportError):
    """The node did not answer within the timeout."""


class RpcFateUnknown(RpcTransportError):
    """A call that must not run twice (``eth_sendRawTransaction``) got no answer: it may or may not have run.

    It was not resent; the caller finds out what happened (e.g. looks the transaction up by hash).
    """


class TransactionError(ProvenanceError):
    """A transaction could not be built, signed, sent or mined."""


class ContractRevert(TransactionError):
    """A contract call reverted; ``name`` and ``args`` decode the custom error.

    ``name`` is the Solidity error's name (``"Error"`` for ``require`` strings,
    ``"Panic"`` for panics, ``"Unknown"`` when the selector is not in our ABIs) and
    ``args`` maps argument names to decoded values.
    """

    def __init__(self, name: str, args: dict[str, Any], selector: str = "", raw: bytes = b"") -> None:
        self.name = name
        self.args_map = dict(args)
        self.selector = selector
        self.raw = raw
        rendered = ", ".join(f"{k}={_render(v)}" for k, v in self.args_map.items())
        super().__init__(f"reverted: {name}({rendered})")

    @property
    def args_dict(self) -> dict[str, Any]:
        return dict(self.args_map)


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return str(value)


class KeystoreError(ProvenanceError):
    """A key file is missing, unreadable, or its password is wrong."""


class DeploymentError(ProvenanceError):
    """The deployment manifest is missing, malformed, or does not match the chain."""


class StoreError(ProvenanceError):
    """The index database failed or holds something inconsistent."""


class IndexerError(ProvenanceError):
    """The indexer cannot go on: a range could not be read, or the chain changed under it."""


class VerificationError(ProvenanceError):
    """An evidence bundle failed a check; ``check`` names the step and ``field`` the place."""

    def __init__(self, check: str, message: str, field: str = "") -> None:
        self.check = check
        self.field = field
        where = f" at {field}" if field else ""
        super().__init__(f"{check} failed{where}: {message}")
