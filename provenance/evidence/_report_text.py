"""The words of an evidence report, in Chinese (``zh``) and English (``en``).

Every fixed string a report prints comes from here, so the embedded PDF font subset
(:mod:`provenance.evidence._report_fonts`) can be checked to cover them all. Event and
argument names of the contracts are translated; a name missing from a table is printed as
it is (the raw event name is printed beside every translation anyway).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

__all__ = ["ARG_NAMES", "CHECK_NAMES", "ENUMS", "EVENT_NAMES", "LABELS", "LANGUAGES", "all_text", "arg_label",
           "enum_label", "event_label"]

LANGUAGES = ("zh", "en")

LABELS: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "title.asset": "数据资产证据报告",
        "title.trade": "数据交易证据报告",
        "title.party": "参与方证据报告",
        "title.record": "链下记录存证报告",
        "subtitle": "依据链上证据包生成，可离线独立核验",
        "verified": "验证通过：证据包的全部校验均已通过",
        "failed": "验证未通过：以下内容不可作为证据采信",
        "failed.detail": "未通过的校验",
        "section.summary": "概要",
        "section.certificate": "证书",
        "section.parties": "参与方",
        "section.timeline": "事件时间线",
        "section.verification": "验证结果",
        "section.bundle": "证据包",
        "section.records": "链下记录",
        "section.problems": "无法读取的内容",
        "subject": "查询对象",
        "query.kind": "查询类型",
        "kind.asset": "数据资产",
        "kind.trade": "数据交易",
        "kind.party": "参与方",
        "kind.record": "链下记录",
        "lineage": "血缘范围",
        "source": "事件来源",
        "to_block": "查询截止区块",
        "events": "事件数",
        "asset": "资产标识",
        "asset.status": "资产状态",
        "trade": "交易编号",
        "trade.status": "交易状态",
        "certificate.number": "证书编号",
        "certificate.code": "验证码",
        "certificate.asset": "证书对应资产",
        "certificate.time": "发证时间",
        "certificate.registrar": "登记机构",
        "certificate.state": "证书状态",
        "certificate.valid": "有效",
        "certificate.revoked": "已撤销",
        "certificate.valid.until": "有效（截至区块 {block}）",
        "days": "天",
        "certificate.none": "本证据包不含证书颁发事件",
        "certificate.others": "证据包中的其他证书",
        "party.address": "地址",
        "party.roles": "身份",
        "party.events": "相关事件",
        "event.block": "区块",
        "event.time": "时间",
        "event.tx": "交易哈希",
        "event.sender": "交易发送方",
        "event.block_hash": "区块哈希",
        "event.position": "交易序号/日志序号",
        "event.contract": "合约",
        "event.related": "关联资产",
        "check.name": "校验项",
        "check.status": "结果",
        "check.message": "说明",
        "check.field": "字段",
        "status.passed": "通过",
        "status.failed": "未通过",
        "status.skipped": "跳过",
        "bundle.hash": "证据包哈希",
        "bundle.format": "格式",
        "bundle.chain": "链标识",
        "bundle.genesis": "创世区块哈希",
        "bundle.checkpoint": "检查点区块",
        "bundle.exporter": "导出方",
        "bundle.created": "导出时间",
        "bundle.tool": "导出工具",
        "bundle.contracts": "合约",
        "record.hash": "记录哈希",
        "record.content": "记录内容",
        "record.event": "锚定事件",
        "qr.caption": "扫码获取验证码与证据包哈希",
        "how": "核验方法：provenance verify 证据包.json（无需联网）；二维码含验证码与证据包哈希。",
        "page": "第 {page} 页",
        "yes": "是",
        "no": "否",
        "unknown": "未知",
        "none": "无",
        "not.verified.facts": "（未经验证）",
        "sender": "交易发送方",
    },
    "en": {
        "title.asset": "Data Asset Evidence Report",
        "title.trade": "Data Trade Evidence Report",
        "title.party": "Party Evidence Report",
        "title.record": "Anchored Record Evidence Report",
        "subtitle": "Built from an on-chain evidence bundle that anyone can verify offline",
        "verified": "VERIFIED: every check of the evidence bundle passed",
        "failed": "VERIFICATION FAILED: do not rely on the facts below",
        "failed.detail": "Failed check",
        "section.summary": "Summary",
        "section.certificate": "Certificate",
        "section.parties": "Parties",
        "section.timeline": "Timeline",
        "section.verification": "Verification result",
        "section.bundle": "Evidence bundle",
        "section.records": "Off-chain records",
        "section.problems": "Unreadable parts",
        "subject": "Subject",
        "query.kind": "Query",
        "kind.asset": "data asset",
        "kind.trade": "data trade",
        "kind.party": "party",
        "kind.record": "off-chain record",
        "lineage": "Lineage",
        "source": "Events selected from",
        "to_block": "Events up to block",
        "events": "Events",
        "asset": "Asset ID",
        "asset.status": "Asset status",
        "trade": "Trade ID",
        "trade.status": "Trade status",
        "certificate.number": "Certificate number",
        "certificate.code": "Verification code",
        "certificate.asset": "Certified asset",
        "certificate.time": "Certified at",
        "certificate.registrar": "Registrar",
        "certificate.state": "Certificate status",
        "certificate.valid": "valid",
        "certificate.revoked": "revoked",
        "certificate.valid.until": "valid (as of block {block})",
        "days": "days",
        "certificate.none": "This bundle holds no certification event",
        "certificate.others": "Other certificates in the bundle",
        "party.address": "Address",
        "party.roles": "Roles",
        "party.events": "Events",
        "event.block": "Block",
        "event.time": "Time",
        "event.tx": "Tx hash",
        "event.sender": "Sender",
        "event.block_hash": "Block hash",
        "event.position": "Tx index / log index",
        "event.contract": "Contract",
        "event.related": "related asset",
        "check.name": "Check",
        "check.status": "Result",
        "check.message": "Details",
        "check.field": "Field",
        "status.passed": "PASS",
        "status.failed": "FAIL",
        "status.skipped": "skipped",
        "bundle.hash": "Bundle hash",
        "bundle.format": "Format",
        "bundle.chain": "Chain ID",
        "bundle.genesis": "Genesis hash",
        "bundle.checkpoint": "Checkpoint block",
        "bundle.exporter": "Exporter",
        "bundle.created": "Exported at",
        "bundle.tool": "Exported by",
        "bundle.contracts": "Contracts",
        "record.hash": "Record hash",
        "record.content": "Record",
        "record.event": "Anchoring event",
        "qr.caption": "Scan for the verification code and the bundle hash",
        "how": "To check: provenance verify BUNDLE.json (offline); the QR code holds the verification code "
               "and the bundle hash.",
        "page": "Page {page}",
        "yes": "yes",
        "no": "no",
        "unknown": "unknown",
        "none": "none",
        "not.verified.facts": "(not verified)",
        "sender": "sender",
    },
}

EVENT_NAMES: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "AssetApplied": "登记申请", "DerivationRecorded": "衍生登记", "AssetCertified": "颁发证书",
        "ApplicationRejected": "驳回申请", "CertificateRevoked": "撤销证书", "RightTransferred": "权利流转",
        "LicenceGranted": "授权使用", "LicenceRevoked": "撤销授权", "PledgeCreated": "设立质押",
        "PledgeReleased": "解除质押", "PledgeEnforced": "实现质权", "DisputeFiled": "提出异议",
        "DisputeResolved": "异议裁决", "AssetFrozen": "冻结资产", "AssetUnfrozen": "解除冻结",
        "SuccessionRecorded": "权利承继", "RegistryRecognized": "互认登记机构", "NoticePeriodSet": "设置公示期",
        "Listed": "挂牌申请", "ListingAdmitted": "挂牌准入", "ListingRejected": "挂牌驳回",
        "ListingSuspended": "暂停挂牌", "ListingDelisted": "撤销挂牌", "TradeOpened": "交易成立",
        "OfferMade": "提出报价", "OfferCancelled": "撤回报价", "OfferAccepted": "接受报价",
        "OrdersMatched": "订单撮合", "NonceInvalidated": "作废订单", "TradeDelivered": "数据交付",
        "TradeConfirmed": "确认交付", "TradeCancelled": "取消交易", "TradeRefunded": "交易退款",
        "TradeDisputed": "交易争议", "TradeResolved": "争议裁决", "PayoutCredited": "分账入账",
        "TradeSettled": "交易结算", "Deposited": "存入资金", "Withdrawn": "提取资金", "FeeSet": "设置费率",
        "ConfirmationWindowSet": "设置确认期", "BatchAnchored": "批量存证上链",
    },
    "en": {
        "AssetApplied": "Application filed", "DerivationRecorded": "Derivation recorded",
        "AssetCertified": "Certificate issued", "ApplicationRejected": "Application rejected",
        "CertificateRevoked": "Certificate revoked", "RightTransferred": "Right transferred",
        "LicenceGranted": "Licence granted", "LicenceRevoked": "Licence revoked", "PledgeCreated": "Pledge created",
        "PledgeReleased": "Pledge released", "PledgeEnforced": "Pledge enforced", "DisputeFiled": "Dispute filed",
        "DisputeResolved": "Dispute resolved", "AssetFrozen": "Asset frozen", "AssetUnfrozen": "Asset unfrozen",
        "SuccessionRecorded": "Succession recorded", "RegistryRecognized": "Registry recognized",
        "NoticePeriodSet": "Notice period set", "Listed": "Listed", "ListingAdmitted": "Listing admitted",
        "ListingRejected": "Listing rejected", "ListingSuspended": "Listing suspended",
        "ListingDelisted": "Listing withdrawn", "TradeOpened": "Trade opened", "OfferMade": "Offer made",
        "OfferCancelled": "Offer cancelled", "OfferAccepted": "Offer accepted", "OrdersMatched": "Orders matched",
        "NonceInvalidated": "Order cancelled", "TradeDelivered": "Data delivered", "TradeConfirmed": "Delivery confirmed",
        "TradeCancelled": "Trade cancelled", "TradeRefunded": "Trade refunded", "TradeDisputed": "Trade disputed",
        "TradeResolved": "Trade dispute resolved", "PayoutCredited": "Payout credited", "TradeSettled": "Trade settled",
        "Deposited": "Deposited", "Withdrawn": "Withdrawn", "FeeSet": "Fee set",
        "ConfirmationWindowSet": "Confirmation window set", "BatchAnchored": "Batch of records anchored",
    },
}

CHECK_NAMES: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "bundle-format": "证据包格式", "canonical-json": "规范 JSON 编码", "header-chain": "区块头链",
        "trusted-checkpoint": "指定检查点", "checkpoint-canonical": "检查点在链上", "transaction-proof": "交易证明",
        "receipt-proof": "收据证明", "log-in-receipt": "日志在收据中", "event-order": "事件顺序",
        "contract-address": "合约地址与部署", "event-decoding": "事件解码", "query-match": "事件与查询对象一致",
        "record-proof": "记录默克尔证明", "exporter-signature": "导出方签名", "trusted-exporter": "指定导出方",
    },
    "en": {
        "bundle-format": "bundle format", "canonical-json": "canonical JSON", "header-chain": "header chain",
        "trusted-checkpoint": "trusted checkpoint", "checkpoint-canonical": "checkpoint on chain",
        "transaction-proof": "transaction proofs", "receipt-proof": "receipt proofs", "log-in-receipt": "logs in receipts",
        "event-order": "event order", "contract-address": "contract addresses", "event-decoding": "event decoding",
        "query-match": "events match the query", "record-proof": "record Merkle proofs",
        "exporter-signature": "exporter signature", "trusted-exporter": "trusted exporter",
    },
}

ARG_NAMES: Mapping[str, Mapping[str, str]] = {
    "zh": {
        "assetId": "资产标识", "applicant": "申请人", "submitter": "提交人", "metadataHash": "元数据哈希",
        "metadataURI": "元数据地址", "category": "数据类别", "level": "数据级别", "kind": "类型",
        "consentRef": "个人授权凭证", "noticeEndsAt": "公示截止", "parentId": "上游资产", "licenceId": "授权编号",
        "revenueShareBps": "收益分成", "registrar": "登记机构", "code": "验证码", "serial": "证书序号",
        "year": "年度", "certifiedAt": "发证时间", "by": "操作人", "reason": "原因", "right": "权利",
        "from": "转出方", "to": "受让方", "shares": "份额", "operator": "操作人", "licensee": "被授权方",
        "grantor": "授权方", "purposeHash": "用途哈希", "startsAt": "生效时间", "expiresAt": "到期时间",
        "termsHash": "条款哈希", "derivativesAllowed": "允许衍生", "pledgeId": "质押编号", "pledgor": "出质人",
        "pledgee": "质权人", "disputeId": "异议编号", "claimant": "申请方", "evidenceHash": "证据哈希",
        "arbitrator": "裁决人", "ruling": "裁决结果", "rulingHash": "裁决文书哈希", "regulator": "监管方",
        "reasonHash": "原因哈希", "predecessor": "原权利人", "successor": "承继人", "basisHash": "依据哈希",
        "chainId": "链标识", "registry": "登记合约", "recognized": "是否互认", "admin": "管理员",
        "noticePeriod": "公示期", "listingId": "挂牌编号", "seller": "卖方", "terms": "挂牌条款",
        "reasonCode": "原因代码", "tradeId": "交易编号", "buyer": "买方", "currency": "币种", "price": "价格",
        "amount": "金额", "origin": "成交方式", "refId": "关联编号", "offerId": "报价编号", "askNonce": "卖单序号",
        "bidNonce": "买单序号", "trader": "交易方", "nonce": "订单序号", "deliveryHash": "交付哈希",
        "settleableAt": "可结算时间", "payee": "收款方", "sourceAsset": "来源资产", "fee": "手续费",
        "account": "账户", "feeBps": "费率", "feeRecipient": "收费方", "window": "确认期", "batchId": "批次编号",
        "root": "默克尔根", "exchange": "存证方", "recordCount": "记录数", "anchoredAt": "存证时间",
        "contractHash": "合同文本哈希", "licenceDuration": "授权期限", "sender": "交易发送方",
    },
    "en": {
        "assetId": "asset ID", "metadataURI": "metadata URI", "revenueShareBps": "revenue share",
        "feeBps": "fee", "consentRef": "consent reference", "parentId": "parent asset", "sender": "sender",
        "chainId": "chain ID", "refId": "reference ID",
    },
}

# (event, argument) -> enum name; then the enum's values in each language
_ENUM_OF: Mapping[tuple[str, str], str] = {
    ("AssetApplied", "category"): "Category", ("AssetApplied", "level"): "Level", ("AssetApplied", "kind"): "Kind",
    ("RightTransferred", "right"): "Right", ("PledgeCreated", "right"): "Right",
    ("DisputeResolved", "ruling"): "Ruling", ("SuccessionRecorded", "kind"): "SuccessionKind",
    ("TradeOpened", "origin"): "TradeOrigin", ("TradeResolved", "ruling"): "TradeRuling",
}

ENUMS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "zh": {
        "Category": ("公共数据", "企业数据", "个人数据"),
        "Level": ("一般数据", "重要数据", "核心数据"),
        "Kind": ("数据资源", "数据产品"),
        "Right": ("数据资源持有权", "数据加工使用权", "数据产品经营权"),
        "Ruling": ("未裁决", "驳回异议", "权利转移", "撤销证书"),
        "SuccessionKind": ("合并", "分立", "解散", "破产", "死亡"),
        "TradeOrigin": ("一口价成交", "议价成交", "撮合成交"),
        "TradeRuling": ("未裁决", "退款", "结算"),
    },
    "en": {
        "Category": ("public data", "enterprise data", "personal data"),
        "Level": ("general", "important", "core"),
        "Kind": ("data resource", "data product"),
        "Right": ("holding right", "processing and use right", "operation right"),
        "Ruling": ("none", "dismissed", "rights transferred", "certificate revoked"),
        "SuccessionKind": ("merger", "split", "dissolution", "bankruptcy", "death"),
        "TradeOrigin": ("fixed price", "negotiated offer", "order book"),
        "TradeRuling": ("none", "refund", "settle"),
    },
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def event_label(lang: str, event: str) -> str:
    """The event's name in ``lang`` (the raw name when there is no translation)."""
    return EVENT_NAMES[lang].get(event, event)


def arg_label(lang: str, name: str) -> str:
    """An event argument's name in ``lang``: translated, else (en) split camelCase words."""
    found = ARG_NAMES[lang].get(name)
    if found is not None:
        return found
    return _CAMEL.sub(" ", name).lower() if lang == "en" else name


def enum_label(lang: str, event: str, arg: str, value: object) -> str | None:
    """The name of an enum argument's value (with the number), or None if ``arg`` is no enum."""
    enum = _ENUM_OF.get((event, arg))
    if enum is None or not isinstance(value, int) or isinstance(value, bool):
        return None
    names = ENUMS[lang][enum]
    return f"{names[value]} ({value})" if 0 <= value < len(names) else str(value)


def all_text() -> Iterator[str]:
    """Every fixed string of every table (what the PDF font subset must cover)."""
    for tables in (LABELS, EVENT_NAMES, CHECK_NAMES, ARG_NAMES):
        for lang in LANGUAGES:
            yield from tables[lang].values()
    for lang in LANGUAGES:
        for names in ENUMS[lang].values():
            yield from names
