"""The manifest check runs in the library: a client built from a manifest on another chain fails."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.anchor import Anchor
from provenance.chain import Chain, Sender
from provenance.deployment import Deployment, deploy
from provenance.errors import DeploymentError, InputError
from provenance.exchange import Exchange
from provenance.node import LocalNode, free_port
from provenance.registry import Registry
from tests.integration.cli_support import one_line_error, run


class CountingChain(Chain):
    """A real Chain that counts the JSON-RPC calls it makes."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.calls: list[str] = []

    def rpc(self, method: str, params: Any = ()) -> Any:
        self.calls.append(method)
        return super().rpc(method, params)


def test_a_restarted_chain_is_refused_by_every_client(tmp_path: Path) -> None:
    port = free_port()
    manifest = tmp_path / "home" / "deployment.json"
    with LocalNode(port=port) as first:
        chain = CountingChain(first.url)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DevKeyWarning)
            admin = dev_signer(0, chain.chain_id)
        dep = deploy(chain, Sender(chain, admin))
        dep.save(manifest)
        # the same chain: accepted, and the node is asked once per Chain object
        before = len(chain.calls)
        Registry.from_deployment(dep, chain)
        Exchange.from_deployment(dep, chain)
        Anchor.from_deployment(dep, chain)
        assert Deployment.load(manifest, chain=chain) == dep
        assert chain.calls[before:] == ["eth_getBlockByNumber"]  # the genesis block, once
    # the "same" node restarted: same URL and chain id, another genesis (no contracts of ours)
    with LocalNode(port=port, extra_args=("--timestamp", "1000")) as second:
        assert second.url == first.url
        restarted = Chain(second.url)
        assert restarted.chain_id == dep.chain_id
        for make in (Registry.from_deployment, Exchange.from_deployment, Anchor.from_deployment):
            with pytest.raises(DeploymentError, match=r"another genesis than the manifest: the chain was reset"):
                make(dep, restarted)
        with pytest.raises(DeploymentError, match="deploy again"):
            Deployment.load(manifest, chain=restarted)
        assert Deployment.load(manifest) == dep  # without a chain: only the file is read
        # the CLI says the same, in one line
        one_line_error(
            run("asset", "0x" + "ab" * 32, data_dir=manifest.parent, rpc=second.url),
            "the chain was reset; deploy again",
        )


def test_another_chain_id_is_refused(tmp_path: Path) -> None:
    with LocalNode(chain_id=4242) as other:
        chain = Chain(other.url)
        dep = Deployment(chain_id=31337, genesis_hash=chain.genesis_hash(), contracts={}, deployer="0x" + "00" * 20)
        with pytest.raises(
            DeploymentError, match=rf"node {other.url} is chain id 4242, the manifest is chain id 31337"
        ):
            dep.check(chain)
        with pytest.raises(DeploymentError, match="chain id 4242"):
            Registry.from_deployment(dep, chain)


def test_role_names_are_one_definition() -> None:
    from provenance import registry, roles

    assert registry.ROLES is roles.ROLES and registry.role_id is roles.role_id
    assert roles.role_id("DEFAULT_ADMIN_ROLE") == b"\x00" * 32
    with pytest.raises(InputError, match="unknown role 'OWNER'"):
        roles.role_id("OWNER")
