"""One call from a node and a deployment manifest to the three contract clients.

::

    import provenance

    conn = provenance.connect("http://127.0.0.1:8545", ".provenance/deployment.json", signer)
    applied = conn.registry.register(Registration(content_hash=h, metadata_hash=m, metadata_uri=uri))
    conn.exchange.list_asset(ListingTerms(applied.asset_id, contract_hash=c, price=10**18))

:func:`connect` checks the manifest against the node before it returns (chain id, genesis
hash, code at every contract address: :meth:`~provenance.deployment.Deployment.check`), so a
restarted local chain is a :class:`~provenance.errors.DeploymentError` here rather than a
confusing revert later. Without an account the clients are read-only.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from provenance._internal.ints import describe
from provenance.anchor import Anchor
from provenance.chain import Chain, Sender, Signer
from provenance.deployment import Deployment
from provenance.errors import InputError
from provenance.exchange import Exchange
from provenance.registry import Registry

__all__ = ["DEFAULT_TIMEOUT", "Connection", "connect"]

DEFAULT_TIMEOUT = 10.0
"""Seconds per JSON-RPC request when :func:`connect` is given a URL (waiting for a receipt has its own bound)."""


@dataclass(frozen=True, slots=True)
class Connection:
    """A node, the deployment checked against it, and its clients sharing one sender (or none)."""

    chain: Chain
    deployment: Deployment
    sender: Sender | None
    registry: Registry
    exchange: Exchange
    anchor: Anchor

    @property
    def read_only(self) -> bool:
        """Whether the clients were built without an account (every write raises InputError)."""
        return self.sender is None

    @property
    def account(self) -> str | None:
        """The sending account's checksummed address, or None when read-only."""
        return self.sender.address if self.sender is not None else None


def connect(
    rpc_url_or_chain: str | Chain,
    deployment: Deployment | str | os.PathLike[str],
    account: Signer | Sender | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
) -> Connection:
    """Registry, exchange and anchor clients of ``deployment`` on the node, read-only without ``account``.

    ``rpc_url_or_chain`` is a JSON-RPC URL (a :class:`~provenance.chain.Chain` is made with
    ``timeout`` seconds per request) or a ready :class:`~provenance.chain.Chain`, whose own
    timeout then applies. ``deployment`` is a manifest path or a loaded
    :class:`~provenance.deployment.Deployment`. ``account`` is a
    :class:`~provenance.chain.Signer` (a :class:`~provenance.chain.Sender` is made for it, shared
    by the three clients so their nonces never collide) or a ready ``Sender`` of the same chain.

    Raises :class:`~provenance.errors.InputError` for a malformed argument,
    :class:`~provenance.errors.DeploymentError` when the manifest is missing, malformed or not of
    this node's chain, and :class:`~provenance.errors.ChainError` when the node cannot be reached.
    """
    # (1): the arguments, before any request
    if isinstance(rpc_url_or_chain, Chain):
        chain = rpc_url_or_chain
    elif isinstance(rpc_url_or_chain, str):
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout < math.inf:
            raise InputError(f"timeout must be a positive number of seconds, got {describe(timeout)}")
        chain = Chain(rpc_url_or_chain, timeout=float(timeout))
    else:
        raise InputError(f"connect() takes an RPC URL or a Chain, got {describe(rpc_url_or_chain)}")
    if isinstance(account, Sender):
        if account.chain is not chain:
            raise InputError("the sender talks to another Chain object than the one given: pass its chain")
        sender: Sender | None = account
    elif isinstance(account, Signer):
        sender = Sender(chain, account)
    elif account is None:
        sender = None
    else:
        raise InputError(f"account must be a Signer, a Sender or None, got {describe(account)}")

    # (2): the manifest (a missing file is reported before the node is asked anything)
    if isinstance(deployment, str | os.PathLike):
        manifest = Deployment.load(Path(deployment))
    elif isinstance(deployment, Deployment):
        manifest = deployment
    else:
        raise InputError(f"deployment must be a manifest path or a Deployment, got {describe(deployment)}")

    # (3): the manifest against the node: chain id, genesis hash, code at each contract
    manifest.check(chain)
    return Connection(
        chain=chain,
        deployment=manifest,
        sender=sender,
        registry=Registry(chain, manifest.contract(Registry.CONTRACT).address, sender),
        exchange=Exchange(chain, manifest.contract(Exchange.CONTRACT).address, sender),
        anchor=Anchor(chain, manifest.contract(Anchor.CONTRACT).address, sender),
    )
