"""`provenance anchor` and `provenance anchor-verify` in-process (CliRunner), as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.node import LocalNode
from tests.integration.cli_support import one_line_error, run


def test_anchor_file_and_verify_records(tmp_path: Path) -> None:
    with LocalNode() as node:
        home = tmp_path / "home"
        assert run("--dev", "0", "deploy", data_dir=home, rpc=node.url).returncode == 0
        records = tmp_path / "trades.jsonl"
        rows = [
            {"trade": i, "buyer": f"B{i % 7}", "price": str(100 + i), "asset": "0x" + f"{i:064x}"} for i in range(300)
        ]
        records.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
        out = run("--dev", "0", "anchor", str(records), data_dir=home, rpc=node.url)
        assert out.returncode == 0, out.stderr
        assert "anchored 300 records" in out.stdout
        proofs = tmp_path / "trades.proofs.jsonl"
        batch = json.loads((tmp_path / "trades.anchor.json").read_text())
        assert batch["recordCount"] == 300 and len(proofs.read_text().splitlines()) == 300
        one = tmp_path / "record.json"
        one.write_text(json.dumps(rows[123]))
        ok = run("anchor-verify", str(one), str(proofs), data_dir=home, rpc=node.url)
        assert ok.returncode == 0, ok.stderr
        assert "on-chain" in ok.stdout and "record #" in ok.stdout
        offline = run("anchor-verify", "--offline", str(one), str(proofs), data_dir=home, rpc="http://127.0.0.1:1")
        assert offline.returncode == 0, offline.stderr
        # A record changed in one field is not in the batch.
        one.write_text(json.dumps({**rows[123], "price": "1"}))
        one_line_error(
            run("anchor-verify", "--offline", str(one), str(proofs), data_dir=home, rpc=node.url),
            "record-in-batch failed",
        )
        # A batch description whose root was changed fails the Merkle check.
        one.write_text(json.dumps(rows[5]))
        tampered = dict(batch, root="0x" + "00" * 32)
        (tmp_path / "trades.anchor.json").write_text(json.dumps(tampered))
        one_line_error(
            run("anchor-verify", "--offline", str(one), str(proofs), data_dir=home, rpc=node.url), "merkle-proof failed"
        )
        # Anchoring the same file again is refused by the contract, and nothing is rewritten.
        (tmp_path / "trades.anchor.json").write_text(json.dumps(batch))
        one_line_error(run("--dev", "0", "anchor", str(records), data_dir=home, rpc=node.url), "AnchorBatchExists")
        assert json.loads((tmp_path / "trades.anchor.json").read_text()) == batch
        # Bad input: not JSON lines.
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"a": 1}\nnot json\n')
        one_line_error(run("--dev", "0", "anchor", str(bad), data_dir=home, rpc=node.url), r"bad.jsonl:2: not JSON")
        assert not (tmp_path / "bad.anchor.json").exists()
