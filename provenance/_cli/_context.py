"""The typed context every command receives: global options, and the clients built from them.

Everything is built on first use and kept for the rest of the command, so a command that
never talks to the node never opens a connection, and one that does checks the manifest
against the node once (:meth:`provenance.deployment.Deployment.check`).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from provenance.errors import KeystoreError

if TYPE_CHECKING:
    from provenance.anchor import Anchor
    from provenance.chain import Chain, Sender, Signer
    from provenance.connection import Connection
    from provenance.deployment import Deployment
    from provenance.exchange import Exchange
    from provenance.registry import Registry

__all__ = ["DEFAULT_RPC", "DEFAULT_TIMEOUT", "Context", "pass_ctx"]

DEFAULT_RPC = "http://127.0.0.1:8545"
DEFAULT_TIMEOUT = 10.0  # seconds per JSON-RPC request; receipt waits have their own, longer bound


@dataclass
class Context:
    """Global options of one invocation, and the objects built from them (lazily, once)."""

    data_dir: Path
    rpc_url: str
    keystore: Path | None
    dev_account: int | None
    timeout: float = DEFAULT_TIMEOUT
    index_store: str | None = None
    _chain: Chain | None = field(default=None, repr=False)
    _deployment: Deployment | None = field(default=None, repr=False)
    _signer: Signer | None = field(default=None, repr=False)
    _sender: Sender | None = field(default=None, repr=False)
    _connections: dict[bool, Connection] = field(default_factory=dict, repr=False)

    @property
    def manifest_path(self) -> Path:
        """The deployment manifest in the data directory."""
        return self.data_dir / "deployment.json"

    def index_location(self, store: str | None = None) -> str:
        """The index: ``store``, else env ``PROVENANCE_INDEX``, else ``DATA_DIR/index.sqlite``."""
        return store or os.environ.get("PROVENANCE_INDEX") or str(self.data_dir / "index.sqlite")

    def chain(self) -> Chain:
        """The node, with the ``--timeout`` per request; an unreachable node fails here, in one line.

        A timed-out request is not retried (a silent node costs one ``--timeout``, not several);
        refused or dropped connections are retried twice.
        """
        if self._chain is None:
            chain = self.node(self.rpc_url)
            chain.chain_id  # noqa: B018 - fail now, with a clear error, if the node is down
            self._chain = chain
        return self._chain

    def node(self, url: str, *, patient: bool = False) -> Chain:
        """A :class:`Chain` on ``url`` with this invocation's timeout (``patient``: retry timeouts too,
        for long jobs such as the indexer)."""
        from provenance.chain import Chain

        if patient:
            return Chain(url, timeout=self.timeout)
        return Chain(url, timeout=self.timeout, retries=2, retry_timeouts=False)

    def deployment(self) -> Deployment:
        """The manifest of the data directory, checked against the node (chain id and genesis)."""
        if self._deployment is None:
            from provenance.deployment import Deployment

            dep = Deployment.load(self.manifest_path)  # a missing manifest is reported before the node
            dep.check(self.chain())
            self._deployment = dep
        return self._deployment

    def signer(self) -> Signer:
        """The sending account: ``--keystore`` (password from env or a prompt) or ``--dev N``."""
        if self._signer is None:
            from provenance.accounts import DevKeyWarning, dev_signer, load_keystore, read_password

            if self.keystore is not None:
                signer = load_keystore(self.keystore, read_password())
            elif self.dev_account is not None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", DevKeyWarning)
                    signer = dev_signer(self.dev_account, self.chain().chain_id)
                click.echo(
                    f"warning: using well-known dev key #{self.dev_account} ({signer.address}); local chain only",
                    err=True,
                )
            else:
                raise KeystoreError(
                    "no account: pass --keystore FILE (or PROVENANCE_KEYSTORE) or --dev N on a local chain"
                )
            self._signer = signer
        return self._signer

    def sender(self) -> Sender:
        """The transaction sender of the account on the node (one per command, shared by the clients)."""
        if self._sender is None:
            from provenance.chain import Sender

            self._sender = Sender(self.chain(), self.signer())
        return self._sender

    def connection(self, write: bool = True) -> Connection:
        """The clients of the deployment (:func:`provenance.connect`), read-only unless ``write``."""
        if write not in self._connections:
            from provenance.connection import connect

            deployment = self.deployment()  # a missing manifest is reported before the node or the account
            self._connections[write] = connect(self.chain(), deployment, self.sender() if write else None)
        return self._connections[write]

    def registry(self, write: bool = True) -> Registry:
        """The deployment's registry client (read-only unless ``write``)."""
        return self.connection(write).registry

    def exchange(self, write: bool = True) -> Exchange:
        """The deployment's exchange client (read-only unless ``write``)."""
        return self.connection(write).exchange

    def anchor(self, write: bool = True) -> Anchor:
        """The deployment's trade-anchor client (read-only unless ``write``)."""
        return self.connection(write).anchor


pass_ctx = click.make_pass_decorator(Context)
