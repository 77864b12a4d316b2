"""Role names of the ``DataRegistry`` contract and their bytes32 ids.

A module of its own so that :mod:`provenance.deployment` (which grants roles at deploy
time) and :mod:`provenance.registry` (which grants and checks them later) both import it
without importing each other. :mod:`provenance.registry` re-exports both names.
"""

from __future__ import annotations

from eth_hash.auto import keccak

from provenance.errors import InputError

__all__ = ["ROLES", "role_id"]

ROLES = ("DEFAULT_ADMIN_ROLE", "REGISTRAR_ROLE", "ARBITRATOR_ROLE", "REGULATOR_ROLE", "EXCHANGE_ROLE")


def role_id(name: str) -> bytes:
    """The bytes32 id of a role name (``DEFAULT_ADMIN_ROLE`` is zero)."""
    if name not in ROLES:
        raise InputError(f"unknown role {name!r}; roles are {', '.join(ROLES)}")
    return b"\x00" * 32 if name == "DEFAULT_ADMIN_ROLE" else keccak(name.encode())
