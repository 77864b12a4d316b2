"""Keccak-256 with the fastest backend installed: Merkle trees and bundles hash megabytes.

``safe-pysha3`` when installed (a C extension, about 6x faster per call than pycryptodome's),
else pycryptodome, else ``eth_hash``; :data:`KECCAK_BACKEND` names the one in use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

__all__ = ["KECCAK_BACKEND", "keccak256"]


def _select_keccak() -> tuple[Callable[[bytes], bytes], str]:
    try:
        ctor = importlib.import_module("sha3").keccak_256

        def _pysha3(data: bytes) -> bytes:
            return ctor(data).digest()  # type: ignore[no-any-return]

        return _pysha3, "safe-pysha3"
    except ImportError:
        pass
    try:
        crypto_keccak = importlib.import_module("Crypto.Hash.keccak")

        def _cryptodome(data: bytes) -> bytes:
            return crypto_keccak.new(digest_bits=256, data=data).digest()  # type: ignore[no-any-return]

        return _cryptodome, "pycryptodome"
    except ImportError:
        pass
    from eth_hash.auto import keccak as eth_keccak

    def _eth_hash(data: bytes) -> bytes:
        return eth_keccak(data)

    return _eth_hash, "eth-hash"


# the backend's own function, no wrapper: hot loops call it millions of times
keccak256: Callable[[bytes], bytes]
KECCAK_BACKEND: str
keccak256, KECCAK_BACKEND = _select_keccak()
