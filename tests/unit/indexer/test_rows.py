"""Typed state rows: enums from numbers, flags as bools, JSON with enum names, holdings as tuples."""

from __future__ import annotations

import json
from typing import Any

from provenance.indexer.rows import Holding, OfferState, Payout, TradeState
from provenance.records.exchange import OfferStatus, TradeOrigin, TradeRuling, TradeStatus

Z = "0x" + "00" * 32
A = "0x" + "11" * 20


def _trade(**over: Any) -> TradeState:
    row: dict[str, Any] = {
        "trade_id": 7,
        "listing_id": 1,
        "asset_id": Z,
        "buyer": A,
        "seller": A,
        "status": 5,
        "currency": "0x" + "00" * 20,
        "price": 10,
        "amount": 10,
        "origin": 1,
        "ref_id": 3,
        "opened_at": 1,
        "settleable_at": 2,
        "delivery_hash": Z,
        "claimant": None,
        "evidence_hash": None,
        "ruling": 2,
        "ruling_hash": None,
        "arbitrator": None,
        "cancelled_by": None,
        "refunded": 0,
        "fee": 1,
        "licence_id": 4,
        "settled_block": 9,
    }
    row.update(over)
    return TradeState(**row, payouts=(Payout(A, Z, 9),))


def test_numbers_become_the_contracts_enums() -> None:
    t = _trade()
    assert t.status is TradeStatus.SETTLED and t.origin is TradeOrigin.OFFER and t.ruling is TradeRuling.SETTLE
    assert int(t.status) == 5
    fields: dict[str, Any] = {
        "offer_id": 1,
        "listing_id": 1,
        "buyer": A,
        "status": 2,
        "currency": A,
        "price": 1,
        "amount": 1,
        "trade_id": None,
        "cancelled_by": None,
    }
    o = OfferState(**fields)
    assert o.status is OfferStatus.ACCEPTED


def test_to_json_names_enums_and_round_trips_through_json() -> None:
    doc = _trade().to_json()
    assert doc["status"] == "settled" and doc["ruling"] == "settle" and doc["origin"] == "offer"
    assert doc["payouts"] == [{"payee": A, "source_asset": Z, "amount": 9}]
    assert json.loads(json.dumps(doc)) == doc


def test_holdings_compare_as_tuples() -> None:
    h = Holding(A, 600_000, 0)
    assert h == (A, 600_000, 0) and h.shares == 600_000
