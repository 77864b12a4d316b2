"""The state tables of the projections, as the migrations create them.

Each projection (:mod:`provenance.indexer.projections`) keeps its contract's state in these
versioned tables (see :mod:`provenance.indexer.store.schema` for ``block_from``/``block_to``).
They live beside the migrations rather than in the projections so that the store can create
them without importing a projection. A change to a released table is a new migration.
"""

from __future__ import annotations

from provenance.indexer.store.spec import Column, TableSpec

__all__ = ["EXCHANGE_TABLES", "REGISTRY_TABLES"]


def _c(name: str, kind: str) -> Column:
    return Column(name, kind)


# -- DataRegistry

ASSETS = TableSpec(
    "assets",
    (_c("asset_id", "bytes"),),
    (
        _c("applicant", "bytes"),
        _c("submitter", "bytes"),
        _c("category", "int"),
        _c("level", "int"),
        _c("kind", "int"),
        _c("status", "int"),
        _c("notice_ends_at", "int"),
        _c("metadata_hash", "bytes"),
        _c("metadata_uri", "text"),
        _c("consent_ref", "bytes"),
        _c("serial", "int"),
        _c("certified_at", "int"),
        _c("cert_year", "int"),
        _c("code", "bytes"),
        _c("registrar", "bytes"),
        _c("open_disputes", "int"),
        _c("regulator_frozen", "bool"),
        _c("active_pledges", "int"),
        _c("epoch", "int"),
        _c("parent_count", "int"),
    ),
    indexes=(("applicant",), ("code",)),
)
RIGHTS = TableSpec(
    "rights",
    (_c("asset_id", "bytes"), _c("right_kind", "int"), _c("holder", "bytes")),
    (_c("shares", "int"), _c("pledged", "int"), _c("position", "int")),
    indexes=(("holder",),),
)
BOOKS = TableSpec("right_books", (_c("asset_id", "bytes"), _c("right_kind", "int")), (_c("holder_count", "int"),))
LICENCES = TableSpec(
    "licences",
    (_c("licence_id", "bytes"),),
    (
        _c("asset_id", "bytes"),
        _c("licensee", "bytes"),
        _c("grantor", "bytes"),
        _c("purpose_hash", "bytes"),
        _c("starts_at", "int"),
        _c("expires_at", "int"),
        _c("terms_hash", "bytes"),
        _c("revenue_share_bps", "int"),
        _c("derivatives_allowed", "bool"),
        _c("revoked", "bool"),
        _c("epoch", "int"),
    ),
    indexes=(("asset_id",), ("licensee",)),
)
LINEAGE = TableSpec(
    "lineage",
    (_c("asset_id", "bytes"), _c("parent_id", "bytes")),
    (_c("licence_id", "bytes"), _c("revenue_share_bps", "int"), _c("position", "int")),
    indexes=(("parent_id",),),
)
CHILDREN = TableSpec(
    "children",
    (_c("parent_id", "bytes"), _c("child_id", "bytes")),
    (_c("first_block", "int"), _c("first_log", "int")),
)
PLEDGES = TableSpec(
    "pledges",
    (_c("pledge_id", "bytes"),),
    (
        _c("asset_id", "bytes"),
        _c("right_kind", "int"),
        _c("pledgor", "bytes"),
        _c("pledgee", "bytes"),
        _c("shares", "int"),
        _c("terms_hash", "bytes"),
        _c("active", "bool"),
        _c("enforced", "bool"),
        _c("epoch", "int"),
    ),
    indexes=(("asset_id",), ("pledgee",)),
)
DISPUTES = TableSpec(
    "disputes",
    (_c("dispute_id", "bytes"),),
    (
        _c("asset_id", "bytes"),
        _c("claimant", "bytes"),
        _c("evidence_hash", "bytes"),
        _c("ruling", "int"),
        _c("ruling_hash", "bytes"),
        _c("arbitrator", "bytes"),
    ),
    indexes=(("asset_id",),),
)
SUCCESSIONS = TableSpec(
    "successions",
    (_c("predecessor", "bytes"),),
    (
        _c("successor", "bytes"),
        _c("kind", "int"),
        _c("basis_hash", "bytes"),
        _c("registrar", "bytes"),
        _c("seq_block", "int"),
        _c("seq_log", "int"),
    ),
    indexes=(("successor",),),
)
RECOGNIZED = TableSpec(
    "recognized_registries", (_c("chain_id", "bytes"), _c("registry", "bytes")), (_c("recognized", "bool"),)
)
REGISTRY_PARAMS = TableSpec("registry_params", (_c("name", "text"),), (_c("value", "int"),))

REGISTRY_TABLES: tuple[TableSpec, ...] = (
    ASSETS,
    RIGHTS,
    BOOKS,
    LICENCES,
    LINEAGE,
    CHILDREN,
    PLEDGES,
    DISPUTES,
    SUCCESSIONS,
    RECOGNIZED,
    REGISTRY_PARAMS,
)
"""DataRegistry's state tables (migration 2)."""

# -- DataExchange

LISTINGS = TableSpec(
    "listings",
    (_c("listing_id", "bytes"),),
    (
        _c("asset_id", "bytes"),
        _c("seller", "bytes"),
        _c("status", "int"),
        _c("reason_code", "int"),
        _c("contract_hash", "bytes"),
        _c("price", "bytes"),
        _c("currency", "bytes"),
        _c("purpose_hash", "bytes"),
        _c("licence_duration", "int"),
        _c("revenue_share_bps", "int"),
        _c("derivatives_allowed", "bool"),
        _c("listed_block", "int"),
    ),
    indexes=(("asset_id",), ("seller",)),
)
TRADES = TableSpec(
    "trades",
    (_c("trade_id", "bytes"),),
    (
        _c("listing_id", "bytes"),
        _c("asset_id", "bytes"),
        _c("buyer", "bytes"),
        _c("seller", "bytes"),
        _c("status", "int"),
        _c("currency", "bytes"),
        _c("price", "bytes"),
        _c("amount", "bytes"),
        _c("origin", "int"),
        _c("ref_id", "bytes"),
        _c("opened_at", "int"),
        _c("settleable_at", "int"),
        _c("delivery_hash", "bytes"),
        _c("claimant", "bytes"),
        _c("evidence_hash", "bytes"),
        _c("ruling", "int"),
        _c("ruling_hash", "bytes"),
        _c("arbitrator", "bytes"),
        _c("cancelled_by", "bytes"),
        _c("refunded", "bytes"),
        _c("fee", "bytes"),
        _c("licence_id", "bytes"),
        _c("settled_block", "int"),
    ),
    indexes=(("listing_id",), ("buyer",), ("seller",)),
)
PAYOUTS = TableSpec(
    "trade_payouts",
    (_c("trade_id", "bytes"), _c("payee", "bytes"), _c("source_asset", "bytes")),
    (_c("currency", "bytes"), _c("amount", "bytes")),
    indexes=(("payee",),),
)
OFFERS = TableSpec(
    "offers",
    (_c("offer_id", "bytes"),),
    (
        _c("listing_id", "bytes"),
        _c("buyer", "bytes"),
        _c("status", "int"),
        _c("currency", "bytes"),
        _c("price", "bytes"),
        _c("amount", "bytes"),
        _c("trade_id", "bytes"),
        _c("cancelled_by", "bytes"),
    ),
    indexes=(("listing_id",), ("buyer",)),
)
BALANCES = TableSpec("exchange_balances", (_c("account", "bytes"), _c("currency", "bytes")), (_c("balance", "bytes"),))
TOTALS = TableSpec(
    "exchange_totals", (_c("currency", "bytes"),), (_c("escrowed", "bytes"), _c("withdrawable", "bytes"))
)
NONCES = TableSpec("used_nonces", (_c("trader", "bytes"), _c("nonce", "bytes")), (_c("how", "text"),))
EXCHANGE_PARAMS = TableSpec("exchange_params", (_c("name", "text"),), (_c("value", "int"), _c("address", "bytes")))

EXCHANGE_TABLES: tuple[TableSpec, ...] = (LISTINGS, TRADES, PAYOUTS, OFFERS, BALANCES, TOTALS, NONCES, EXCHANGE_PARAMS)
"""DataExchange's state tables (migration 3)."""
