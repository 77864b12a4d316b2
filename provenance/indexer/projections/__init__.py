"""Projections: one module per contract turning its events into state tables.

Adding a contract's state is one module here (a class with ``contract``, ``tables`` and
``apply``, see :class:`provenance.indexer.state.Projection`), an entry in
:data:`PROJECTIONS` and a migration creating its tables (:mod:`provenance.indexer.store.schema`).
"""

from __future__ import annotations

from provenance.indexer.projections.exchange import ExchangeProjection
from provenance.indexer.projections.registry import RegistryProjection
from provenance.indexer.state import Projection

__all__ = ["PROJECTIONS", "ExchangeProjection", "RegistryProjection", "default_projections"]

PROJECTIONS: dict[str, type[RegistryProjection | ExchangeProjection]] = {
    RegistryProjection.contract: RegistryProjection,
    ExchangeProjection.contract: ExchangeProjection,
}


def default_projections() -> list[Projection]:
    """A fresh instance of every known projection."""
    return [cls() for cls in PROJECTIONS.values()]
