"""Fixtures for the report tests: the bundle tests' anvil history (``world``), exported as bundles.

``world`` is the bundle tests' fixture (an anvil of its own, a deployment and the history of
asset A: registered, certified, licensed, derived from, transferred, pledged, disputed; a trade
of A; anchored records). ``samples`` adds asset C, certified then revoked with a Chinese reason
and a metadata URI full of HTML specials (selected with eth_getLogs: the index predates it), and
writes the bundles the tests render.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from provenance.chain import Sender
from provenance.evidence.bundle import write_bundle
from provenance.records.registry import Kind, Registration
from provenance.registry import Registry
from tests.integration.evidence.bundle.conftest import World, h, world

__all__ = ["REVOCATION", "URI_C", "Samples", "World", "samples", "world"]

URI_C = 'https://example.org/c?a=1&b=<i>"c"</i>'
REVOCATION = "经核查权属存疑，依法撤销 <script>alert(1)</script> & 'x'"


@dataclass(frozen=True)
class Samples:
    asset: Path
    trade: Path
    party: Path
    record: Path
    revoked: Path
    revoked_id: bytes


@pytest.fixture(scope="session")
def samples(world: World, tmp_path_factory: pytest.TempPathFactory) -> Samples:
    base = tmp_path_factory.mktemp("report-bundles")
    admin = Registry.from_deployment(world.deployment, world.chain, Sender(world.chain, world.signers["admin"]))
    owner = Registry.from_deployment(world.deployment, world.chain, Sender(world.chain, world.signers["owner"]))
    asset_c = Registration(h("data:C"), h("meta:C"), URI_C, kind=Kind.RESOURCE)
    owner.register(asset_c)
    admin.certify(asset_c.asset_id)
    admin.revoke_certificate(asset_c.asset_id, REVOCATION)
    paths = {name: base / f"{name}.json" for name in ("asset", "trade", "party", "record", "revoked")}
    write_bundle(world.export("asset", world.asset, lineage="both"), paths["asset"])
    write_bundle(world.export("trade", world.trade_id), paths["trade"])
    write_bundle(world.export("party", world.signers["owner"].address), paths["party"])
    from provenance.anchor_records import record_hash

    write_bundle(world.export("record", record_hash(world.records[3]), records=[world.record(3)]), paths["record"])
    write_bundle(world.export("asset", asset_c.asset_id, index=False), paths["revoked"])
    return Samples(**paths, revoked_id=asset_c.asset_id)
