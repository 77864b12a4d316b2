"""Reports of verified bundles: the PDF's and the HTML's text hold the facts, read from the chain.

Expected values come from the node (certificate number and code from the registry's views,
each event's block and time from its transaction and block) and from the words a reader
looks for, written out here rather than taken from the report's own tables.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import orjson
import pytest

from provenance.evidence._report_fonts import BOLD, REGULAR, covered
from provenance.evidence._report_text import all_text
from provenance.evidence.bundle import bundle_hash
from provenance.evidence.report import build_report, write_report
from provenance.evidence.verify import CHECKS
from provenance.registry import Registry
from tests.integration.evidence.report.conftest import REVOCATION, URI_C, Samples, World
from tests.integration.evidence.report.report_support import pdf_text, qr_from_pdf, qr_from_svg

WORDS = {
    "zh": {
        "title": "数据资产证据报告",
        "number": "证书编号",
        "code": "验证码",
        "block": "区块",
        "time": "时间",
        "tx": "交易哈希",
        "result": "验证结果",
        "verified": "验证通过",
        "passed": "通过",
        "parties": "参与方",
    },
    "en": {
        "title": "Data Asset Evidence Report",
        "number": "Certificate number",
        "code": "Verification code",
        "block": "Block",
        "time": "Time",
        "tx": "Tx hash",
        "result": "Verification result",
        "verified": "VERIFIED",
        "passed": "PASS",
        "parties": "Parties",
    },
}
EVENTS = {
    "zh": {
        "AssetApplied": "登记申请",
        "AssetCertified": "颁发证书",
        "LicenceGranted": "授权使用",
        "DerivationRecorded": "衍生登记",
        "RightTransferred": "权利流转",
        "PledgeCreated": "设立质押",
        "PledgeReleased": "解除质押",
        "DisputeFiled": "提出异议",
        "DisputeResolved": "异议裁决",
        "Listed": "挂牌申请",
        "TradeOpened": "交易成立",
        "TradeDelivered": "数据交付",
        "TradeConfirmed": "确认交付",
        "CertificateRevoked": "撤销证书",
        "BatchAnchored": "批量存证上链",
    },
    "en": {
        "AssetApplied": "Application filed",
        "AssetCertified": "Certificate issued",
        "LicenceGranted": "Licence granted",
        "DerivationRecorded": "Derivation recorded",
        "RightTransferred": "Right transferred",
        "PledgeCreated": "Pledge created",
        "PledgeReleased": "Pledge released",
        "DisputeFiled": "Dispute filed",
        "DisputeResolved": "Dispute resolved",
        "Listed": "Listed",
        "TradeOpened": "Trade opened",
        "TradeDelivered": "Data delivered",
        "TradeConfirmed": "Delivery confirmed",
        "CertificateRevoked": "Certificate revoked",
        "BatchAnchored": "Batch of records anchored",
    },
}
ROLES = {
    "zh": {"owner": "申请人", "admin": "登记机构", "licensee": "被授权方", "partner": "受让方", "pledgee": "质权人"},
    "en": {"owner": "applicant", "admin": "registrar", "licensee": "licensee", "partner": "to", "pledgee": "pledgee"},
}
CHECK_ZH = {
    "bundle-format": "证据包格式",
    "header-chain": "区块头链",
    "exporter-signature": "导出方签名",
    "log-in-receipt": "日志在收据中",
    "event-decoding": "事件解码",
}


def _utc(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def chain_events(world: World, bundle: Path) -> list[tuple[str, int, str, str]]:
    """(event, block, time, tx hash) of each timeline entry, block and time asked of the node."""
    out = []
    for entry in orjson.loads(bundle.read_bytes())["timeline"]:
        tx = world.chain.rpc("eth_getTransactionByHash", [entry["txHash"]])
        block = int(tx["blockNumber"], 16)
        stamp = int(world.chain.rpc("eth_getBlockByNumber", [hex(block), False])["timestamp"], 16)
        out.append((entry["event"], block, _utc(stamp), entry["txHash"]))
    return out


def html_text(document: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", document)))


@pytest.fixture(scope="module")
def registry(world: World) -> Registry:
    return Registry.from_deployment(world.deployment, world.chain)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_asset_pdf_holds_the_facts(
    world: World, samples: Samples, registry: Registry, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / f"asset-{lang}.pdf"
    report = write_report(samples.asset, out, lang=lang)
    assert report.ok
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    w = WORDS[lang]
    # (1) labels of the language, the certificate as the registry's views state it
    for key in ("title", "number", "code", "block", "time", "tx", "result", "verified", "parties"):
        assert w[key] in text, (key, w[key])
    certificate = registry.certificate(world.asset)
    assert re.fullmatch(r"[A-Z]+-\d{4}-\d{6}", certificate.number)
    assert f"{w['number']} {certificate.number}" in text
    assert f"{w['code']} {certificate.code}" in text
    # (2) every event: its name in the language, block and time from the node, the tx hash
    events = chain_events(world, samples.asset)
    assert len(events) == 13
    for name, block, when, tx_hash in events:
        assert f"{EVENTS[lang][name]} {name}" in text
        assert f"{w['block']} {block} · {w['time']} {when}" in text, (name, block)
        assert f"{w['tx']} {tx_hash}" in text
    # (3) the parties with their roles
    for who, role in ROLES[lang].items():
        address = world.signers[who].address
        assert address in text
        assert re.search(re.escape(address) + r" [^#]*" + re.escape(role), text), (who, role)
    # (4) the verification result, check by check
    for check in report.verification.checks:
        assert check.name in text
    passed = [c.name for c in report.verification.checks if c.passed]
    assert {
        "bundle-format",
        "canonical-json",
        "header-chain",
        "transaction-proof",
        "receipt-proof",
        "log-in-receipt",
        "event-order",
        "contract-address",
        "event-decoding",
        "query-match",
        "exporter-signature",
    } <= set(passed)
    for name in passed:
        assert f"{name} {w['passed']}" in text
    if lang == "zh":
        for name, label in CHECK_ZH.items():
            assert f"{label} {name}" in text
    # (5) the QR code read back from the PDF's image: the code and the bundle's hash
    digest = bundle_hash(orjson.loads(samples.asset.read_bytes()))
    assert qr_from_pdf(data) == [f"provenance:cert={certificate.code};bundle={digest}"]
    assert digest in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_asset_html_holds_the_facts(
    world: World, samples: Samples, registry: Registry, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / f"asset-{lang}.html"
    report = write_report(samples.asset, out, lang=lang)
    document = out.read_text(encoding="utf-8")
    # (1) one self-contained file: inline CSS and SVG, nothing loaded, no script
    assert document.startswith("<!DOCTYPE html>") and f'lang="{"zh-CN" if lang == "zh" else "en"}"' in document
    for outside in ("<script", "<link", " src=", " href=", "url(", "@import"):
        assert outside not in document, outside
    assert "<style>" in document and "<svg" in document
    text = html_text(document)
    w = WORDS[lang]
    for key in ("title", "number", "code", "block", "time", "tx", "result", "verified", "parties"):
        assert w[key] in text
    certificate = registry.certificate(world.asset)
    assert certificate.number in text and certificate.code in text
    for name, block, when, tx_hash in chain_events(world, samples.asset):
        assert EVENTS[lang][name] in text
        assert f"{w['block']} {block} · {w['time']} {when}" in text
        assert tx_hash in text
    for who in ROLES[lang]:
        assert world.signers[who].address in text
    for check in CHECKS:
        assert check in text
    # (2) the QR code, rasterized from the inline SVG
    digest = bundle_hash(orjson.loads(samples.asset.read_bytes()))
    assert qr_from_svg(document) == [f"provenance:cert={certificate.code};bundle={digest}"] == [report.qr_payload]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_trade_report(world: World, samples: Samples, tmp_path: Path, lang: str) -> None:
    """A trade bundle holds the exchange's events of the trade, not the asset's certificate."""
    report = build_report(samples.trade)
    assert report.ok and report.facts.certificate is None
    text = pdf_text(report.pdf(lang))
    assert {"zh": "数据交易证据报告", "en": "Data Trade Evidence Report"}[lang] in text
    assert {"zh": "本证据包不含证书颁发事件", "en": "This bundle holds no certification event"}[lang] in text
    w = WORDS[lang]
    events = chain_events(world, samples.trade)
    assert [e[0] for e in events] == ["TradeOpened", "TradeDelivered", "TradeConfirmed"]
    for name, block, when, tx_hash in events:
        assert f"{EVENTS[lang][name]} {name}" in text
        assert f"{w['block']} {block} · {w['time']} {when}" in text
        assert f"{w['tx']} {tx_hash}" in text
    buyer, seller = world.signers["buyer"].address, world.signers["owner"].address
    roles = {"zh": ("买方", "卖方"), "en": ("Buyer", "Seller")}[lang]
    assert f"{roles[0]} {buyer}" in text and f"{roles[1]} {seller}" in text
    assert w["verified"] in text
    digest = bundle_hash(orjson.loads(samples.trade.read_bytes()))
    assert qr_from_pdf(report.pdf(lang)) == [f"provenance:bundle={digest}"]
    assert qr_from_svg(report.html(lang)) == [f"provenance:bundle={digest}"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_revoked_certificate_and_free_text(world: World, samples: Samples, registry: Registry, lang: str) -> None:
    """Asset C: certified then revoked with a Chinese reason; its URI and reason hold HTML specials."""
    report = build_report(samples.revoked)
    assert report.ok
    certificate = registry.certificate(samples.revoked_id)
    assert report.facts.certificate is not None and report.facts.certificate.revoked
    assert (report.facts.certificate.number, report.facts.certificate.code) == (certificate.number, certificate.code)
    text = pdf_text(report.pdf(lang))
    assert certificate.number in text and certificate.code in text
    assert {"zh": "已撤销", "en": "revoked"}[lang] in text
    assert REVOCATION in text  # characters outside the embedded subset come back too (fallback font)
    assert URI_C in text
    assert EVENTS[lang]["CertificateRevoked"] in text
    document = report.html(lang)
    assert "<script>" not in document and "<i>" not in document
    assert html.escape(REVOCATION) in document and html.escape(URI_C) in document
    assert REVOCATION in html_text(document)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_party_and_record_reports(world: World, samples: Samples, lang: str) -> None:
    party = build_report(samples.party)
    text = pdf_text(party.pdf(lang))
    assert {"zh": "参与方证据报告", "en": "Party Evidence Report"}[lang] in text
    assert world.signers["owner"].address in text and WORDS[lang]["verified"] in text
    record = build_report(samples.record)
    assert record.ok and len(record.facts.records) == 1
    text = pdf_text(record.pdf(lang))
    assert {"zh": "链下记录存证报告", "en": "Anchored Record Evidence Report"}[lang] in text
    assert EVENTS[lang]["BatchAnchored"] in text
    assert record.facts.records[0].record_hash in text and "T-3" in text
    assert "record-proof" in text and WORDS[lang]["verified"] in text


def test_reports_are_deterministic(samples: Samples) -> None:
    report = build_report(samples.asset)
    assert report.pdf("zh") == build_report(samples.asset).pdf("zh")
    assert report.html("en") == report.html("en")


def test_built_from_parsed_json_or_bytes(samples: Samples) -> None:
    """A dict skips only the canonical-JSON check; bytes verify like the file."""
    raw = samples.asset.read_bytes()
    from_bytes, from_dict = build_report(raw), build_report(orjson.loads(raw))
    assert from_bytes.ok and from_dict.ok
    status = {c.name: c.status for c in from_dict.verification.checks}
    assert status["canonical-json"] == "skipped"
    assert from_bytes.bundle_hash == from_dict.bundle_hash == bundle_hash(orjson.loads(raw))


def test_font_covers_every_label() -> None:
    """The embedded subsets hold every character of the fixed text (else rebuild them: fonts/README.md)."""
    missing = {c for text in all_text() for c in text if not (covered(c, REGULAR) and covered(c, BOLD))}
    assert not missing, f"rebuild provenance/evidence/fonts (see its README): {''.join(sorted(missing))!r}"


def test_pdf_embeds_the_cjk_font(samples: Samples) -> None:
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(build_report(samples.asset).pdf("zh")))
    embedded: set[str] = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]
        fonts: Any = resources["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    embedded.add(str(font["/BaseFont"]))
    assert any("ProvenanceSansSC" in name for name in embedded), embedded
