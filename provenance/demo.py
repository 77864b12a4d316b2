"""The main job on embedded defaults: a local chain, a deployment, and one asset's whole life.

``provenance demo`` starts anvil on a free loopback port (stopped at the end), deploys,
registers a sample dataset, runs the public notice window, certifies it, licenses it,
transfers a share of a right, and prints the certificate number and code and every
transaction hash.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from provenance.accounts import DevKeyWarning, dev_signer
from provenance.chain import Chain, Sender
from provenance.deployment import Deployment, deploy
from provenance.hashing import file_sha256
from provenance.node import LocalNode
from provenance.records.registry import Category, Kind, Level, LicenceTerms, Registration, Right
from provenance.registry import Registry

__all__ = ["DemoResult", "run_demo", "sample_dataset"]


@dataclass(frozen=True, slots=True)
class DemoResult:
    deployment: Deployment
    asset_id: bytes
    certificate_number: str
    certificate_code: str
    steps: list[tuple[str, str]] = field(default_factory=list)  # (what, tx hash)


def sample_dataset(path: Path) -> Path:
    """Write a small deterministic CSV sample dataset (city air-quality readings)."""
    rows = ["station,hour,pm25,pm10,no2"]
    for i in range(2000):
        rows.append(f"S{i % 17:03d},{i % 24},{(i * 37) % 180},{(i * 53) % 260},{(i * 11) % 90}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def run_demo(workdir: Path, echo: Callable[[str], None] = print, *, notice_period: int = 3600) -> DemoResult:
    """Run the whole demo on a fresh local chain; the node is always stopped."""
    workdir.mkdir(parents=True, exist_ok=True)
    with LocalNode() as node, warnings.catch_warnings():
        warnings.simplefilter("ignore", DevKeyWarning)
        chain = Chain(node.url)
        echo(f"local chain: anvil at {node.url} (chain id {chain.chain_id}), dev keys (local only)")
        admin, owner, partner, licensee = (dev_signer(i, chain.chain_id) for i in range(4))
        deployment = deploy(chain, Sender(chain, admin), notice_period=notice_period)
        deployment.save(workdir / "deployment.json")
        steps: list[tuple[str, str]] = []
        for name, contract in sorted(deployment.contracts.items(), key=lambda kv: kv[1].block_number):
            echo(f"deployed {name} at {contract.address}  tx {contract.tx_hash}")
            steps.append((f"deploy {name}", contract.tx_hash))

        data = sample_dataset(workdir / "air-quality-sample.csv")
        metadata = (
            '{"title":"City air quality, hourly, 2026","format":"text/csv","rows":2000,'
            f'"sha256":"{file_sha256(data).hex()}"}}'
        ).encode()
        (workdir / "air-quality-sample.meta.json").write_bytes(metadata)
        reg = Registration(
            content_hash=file_sha256(data),
            metadata_hash=hashlib.sha256(metadata).digest(),
            metadata_uri="file://air-quality-sample.meta.json",
            category=Category.ENTERPRISE,
            level=Level.GENERAL,
            kind=Kind.RESOURCE,
        )
        owner_registry = Registry.from_deployment(deployment, chain, Sender(chain, owner))
        registrar = Registry.from_deployment(deployment, chain, Sender(chain, admin))
        applied = owner_registry.register(reg)
        echo(f"registered asset 0x{applied.asset_id.hex()}  gas {applied.tx.gas_used}  tx {applied.tx.tx_hash}")
        steps.append(("register", applied.tx.tx_hash))

        # The public notice window (公示) must pass before certification; on a dev chain we
        # move time forward instead of waiting.
        chain.rpc("evm_increaseTime", [notice_period])
        chain.rpc("evm_mine", [])
        certified = registrar.certify(applied.asset_id)
        cert = certified.certificate
        echo(f"certified: number {cert.number}  code {cert.code}  tx {certified.tx.tx_hash}")
        steps.append(("certify", certified.tx.tx_hash))

        now = int(chain.get_block()["timestamp"], 16)
        terms = LicenceTerms(
            asset_id=applied.asset_id,
            licensee=licensee.address,
            purpose_hash=hashlib.sha256(b"purpose: urban traffic model training").digest(),
            starts_at=now,
            expires_at=now + 365 * 86400,
            terms_hash=hashlib.sha256(b"standard licence contract v1").digest(),
            revenue_share_bps=1500,
            derivatives_allowed=True,
        )
        licence = owner_registry.grant_licence(terms)
        echo(f"licensed to {licensee.address}: licence #{licence.id}  tx {licence.tx.tx_hash}")
        steps.append(("grant licence", licence.tx.tx_hash))

        moved = owner_registry.transfer_right(applied.asset_id, Right.OPERATION, partner.address, 300_000)
        echo(f"transferred 30% of the product operation right to {partner.address}  tx {moved.tx_hash}")
        steps.append(("transfer 30% operation right", moved.tx_hash))

        checked = registrar.certificate_by_code(cert.code)
        holders = ", ".join(f"{a}={s / 10_000:.0f}%" for a, s in checked.holders["operation"])
        echo(f"certificate {checked.number} / {checked.code} checks out; operation right: {holders}")
        echo(
            f"may {licensee.address[:10]}... use it for the licensed purpose now? "
            f"{owner_registry.may_use(applied.asset_id, licensee.address, terms.purpose_hash)}"
        )
        echo(
            f"manifest written to {workdir / 'deployment.json'} (chain stopped; use `provenance node` for a lasting one)"
        )
        return DemoResult(deployment, applied.asset_id, cert.number, cert.code, steps)


if __name__ == "__main__":  # pragma: no cover
    run_demo(Path(os.environ.get("PROVENANCE_HOME", ".provenance")) / "demo")
