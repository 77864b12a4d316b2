"""A second node implementation: the hardhat node (EDR) produces bundles that verify.

Hardhat has no ``eth_getBlockReceipts`` (it answers "not supported"), so the exporter's
per-transaction receipt fallback is what runs here; its blocks are Prague blocks too
(requestsHash), encoded by the same header codec. The node is the npm package ``hardhat``
of the project (``node_modules/.bin/hardhat``, or ``PROVENANCE_HARDHAT``), started on a free
loopback port from a throwaway project directory and stopped by the fixture.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Chain, RpcError, Sender
from provenance.compiler import find_project_root
from provenance.deployment import deploy
from provenance.errors import ChainError
from provenance.evidence._transactions import decode_transaction
from provenance.evidence.bundle import Query, canonical_json, export_bundle
from provenance.evidence.proofs import decode_header
from provenance.evidence.verify import verify_bundle
from provenance.node import free_port
from provenance.records.registry import Kind, Registration, Right
from provenance.registry import Registry
from provenance.rpc import RpcClient
from tests.integration.evidence.bundle.conftest import h

# Interval mining: hardhat's automine refuses a nonce gap, and it may take a JSON-RPC batch of
# raw transactions out of order; with a mempool, blocks also hold several transactions.
CONFIG = """module.exports = { networks: { hardhat: {
  chainId: 31337, hardfork: "prague", mining: { auto: false, interval: 250 } } } };
"""


def hardhat_bin() -> Path:
    env = os.environ.get("PROVENANCE_HARDHAT")
    path = Path(env) if env else find_project_root() / "node_modules" / ".bin" / "hardhat"
    assert path.exists(), f"hardhat not installed at {path}: run npm install (devDependency hardhat 2.29.1)"
    return path.absolute()


def _answers(url: str) -> bool:
    try:
        with RpcClient(url, timeout=1.0, retries=0) as probe:
            probe.call("eth_chainId")
    except ChainError:
        return False
    return True


@pytest.fixture(scope="module")
def hardhat(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = hardhat_bin()
    project = tmp_path_factory.mktemp("hardhat")
    (project / "hardhat.config.js").write_text(CONFIG)
    # hardhat refuses a non-local installation: the throwaway project links the one that has it
    (project / "node_modules").symlink_to(binary.parent.parent)  # node_modules/.bin/hardhat
    port = free_port()
    env = {**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true", "DO_NOT_TRACK": "1"}
    proc = subprocess.Popen(
        [
            str(binary),
            "--config",
            str(project / "hardhat.config.js"),
            "node",
            "--hostname",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(url):
            assert proc.poll() is None, (proc.stderr.read() if proc.stderr else b"").decode(errors="replace")
            assert time.monotonic() < deadline, "the hardhat node did not answer within 60 s"
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if proc.stderr:
            proc.stderr.close()


def test_hardhat_bundles_verify(hardhat: str) -> None:
    chain = Chain(hardhat)
    with pytest.raises(RpcError, match="not supported"):
        chain.rpc("eth_getBlockReceipts", ["latest"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        admin, owner, partner, exporter = (dev_signer(i, chain.chain_id) for i in (0, 1, 2, 7))
    deployment = deploy(chain, Sender(chain, admin))
    asset = Registration(h("hardhat:data"), h("hardhat:meta"), "https://example.org/hh", kind=Kind.PRODUCT)
    registry = Registry.from_deployment(deployment, chain, Sender(chain, owner))
    registry.register(asset)
    Registry.from_deployment(deployment, chain, Sender(chain, admin)).certify(asset.asset_id)
    registry.transfer_right(asset.asset_id, Right.OPERATION, partner.address, 250_000)
    # a legacy transaction of the history, sent from hardhat's unlocked account
    data = registry.codec.encode(
        "transferRight", asset.asset_id, int(Right.PROCESSING), owner.address, partner.address, 1_000
    )
    legacy = chain.rpc(
        "eth_sendTransaction",
        [
            {
                "from": owner.address,
                "to": registry.address,
                "type": "0x0",
                "data": "0x" + data.hex(),
                "gas": hex(300_000),
                "gasPrice": hex(10 * 10**9),
            }
        ],
    )
    deadline = time.monotonic() + 30
    while chain.rpc("eth_getTransactionReceipt", [legacy]) is None:
        assert time.monotonic() < deadline, "the legacy transaction was not mined"
        time.sleep(0.1)
    receipt = chain.rpc("eth_getTransactionReceipt", [legacy])
    assert (receipt["type"], receipt["status"]) == ("0x0", "0x1"), receipt
    for kind, ident in (("asset", asset.asset_id), ("party", owner.address)):
        bundle = export_bundle(chain, deployment, Query.of(kind, ident), exporter)
        names = [e["event"] for e in bundle["timeline"]]
        assert names[:3] == ["AssetApplied", "AssetCertified", "RightTransferred"] or kind == "party"
        report = verify_bundle(canonical_json(bundle), rpc=chain)
        report.raise_for_failure()
        assert report.ok and len(names) >= 3
        kinds = {decode_transaction(bytes.fromhex(t["transaction"][2:])).tx_type for t in bundle["transactions"]}
        assert kinds == {0, 2}
        assert decode_header(bytes.fromhex(bundle["headers"][-1][2:])).fork == "prague"
