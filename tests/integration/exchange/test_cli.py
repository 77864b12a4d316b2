"""``provenance exchange ...`` in-process against the session chain: every step, and one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from provenance import cli as cli_module
from provenance._cli._params import parse_amount
from provenance.errors import InputError
from provenance.exchange import TradeStatus
from tests.integration.exchange.helpers import ETHER, World

# dev key indexes of the actors (see conftest.actors)
OPERATOR, ARBITRATOR, BOB, CAROL, DAVE, STRANGER = "4", "2", "6", "7", "8", "9"


@pytest.fixture()
def run(w: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    w.deployment.save(home / "deployment.json")
    url = w.chain.url

    def invoke(dev: str | None, *args: str) -> tuple[int, str, str]:
        pre = ["--data-dir", str(home), "--rpc", url] + (["--dev", dev] if dev is not None else [])
        code = cli_module.main([*pre, "exchange", *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return invoke


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, err
    return out


def error_line(result: tuple[int, str, str], pattern: str, exit_code: int = 1) -> None:
    code, _, err = result
    assert code == exit_code, err
    errors = [ln for ln in err.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in err, err
    assert re.search(pattern, errors[0]), errors[0]


def test_every_step_from_the_command_line(run, w: World, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    asset = "0x" + w.assets["derived"].hex()
    out = ok(
        run(
            BOB,
            "list",
            asset,
            "--price",
            "1ether",
            "--contract",
            "standard contract v1",
            "--purpose",
            "analytics",
            "--days",
            "30",
            "--share-bps",
            "500",
            "--derivatives",
        )
    )
    lid = re.search(r"listing #(\d+)", out).group(1)  # type: ignore[union-attr]
    error_line(run(DAVE, "order", lid), r"ExchangeListingNotAdmitted")
    error_line(run(STRANGER, "admit", lid), r"AccessControlUnauthorizedAccount")
    ok(run(OPERATOR, "admit", lid))
    assert "admitted" in ok(run(None, "show", "listing", lid))
    # fixed price: order, deliver, confirm, settle, withdraw
    out = ok(run(DAVE, "order", lid))
    tid = re.search(r"trade #(\d+)", out).group(1)  # type: ignore[union-attr]
    ok(run(BOB, "deliver", tid, "--delivery", "dataset v1 sha256"))
    ok(run(DAVE, "confirm", tid))
    out = ok(run(STRANGER, "settle", tid))
    assert "settled" in out and "licence #" in out and "(fee)" in out
    error_line(run(STRANGER, "settle", tid), r"ExchangeTradeAlreadySettled\(tradeId=" + tid)
    assert "settled" in ok(run(None, "show", "trade", tid))
    out = ok(run(CAROL, "withdraw"))
    assert re.search(r"withdrew [1-9]\d* to 0x", out)
    error_line(run(CAROL, "withdraw"), r"ExchangeNothingToWithdraw")
    # negotiated offer, accepted
    out = ok(run(DAVE, "offer", lid, "0.5ether"))
    oid = re.search(r"offer #(\d+)", out).group(1)  # type: ignore[union-attr]
    assert "open" in ok(run(None, "show", "offer", oid))
    out = ok(run(BOB, "accept", oid))
    t2 = re.search(r"trade #(\d+)", out).group(1)  # type: ignore[union-attr]
    ok(run(DAVE, "cancel", t2))
    assert w.ex().trade(int(t2)).status == TradeStatus.CANCELLED
    # order book: both parties sign, the buyer deposits, the operator matches
    ask, bid = tmp_path / "ask.json", tmp_path / "bid.json"
    ok(run(BOB, "sign-order", lid, "--ask", "--price", "1ether", "--nonce", "1", "-o", str(ask)))
    ok(run(DAVE, "sign-order", lid, "--bid", "--price", "2ether", "--nonce", "1", "-o", str(bid)))
    assert json.loads(bid.read_text())["bid"] is True
    error_line(run(OPERATOR, "match", str(ask), str(bid)), r"ExchangeInsufficientBalance")
    ok(run(DAVE, "deposit", "3ether"))
    out = ok(run(OPERATOR, "match", str(ask), str(bid), "--price", "1.5ether"))
    t3 = re.search(r"trade #(\d+)", out).group(1)  # type: ignore[union-attr]
    assert w.ex().trade(int(t3)).amount == 3 * ETHER // 2
    # dispute and ruling
    ok(run(BOB, "deliver", t3, "--delivery", "0x" + "ab" * 32))
    ok(run(DAVE, "dispute", t3, "--evidence", "wrong columns"))
    error_line(run(DAVE, "confirm", t3), r"ExchangeTradeDisputed")
    error_line(run(DAVE, "resolve", t3, "refund", "--ruling-doc", "r"), r"AccessControlUnauthorizedAccount")
    ok(run(ARBITRATOR, "resolve", t3, "refund", "--ruling-doc", "ruling 2026-1"))
    out = ok(run(DAVE, "balance"))
    assert f"{7 * ETHER // 2} withdrawable" in out  # 0.5 cancelled + 1.5 unmatched deposit + 1.5 refunded
    # suspend, reject, delist
    ok(run(OPERATOR, "suspend", lid, "9"))
    assert "suspended (reason 9)" in ok(run(None, "show", "listing", lid))
    ok(run(BOB, "delist", lid))
    w.resync()
    w.assert_conserved()


def test_cli_input_errors(run) -> None:  # type: ignore[no-untyped-def]
    # a malformed value is a usage error (exit 2) naming the parameter
    error_line(run(DAVE, "offer", "1", "1.5wei"), r"'PRICE': amount must be a positive whole number", 2)
    error_line(run(DAVE, "offer", "1", "lots"), r"'PRICE': not an amount", 2)
    error_line(run(DAVE, "offer", "1", "9" * 5000), r"not an amount", 2)
    error_line(run(DAVE, "deposit", "1", "--currency", "0x12"), r"'--currency': currency is not a 20-byte", 2)
    error_line(run(None, "show", "trade", "77"), r"no trade #77")
    error_line(run(DAVE, "deliver", "1"), r"Missing option '--delivery'", 2)


def test_parse_amount() -> None:
    assert parse_amount("1ether") == ETHER
    assert parse_amount("1.5 gwei") == 1_500_000_000
    assert parse_amount("12_345") == 12_345
    assert parse_amount("1234567890123456789012345678901") == 1234567890123456789012345678901  # exact, not 28 digits
    assert parse_amount(str(2**256 - 1)) == 2**256 - 1
    for bad in ("0", "-1", "0.5", "1e-30ether", "x", "nan", "inf", "1e999999999ether", "1" * 101, str(2**256)):
        with pytest.raises(InputError):
            parse_amount(bad)
