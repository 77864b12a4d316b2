"""Reports of bundles that fail verification, and input that is no bundle: messages, exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from provenance.cli import main
from provenance.errors import InputError
from provenance.evidence.report import build_report, write_report
from provenance.records.registry import format_code
from tests.integration.evidence.report.conftest import Samples, World
from tests.integration.evidence.report.report_support import pdf_text, qr_from_pdf, tampered


@pytest.fixture()
def run(capsys: pytest.CaptureFixture[str]) -> Any:
    """``run(*args)`` -> (exit code, stdout, stderr) of ``provenance report ...``."""

    def call(*args: str) -> tuple[int, str, str]:
        code = main(["report", *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def _flip(doc: dict[str, Any]) -> None:
    data = doc["events"][1]["log"]["data"]
    doc["events"][1]["log"]["data"] = data[:-1] + ("0" if data[-1] != "0" else "1")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tampered_log_says_so(samples: Samples, tmp_path: Path, lang: str) -> None:
    bad = tampered(samples.asset, tmp_path / "bad.json", _flip)
    out = tmp_path / f"bad-{lang}.pdf"
    report = write_report(bad, out, lang=lang)
    assert not report.ok
    text = pdf_text(out.read_bytes())
    if lang == "zh":
        assert "验证未通过" in text and "未通过的校验" in text and "事件时间线 （未经验证）" in text
        assert "日志在收据中 log-in-receipt 未通过" in text
    else:
        assert "VERIFICATION FAILED" in text and "Failed check" in text and "Timeline (not verified)" in text
        assert "log-in-receipt FAIL" in text
    assert "events[1].log.data" in text
    assert "验证通过" not in text and "VERIFIED" not in text
    html = report.html(lang)
    assert 'class="verdict bad"' in html and "events[1].log.data" in html


def test_forged_certificate_code_is_not_verified(samples: Samples, tmp_path: Path) -> None:
    """A timeline that claims another verification code: the report prints it, and says it failed."""
    forged = "0x" + "ab" * 10

    def change(doc: dict[str, Any]) -> None:
        entry = next(e for e in doc["timeline"] if e["event"] == "AssetCertified")
        entry["args"]["code"] = forged

    report = build_report(tampered(samples.asset, tmp_path / "forged.json", change))
    assert not report.ok
    assert report.verification.failure is not None and report.verification.failure.name == "event-decoding"
    text = pdf_text(report.pdf("zh"))
    assert "验证未通过" in text and "事件解码 event-decoding 未通过" in text
    assert qr_from_pdf(report.pdf("en")) == [report.qr_payload]
    assert format_code(bytes.fromhex(forged[2:])) in report.qr_payload


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_malformed_bundle_still_renders(samples: Samples, tmp_path: Path, lang: str) -> None:
    """A broken shape fails bundle-format; the readable parts print, the unreadable ones are named."""

    def change(doc: dict[str, Any]) -> None:
        doc["timeline"][0] = "junk"
        doc["timeline"][2]["blockNumber"] = "eight"
        doc["contracts"] = 5
        doc["checkpoint"] = None

    report = build_report(tampered(samples.asset, tmp_path / "junk.json", change))
    assert not report.ok and report.verification.failure is not None
    assert report.verification.failure.name == "bundle-format"
    assert len(report.facts.events) == 11
    text = pdf_text(report.pdf(lang))
    assert "timeline[0] is malformed" in text and "timeline[2] is malformed" in text
    assert "bundle-format" in text and {"zh": "验证未通过", "en": "VERIFICATION FAILED"}[lang] in text
    document = report.html(lang)
    assert "timeline[0] is malformed" in document and 'class="verdict bad"' in document


def test_cli_writes_the_report_and_exits_by_the_verdict(
    samples: Samples, tmp_path: Path, run: Any, world: World
) -> None:
    out = tmp_path / "report.pdf"
    code, printed, _err = run(str(samples.asset), "-o", str(out), "--lang", "en")
    assert code == 0 and out.read_bytes().startswith(b"%PDF-")
    assert "verified: all checks passed" in printed and "certificate: " in printed
    code, printed, _err = run(
        str(samples.asset), "-o", str(tmp_path / "r.html"), "--exporter", world.signers["exporter"].address
    )
    assert code == 0 and "数据资产证据报告" in (tmp_path / "r.html").read_text(encoding="utf-8")
    # a tampered bundle: the report is written, exit 1, the last line names the check and field
    bad = tampered(samples.asset, tmp_path / "bad.json", _flip)
    code, printed, err = run(str(bad), "-o", str(tmp_path / "bad.html"), "--lang", "zh")
    assert code == 1 and (tmp_path / "bad.html").exists()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: log-in-receipt failed at events[1].log.data: ")
    assert "验证未通过" in (tmp_path / "bad.html").read_text(encoding="utf-8")
    # a pinned exporter that did not sign it
    code, _out, err = run(str(samples.asset), "-o", str(tmp_path / "x.pdf"), "--exporter", "0x" + "11" * 20)
    assert code == 1 and err.startswith("error: trusted-exporter failed")
    assert "trusted-exporter" in pdf_text((tmp_path / "x.pdf").read_bytes())


def test_bad_input(samples: Samples, tmp_path: Path, run: Any) -> None:
    (tmp_path / "text.json").write_text("not json at all")
    (tmp_path / "list.json").write_text("[1, 2]")
    (tmp_path / "other.json").write_text('{"format": "something/else@1", "events": []}')
    cases = [
        ((tmp_path / "missing.json", tmp_path / "r.pdf", "zh"), r"cannot read the bundle .*missing\.json"),
        ((tmp_path / "text.json", tmp_path / "r.pdf", "zh"), "the bundle is not JSON"),
        ((tmp_path / "list.json", tmp_path / "r.pdf", "zh"), r"list\.json is not an evidence bundle"),
        ((tmp_path / "other.json", tmp_path / "r.html", "en"), r"other\.json is not an evidence bundle"),
        ((samples.asset, tmp_path / "r.pdf", "fr"), "unknown report language 'fr': use zh or en"),
        ((samples.asset, tmp_path / "r.docx", "zh"), r"unsupported report file .*r\.docx.*\.html or \.pdf"),
        ((samples.asset, tmp_path / "report", "zh"), "unsupported report file"),
        ((samples.asset, tmp_path / "no-such-dir" / "r.pdf", "zh"), "cannot write the report to"),
    ]
    for (source, output, lang), message in cases:
        with pytest.raises(InputError, match=message):
            write_report(source, output, lang=lang)
        code, printed, err = run(str(source), "-o", str(output), "--lang", lang)
        assert code == 1 and printed == "", (source, output, printed)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "r.html").exists()
    with pytest.raises(InputError, match="not an evidence bundle"):
        build_report(b'{"a": 1}')
    with pytest.raises(InputError, match="unknown report format"):
        build_report(samples.asset).render("docx", "zh")


_NASTY: list[object] = [
    None,
    {"a": [1, {"b": 2}]},
    1.5,
    -3,
    2**200,
    "x" * 20_000,
    "中" * 5000,
    "\x00\x01\x1f",
    "😀 𠀀𪚥 שלום",
    "<font name='Courier'>x</font>&<br/>",
    [[]],
    True,
]


@pytest.mark.parametrize(("value", "lang"), [(v, ("zh", "en")[k % 2]) for k, v in enumerate(_NASTY)])
def test_any_value_renders(samples: Samples, value: Any, lang: str) -> None:
    """Whatever a tampered timeline holds, both formats render (and the report says it failed)."""
    import orjson

    doc = orjson.loads(samples.asset.read_bytes())
    doc["timeline"][0]["args"]["metadataURI"] = value
    doc["timeline"][1]["args"]["code"] = value
    doc["timeline"][2]["args"]["licensee"] = value
    doc["timeline"][3]["timestamp"] = value
    doc["timeline"][4]["event"] = value
    for k in range(30):
        doc["timeline"][5]["args"][f"extra{k}"] = value
    report = build_report(doc)
    assert not report.ok
    assert {"zh": "验证未通过", "en": "VERIFICATION FAILED"}[lang] in pdf_text(report.pdf(lang))
    document = report.html(lang)
    assert 'class="verdict bad"' in document and "<br/>" not in document
