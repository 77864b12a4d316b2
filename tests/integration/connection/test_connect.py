"""``provenance.connect``: node + manifest -> checked clients; and the README's library snippet, run."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

import provenance
from provenance.accounts import create_keystore
from provenance.chain import Chain, Sender, Signer
from provenance.connection import Connection, connect
from provenance.deployment import DeployedContract, Deployment, deploy
from provenance.errors import ChainError, DeploymentError, InputError
from provenance.node import LocalNode, free_port
from provenance.records.registry import Registration
from provenance.registry import Registry

README = Path(__file__).resolve().parents[3] / "README.md"


def _registration(tag: str) -> Registration:
    return Registration(
        content_hash=hashlib.sha256(f"content {tag}".encode()).digest(),
        metadata_hash=hashlib.sha256(f"metadata {tag}".encode()).digest(),
        metadata_uri=f"https://example.org/{tag}.json",
    )


def test_connect_with_a_signer_gives_three_clients_sharing_one_sender(
    node: LocalNode, deployment: Deployment, alice: Signer
) -> None:
    conn = connect(node.url, deployment, alice)
    assert isinstance(conn, Connection)
    assert conn.deployment is deployment and conn.chain.url == node.url
    assert conn.registry.address == deployment.contract("DataRegistry").address
    assert conn.exchange.address == deployment.contract("DataExchange").address
    assert conn.anchor.address == deployment.contract("TradeAnchor").address
    assert conn.sender is not None and conn.account == alice.address and not conn.read_only
    assert conn.registry.sender is conn.sender and conn.exchange.sender is conn.sender
    assert conn.anchor.sender is conn.sender
    applied = conn.registry.register(_registration("signer"))
    assert conn.registry.asset(applied.asset_id).asset_id == applied.asset_id


def test_connect_without_an_account_is_read_only(node: LocalNode, deployment: Deployment) -> None:
    conn = connect(node.url, deployment)
    assert conn.read_only and conn.sender is None and conn.account is None
    with pytest.raises(InputError, match="read-only"):
        conn.registry.register(_registration("read-only"))


def test_connect_takes_a_manifest_path_a_chain_and_a_sender(
    tmp_path: Path, chain: Chain, deployment: Deployment, alice: Signer
) -> None:
    deployment.save(tmp_path / "deployment.json")
    sender = Sender(chain, alice)
    conn = connect(chain, tmp_path / "deployment.json", sender)
    assert conn.deployment == deployment and conn.chain is chain and conn.sender is sender
    assert connect(chain, str(tmp_path / "deployment.json")).deployment == deployment


def test_the_timeout_applies_to_a_chain_made_from_a_url(node: LocalNode, deployment: Deployment) -> None:
    assert connect(node.url, deployment, timeout=2.5).chain.timeout == 2.5
    assert connect(node.url, deployment).chain.timeout == provenance.connection.DEFAULT_TIMEOUT


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), float("inf"), True, "10", None])
def test_a_bad_timeout_is_refused_before_any_request(timeout: object, deployment: Deployment) -> None:
    with pytest.raises(InputError, match="timeout must be a positive number of seconds"):
        connect("http://127.0.0.1:1", deployment, timeout=timeout)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"rpc_url_or_chain": None}, "takes an RPC URL or a Chain, got None"),
        ({"rpc_url_or_chain": "ftp://x"}, "RPC URL must be http"),
        ({"rpc_url_or_chain": 8545}, "takes an RPC URL or a Chain, got 8545"),
        ({"deployment": None}, "deployment must be a manifest path or a Deployment, got None"),
        ({"deployment": {"chainId": 1}}, "deployment must be a manifest path or a Deployment"),
        ({"account": "0x" + "11" * 32}, "account must be a Signer, a Sender or None"),
        ({"account": b"\x11" * 32}, "account must be a Signer, a Sender or None"),
    ],
)
def test_malformed_arguments_are_input_errors(
    kwargs: dict[str, object], message: str, node: LocalNode, deployment: Deployment
) -> None:
    args: dict[str, object] = {"rpc_url_or_chain": node.url, "deployment": deployment, "account": None, **kwargs}
    with pytest.raises(InputError, match=re.escape(message)):
        connect(**args)  # type: ignore[arg-type]


def test_a_sender_of_another_chain_object_is_refused(node: LocalNode, deployment: Deployment, alice: Signer) -> None:
    with pytest.raises(InputError, match="another Chain object"):
        connect(node.url, deployment, Sender(Chain(node.url), alice))


def test_a_missing_manifest_is_reported_before_the_node_is_asked(tmp_path: Path) -> None:
    # port 1 answers nothing: the manifest error must come first
    with pytest.raises(DeploymentError, match="no deployment manifest at .*run `provenance deploy` first"):
        connect("http://127.0.0.1:1", tmp_path / "deployment.json")


def test_an_unreachable_node_is_a_chain_error(deployment: Deployment) -> None:
    with pytest.raises(ChainError, match="cannot reach the node at http://127.0.0.1:1"):
        connect("http://127.0.0.1:1", deployment, timeout=2)


def test_a_manifest_whose_contracts_have_no_code_on_the_node_is_refused(chain: Chain, deployment: Deployment) -> None:
    # same chain id and genesis (as after a snapshot revert, or a manifest edited by hand), no code
    empty = "0x" + "ee" * 20
    ghost = {
        name: DeployedContract(**{**{f: getattr(c, f) for f in c.__slots__}, "address": empty})
        for name, c in deployment.contracts.items()
    }
    forged = Deployment(deployment.chain_id, deployment.genesis_hash, ghost, deployment.deployer, deployment.roles)
    with pytest.raises(DeploymentError, match=r"no code at the manifest's \w+ \(0x[Ee]{40}\): .*deploy again"):
        connect(chain, forged)
    with pytest.raises(DeploymentError, match="no code at the manifest's"):
        Registry.from_deployment(forged, chain)


def test_a_restarted_chain_is_a_deployment_error(tmp_path: Path, admin: Signer) -> None:
    port = free_port()
    with LocalNode(port=port) as first:
        chain = Chain(first.url)
        deploy(chain, Sender(chain, admin)).save(tmp_path / "deployment.json")
        assert connect(first.url, tmp_path / "deployment.json").registry.address
    with LocalNode(port=port, extra_args=("--timestamp", "1000")) as second:
        assert second.url == first.url
        with pytest.raises(DeploymentError, match="another genesis than the manifest: the chain was reset"):
            connect(second.url, tmp_path / "deployment.json", admin)


def _readme_snippet() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Using it as a library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match is not None, "the README's library section has no python block"
    return match.group(1)


def test_the_readme_library_snippet_registers_an_asset(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    node: LocalNode,
    chain: Chain,
    deployment: Deployment,
) -> None:
    # the files the snippet names, in a working directory of their own; a new, funded account
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PROVENANCE_PASSWORD", "correct horse")
    deployment.save(tmp_path / ".provenance" / "deployment.json")
    address = create_keystore(tmp_path / "alice.json", "correct horse")
    chain.rpc("anvil_setBalance", [address, hex(10**18)])
    (tmp_path / "data.csv").write_text("id,value\n1,42\n")
    (tmp_path / "meta.json").write_text('{"title": "sample"}\n')
    snippet = _readme_snippet()
    assert "http://127.0.0.1:8545" in snippet
    namespace: dict[str, object] = {}
    exec(compile(snippet.replace("http://127.0.0.1:8545", node.url), "README.md", "exec"), namespace)  # noqa: S102
    applied = namespace["applied"]
    out = capsys.readouterr().out
    asset_id = bytes.fromhex(re.search(r"asset 0x([0-9a-f]{64}) tx 0x[0-9a-f]{64}", out).group(1))  # type: ignore[union-attr]
    assert asset_id == applied.asset_id  # type: ignore[attr-defined]
    on_chain = connect(node.url, deployment).registry.asset(asset_id)
    assert on_chain.applicant == address
    assert on_chain.metadata_hash == hashlib.sha256(b'{"title": "sample"}\n').digest()
    expected = Registration(
        content_hash=hashlib.sha256(b"id,value\n1,42\n").digest(),
        metadata_hash=on_chain.metadata_hash,
        metadata_uri="https://example.org/meta.json",
    )
    assert asset_id == expected.asset_id
