"""`provenance index`, `index status` and `trace` in-process (CliRunner), as a user runs them."""

from __future__ import annotations

import json
import re
from pathlib import Path

from provenance.node import LocalNode
from tests.integration.cli_support import one_line_error, run


def test_index_status_and_trace(tmp_path: Path) -> None:
    with LocalNode() as node:
        home, url = tmp_path / "home", node.url
        one_line_error(run("trace", "asset", "0x" + "00" * 32, data_dir=home, rpc=url), "no index at")
        assert run("--dev", "0", "deploy", data_dir=home, rpc=url).returncode == 0
        data = tmp_path / "d.csv"
        data.write_text("x,y\n1,2\n")
        reg = run("--dev", "4", "register", str(data), "--metadata-hash", "0x" + "22" * 32, data_dir=home, rpc=url)
        asset = re.search(r"asset (0x[0-9a-f]{64})", reg.stdout).group(1)  # type: ignore[union-attr]
        assert run("--dev", "0", "certify", asset, data_dir=home, rpc=url).returncode == 0
        assert (
            run("--dev", "4", "transfer", asset, "holding", "0x" + "56" * 20, "1000", data_dir=home, rpc=url).returncode
            == 0
        )
        out = run("index", data_dir=home, rpc=url)
        assert out.returncode == 0, out.stderr
        assert "indexed to block" in out.stdout
        again = run("index", data_dir=home, rpc=url)  # idempotent: nothing new
        assert again.returncode == 0 and " 0 new events" in again.stdout
        st = run("index", "status", data_dir=home, rpc=url)
        assert st.returncode == 0, st.stderr
        assert "lag 0" in st.stdout and "AssetApplied" in st.stdout
        tr = run("trace", "asset", asset, data_dir=home, rpc=url)
        assert tr.returncode == 0, tr.stderr
        names = [ln.split()[2] for ln in tr.stdout.splitlines() if ln.strip() and not ln.endswith("event(s)")]
        assert names == ["AssetApplied", "AssetCertified", "RightTransferred"]
        js = run("trace", "party", "0x" + "56" * 20, "--json", data_dir=home, rpc=url)
        assert js.returncode == 0, js.stderr
        events = [json.loads(line) for line in js.stdout.splitlines()]
        assert [e["event"] for e in events] == ["RightTransferred"]
        one_line_error(run("trace", "asset", "0x12", data_dir=home, rpc=url), "asset id")
