"""provenance: data property rights and data trades on an EVM chain, indexed and provable.

The front door::

    import provenance

    conn = provenance.connect("http://127.0.0.1:8545", ".provenance/deployment.json", signer)
    applied = conn.registry.register(provenance.Registration(content_hash=h, metadata_hash=m, metadata_uri=uri))

Importing this package touches no network, starts no process and imports none of its
dependencies: each name below is imported from its module on first use (PEP 562). The
modules themselves are the reference: :mod:`provenance.connection` (:func:`connect`),
:mod:`provenance.node` (a local chain), :mod:`provenance.deployment` (deploy and read a
manifest), :mod:`provenance.registry`, :mod:`provenance.exchange`, :mod:`provenance.anchor`
(the contract clients), :mod:`provenance.indexer` and :mod:`provenance.evidence`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module it comes from, imported on first access
_LAZY: dict[str, str] = {
    "Anchor": "provenance.anchor",
    "Chain": "provenance.chain",
    "Connection": "provenance.connection",
    "Deployment": "provenance.deployment",
    "Exchange": "provenance.exchange",
    "Indexer": "provenance.indexer",
    "LicenceTerms": "provenance.records.registry",
    "ListingTerms": "provenance.records.exchange",
    "LocalNode": "provenance.node",
    "ProvenanceError": "provenance.errors",
    "Registration": "provenance.records.registry",
    "Registry": "provenance.registry",
    "Right": "provenance.records.registry",
    "Sender": "provenance.chain",
    "Signer": "provenance.chain",
    "connect": "provenance.connection",
    "create_keystore": "provenance.accounts",
    "deploy": "provenance.deployment",
    "dev_signer": "provenance.accounts",
    "export_bundle": "provenance.evidence.bundle",
    "load_keystore": "provenance.accounts",
    "open_store": "provenance.indexer",
    "verify_bundle": "provenance.evidence.verify",
}

__all__ = [
    "Anchor",
    "Chain",
    "Connection",
    "Deployment",
    "Exchange",
    "Indexer",
    "LicenceTerms",
    "ListingTerms",
    "LocalNode",
    "ProvenanceError",
    "Registration",
    "Registry",
    "Right",
    "Sender",
    "Signer",
    "__version__",
    "connect",
    "create_keystore",
    "deploy",
    "dev_signer",
    "export_bundle",
    "load_keystore",
    "open_store",
    "verify_bundle",
]

if TYPE_CHECKING:
    from provenance.accounts import create_keystore, dev_signer, load_keystore
    from provenance.anchor import Anchor
    from provenance.chain import Chain, Sender, Signer
    from provenance.connection import Connection, connect
    from provenance.deployment import Deployment, deploy
    from provenance.errors import ProvenanceError
    from provenance.evidence.bundle import export_bundle
    from provenance.evidence.verify import verify_bundle
    from provenance.exchange import Exchange
    from provenance.indexer import Indexer, open_store
    from provenance.node import LocalNode
    from provenance.records.exchange import ListingTerms
    from provenance.records.registry import LicenceTerms, Registration, Right
    from provenance.registry import Registry


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'provenance' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next access is a plain attribute read
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, *(name for name in globals() if name.startswith("__"))})
