"""The data exchange client: listing admission, matching, escrowed settlement, disputes.

::

    exchange = Exchange.from_deployment(deployment, chain, Sender(chain, seller))
    filed = exchange.list_asset(ListingTerms(asset_id, contract_hash=h, price=10**18))
    operator_view.admit(filed.listing_id)                      # an OPERATOR_ROLE sender
    opened = buyer_view.order(filed.listing_id)                # escrows the price
    exchange.deliver(opened.trade_id, delivery_hash)
    buyer_view.confirm(opened.trade_id)
    settled = exchange.settle(opened.trade_id)                 # split, licence granted
    exchange.withdraw(NATIVE)

Every write is pre-flighted: a call that would revert raises
:class:`~provenance.errors.ContractRevert` with the custom error's name and arguments (the
registry's errors too, when they bubble up through the exchange) before anything is sent.

For throughput, ``build_*`` methods return :class:`~provenance.chain.Call` objects that
:meth:`Exchange.submit` sends many at a time (one HTTP request per batch, nonces managed
locally), optionally without pre-flight when the caller sets the gas limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_utils.address import to_checksum_address

from provenance._internal.abi import AbiCodec
from provenance._internal.client import ContractClient, TxOutcome
from provenance._internal.enums import parse_enum
from provenance._internal.hexbytes import parse_address
from provenance._internal.ints import describe, is_int, parse_amount, parse_positive, parse_uint
from provenance.chain import Call, Chain, Sender, Signer
from provenance.deployment import Deployment
from provenance.errors import CompileError, InputError
from provenance.records.exchange import (
    EXCHANGE_ROLES,
    NATIVE,
    Delivered,
    Deposit,
    Listing,
    ListingFiled,
    ListingStatus,
    ListingTerms,
    Offer,
    OfferMade,
    OfferStatus,
    Order,
    Payout,
    Refund,
    Resolution,
    Settlement,
    SignedOrder,
    Trade,
    TradeOpened,
    TradeOrigin,
    TradeRuling,
    TradeStatus,
    Withdrawal,
    exchange_role_id,
    order_digest,
)
from provenance.records.registry import ZERO32, to_bytes32

__all__ = [
    "EXCHANGE_ROLES",
    "NATIVE",
    "Delivered",
    "Deposit",
    "Exchange",
    "Listing",
    "ListingFiled",
    "ListingStatus",
    "ListingTerms",
    "Offer",
    "OfferMade",
    "OfferStatus",
    "Order",
    "Payout",
    "Refund",
    "Resolution",
    "Settlement",
    "SignedOrder",
    "Trade",
    "TradeOpened",
    "TradeOrigin",
    "TradeRuling",
    "TradeStatus",
    "Withdrawal",
    "exchange_role_id",
    "order_digest",
]

_U128 = 2**128
_ERC20_ABI: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "approve",
        "stateMutability": "nonpayable",
        "inputs": [{"name": "spender", "type": "address"}, {"name": "amount", "type": "uint256"}],
        "outputs": [{"name": "", "type": "bool"}],
    },
    {
        "type": "function",
        "name": "allowance",
        "stateMutability": "view",
        "inputs": [{"name": "owner", "type": "address"}, {"name": "spender", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    {
        "type": "function",
        "name": "balanceOf",
        "stateMutability": "view",
        "inputs": [{"name": "account", "type": "address"}],
        "outputs": [{"name": "", "type": "uint256"}],
    },
    # ERC-6093 errors, which token pulls and withdrawals bubble up
    *(
        {"type": "error", "name": name, "inputs": [{"name": n, "type": t} for n, t in params]}
        for name, params in (
            ("ERC20InsufficientBalance", (("sender", "address"), ("balance", "uint256"), ("needed", "uint256"))),
            ("ERC20InsufficientAllowance", (("spender", "address"), ("allowance", "uint256"), ("needed", "uint256"))),
            ("ERC20InvalidSender", (("sender", "address"),)),
            ("ERC20InvalidReceiver", (("receiver", "address"),)),
            ("ERC20InvalidApprover", (("approver", "address"),)),
            ("ERC20InvalidSpender", (("spender", "address"),)),
        )
    ),
]


class Exchange(ContractClient):
    """Client of the ``DataExchange`` contract."""

    CONTRACT = "DataExchange"

    def __init__(
        self,
        chain: Chain,
        address: str,
        sender: Sender | None = None,
        *,
        abi: Sequence[dict[str, Any]] | None = None,
        registry_abi: Sequence[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(chain, address, sender, abi=abi)
        self._erc20 = AbiCodec(_ERC20_ABI)
        # Registry errors bubble up through settlement: decode them too.
        if registry_abi is None:
            from provenance.compiler import load_artifact

            try:
                registry_abi = load_artifact("DataRegistry").abi
            except CompileError:
                registry_abi = ()
        self._decoder.add_abi(registry_abi)
        self._decoder.add_abi(_ERC20_ABI)

    @classmethod
    def from_deployment(cls, deployment: Deployment, chain: Chain, sender: Sender | None = None) -> Exchange:
        """The exchange of ``deployment`` on ``chain``; :meth:`Deployment.check` runs first."""
        deployment.check(chain)
        return cls(chain, deployment.contract(cls.CONTRACT).address, sender)

    # ------------------------------------------------------------------ listing and admission
    def list_asset(self, terms: ListingTerms) -> ListingFiled:
        """List an asset (the sender is the seller); it waits for the operator's admission."""
        if not isinstance(terms, ListingTerms):
            raise InputError("list() takes a ListingTerms")
        out = self._tx("list", terms.as_abi())
        return ListingFiled(int(out.first("Listed").args["listingId"]), out)

    def admit(self, listing_id: int) -> TxOutcome:
        """Admit a pending (or re-admit a suspended) listing (operator)."""
        return self._tx("admit", parse_positive(listing_id, "listing id"))

    def reject(self, listing_id: int, reason_code: int) -> TxOutcome:
        """Reject a pending listing with a reason code (operator)."""
        return self._tx("reject", parse_positive(listing_id, "listing id"), _reason_code(reason_code))

    def suspend(self, listing_id: int, reason_code: int) -> TxOutcome:
        """Suspend an admitted listing with a reason code (operator)."""
        return self._tx("suspend", parse_positive(listing_id, "listing id"), _reason_code(reason_code))

    def delist(self, listing_id: int) -> TxOutcome:
        """Withdraw a listing (seller)."""
        return self._tx("delist", parse_positive(listing_id, "listing id"))

    # ------------------------------------------------------------------ matching
    def build_order(self, listing: Listing) -> Call:
        """The transaction of a fixed-price order for ``listing`` (value attached for native coin)."""
        value = listing.terms.price if listing.terms.currency == NATIVE else 0
        return self._call("order", listing.listing_id, value=value)

    def order(self, listing_id: int, *, approve: bool = True) -> TradeOpened:
        """Buy at the listed price. For an ERC-20 listing, ``approve`` first raises the allowance if short."""
        listing = self.listing(parse_positive(listing_id, "listing id"))
        if approve and listing.terms.currency != NATIVE:
            self._ensure_allowance(listing.terms.currency, listing.terms.price)
        return self._opened(self._outcome(self._require_sender().transact(self.build_order(listing))))[0]

    def make_offer(self, listing_id: int, price: int, *, approve: bool = True) -> OfferMade:
        """Offer ``price`` for a listing; the amount is escrowed until accepted or cancelled."""
        parse_amount(price, "offer price")
        listing = self.listing(parse_positive(listing_id, "listing id"))
        native = listing.terms.currency == NATIVE
        if approve and not native:
            self._ensure_allowance(listing.terms.currency, price)
        out = self._tx("offer", listing_id, price, value=price if native else 0)
        ev = out.first("OfferMade").args
        return OfferMade(int(ev["offerId"]), listing_id, int(ev["price"]), int(ev["amount"]), out)

    def accept(self, offer_id: int) -> TradeOpened:
        """Accept an open offer (seller): a trade opens with the offer's escrow."""
        return self._opened(self._tx("accept", parse_positive(offer_id, "offer id")))[0]

    def cancel_offer(self, offer_id: int) -> TxOutcome:
        """Withdraw (buyer) or decline (seller) an open offer; the buyer's escrow is credited back."""
        return self._tx("cancelOffer", parse_positive(offer_id, "offer id"))

    def sign_order(
        self, signer: Signer, listing_id: int, *, bid: bool, price: int, nonce: int, deadline: int
    ) -> SignedOrder:
        """An order signed by ``signer`` with EIP-712 for this exchange and chain."""
        if not isinstance(signer, Signer):
            raise InputError("sign_order needs a Signer")
        order = Order(listing_id, signer.address, bid, price, nonce, deadline)
        v, r, s = signer.sign_hash(order_digest(order, self.chain.chain_id, self.address))
        return SignedOrder(order, r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([27 + v]))

    def sign_match(
        self,
        seller: Signer,
        buyer: Signer,
        listing_id: int,
        *,
        price: int,
        deadline: int,
        ask_nonce: int,
        bid_nonce: int,
        bid_price: int | None = None,
    ) -> tuple[SignedOrder, SignedOrder]:
        """Both sides of a match: the seller's ask at ``price`` and the buyer's bid (default: same price)."""
        ask = self.sign_order(seller, listing_id, bid=False, price=price, nonce=ask_nonce, deadline=deadline)
        bid = self.sign_order(
            buyer,
            listing_id,
            bid=True,
            price=price if bid_price is None else bid_price,
            nonce=bid_nonce,
            deadline=deadline,
        )
        return ask, bid

    def match(self, ask: SignedOrder, bid: SignedOrder, price: int | None = None) -> TradeOpened:
        """Submit a signed ask and bid (operator); the price (default: the ask's) leaves the buyer's deposit."""
        return self._opened(self._tx("matchOrders", _match_abi(ask, bid, price)))[0]

    def build_match_batch(self, matches: Sequence[tuple[SignedOrder, SignedOrder, int | None]]) -> Call:
        if not matches:
            raise InputError("a match batch needs at least one match")
        return self._call("matchBatch", [_match_abi(a, b, p) for a, b, p in matches])

    def match_batch(self, matches: Sequence[tuple[SignedOrder, SignedOrder, int | None]]) -> list[TradeOpened]:
        """Submit many matches in one transaction (all or nothing)."""
        return self._opened(self._outcome(self._require_sender().transact(self.build_match_batch(matches))))

    def invalidate_nonce(self, nonce: int) -> TxOutcome:
        """Cancel a signed, unmatched order of the sender."""
        return self._tx("invalidateNonce", parse_uint(nonce, 256, "nonce"))

    def deposit(self, currency: str, amount: int, *, approve: bool = True) -> Deposit:
        """Fund the sender's exchange balance (order-book matches are paid from it)."""
        cur = parse_address(currency, what="currency")
        parse_amount(amount, "deposit")
        if approve and cur != NATIVE:
            self._ensure_allowance(cur, amount)
        out = self._tx("deposit", cur, amount, value=amount if cur == NATIVE else 0)
        ev = out.first("Deposited").args
        return Deposit(_addr(ev["account"]), cur, int(ev["amount"]), out)

    # ------------------------------------------------------------------ delivery and settlement
    def build_deliver(self, trade_id: int, delivery_hash: bytes | str) -> Call:
        return self._call(
            "deliver", parse_positive(trade_id, "trade id"), _nonzero_hash(delivery_hash, "delivery hash")
        )

    def build_confirm(self, trade_id: int) -> Call:
        return self._call("confirm", parse_positive(trade_id, "trade id"))

    def build_settle(self, trade_id: int) -> Call:
        return self._call("settle", parse_positive(trade_id, "trade id"))

    def build_settle_batch(self, trade_ids: Sequence[int]) -> Call:
        if not trade_ids:
            raise InputError("a settle batch needs at least one trade id")
        return self._call("settleBatch", [parse_positive(t, "trade id") for t in trade_ids])

    def deliver(self, trade_id: int, delivery_hash: bytes | str) -> Delivered:
        """Record delivery (seller); the confirmation window starts."""
        out = self._outcome(self._require_sender().transact(self.build_deliver(trade_id, delivery_hash)))
        ev = out.first("TradeDelivered").args
        return Delivered(trade_id, bytes(ev["deliveryHash"]), int(ev["settleableAt"]), out)

    def confirm(self, trade_id: int) -> TxOutcome:
        """Confirm delivery (buyer)."""
        return self._outcome(self._require_sender().transact(self.build_confirm(trade_id)))

    def settle(self, trade_id: int) -> Settlement:
        """Settle a confirmed (or lapsed) trade: split the escrow, grant the buyer's licence."""
        return self.settlements(self._outcome(self._require_sender().transact(self.build_settle(trade_id))))[0]

    def settle_batch(self, trade_ids: Sequence[int]) -> list[Settlement]:
        """Settle many trades in one transaction (all or nothing)."""
        return self.settlements(self._outcome(self._require_sender().transact(self.build_settle_batch(trade_ids))))

    def cancel(self, trade_id: int) -> Refund:
        """Cancel before delivery (buyer or seller); the escrow is credited back to the buyer."""
        return self._refunds(self._tx("cancel", parse_positive(trade_id, "trade id")))[0]

    def dispute_trade(self, trade_id: int, evidence_hash: bytes | str) -> TxOutcome:
        """File a dispute (buyer or seller): the trade freezes until the arbitrator rules."""
        return self._tx("dispute", parse_positive(trade_id, "trade id"), _nonzero_hash(evidence_hash, "evidence hash"))

    def resolve(self, trade_id: int, ruling: TradeRuling | int | str, ruling_hash: bytes | str) -> Resolution:
        """Rule on a disputed trade (arbitrator): refund or settle."""
        rul = _ruling(ruling)
        if rul == TradeRuling.NONE:
            raise InputError("ruling must be refund or settle")
        out = self._tx(
            "resolve", parse_positive(trade_id, "trade id"), int(rul), _nonzero_hash(ruling_hash, "ruling hash")
        )
        settled = self.settlements(out)
        refunds = self._refunds(out)
        return Resolution(trade_id, rul, settled[0] if settled else None, refunds[0] if refunds else None, out)

    def withdraw(self, currency: str = NATIVE) -> Withdrawal:
        """Withdraw the sender's whole balance of ``currency``."""
        cur = parse_address(currency, what="currency")
        out = self._tx("withdraw", cur)
        ev = out.first("Withdrawn").args
        return Withdrawal(_addr(ev["account"]), cur, int(ev["amount"]), out)

    def send(self, calls: Sequence[Call], *, preflight: bool = True, chunk: int = 500) -> list[str]:
        """Sign and send prepared calls, ``chunk`` per HTTP request, without waiting; returns the hashes.

        Without ``preflight`` each call needs its gas limit set, and a call may depend on calls sent
        before it (by this sender or another) that are not mined yet: the node executes them in the
        order they arrive (see :meth:`collect`).
        """
        sender = self._require_sender()
        if chunk < 1:
            raise InputError("chunk must be at least 1")
        hashes: list[str] = []
        for start in range(0, len(calls), chunk):
            hashes.extend(sender.send_many(calls[start : start + chunk], preflight=preflight))
        return hashes

    def collect(self, hashes: Sequence[str], *, check: bool = True) -> list[TxOutcome]:
        """Wait for the receipts of ``hashes`` (from any sender) and decode our events; with ``check``
        a failed transaction raises its decoded revert."""
        return [self._outcome(r) for r in self._require_sender().wait(hashes, check=check)]

    def submit(self, calls: Sequence[Call], *, preflight: bool = True, chunk: int = 500) -> list[TxOutcome]:
        """:meth:`send` then :meth:`collect`: many calls pipelined, every receipt awaited."""
        return self.collect(self.send(calls, preflight=preflight, chunk=chunk))

    # ------------------------------------------------------------------ administration
    def set_fee(self, fee_bps: int, recipient: str) -> TxOutcome:
        if not is_int(fee_bps) or not 0 <= fee_bps <= 10_000:
            raise InputError(f"fee is in basis points, got {fee_bps!r}")
        return self._tx("setFee", fee_bps, parse_address(recipient, what="fee recipient"))

    def set_confirmation_window(self, seconds: int) -> TxOutcome:
        if not is_int(seconds) or not 0 <= seconds < 2**40:
            raise InputError(f"confirmation window must be 0..2**40-1 seconds, got {seconds!r}")
        return self._tx("setConfirmationWindow", seconds)

    def grant_role(self, role: str, account: str) -> TxOutcome:
        return self._tx("grantRole", exchange_role_id(role), parse_address(account, what="account"))

    def revoke_role(self, role: str, account: str) -> TxOutcome:
        return self._tx("revokeRole", exchange_role_id(role), parse_address(account, what="account"))

    def approve(self, token: str, amount: int) -> TxOutcome:
        """Let the exchange pull ``amount`` of ERC-20 ``token`` from the sender."""
        tok = parse_address(token, what="token")
        if tok == NATIVE:
            raise InputError("the native coin needs no approval")
        receipt = self._require_sender().transact(
            Call(tok, self._erc20.encode("approve", self.address, parse_uint(amount, 256, "amount")))
        )
        return self._outcome(receipt)

    def _ensure_allowance(self, token: str, amount: int) -> None:
        owner = self._require_sender().address
        if self.allowance(token, owner) < amount:
            self.approve(token, amount)

    # ------------------------------------------------------------------ reads
    def has_role(self, role: str, account: str) -> bool:
        return bool(self._view1("hasRole", exchange_role_id(role), parse_address(account, what="account")))

    def registry_address(self) -> str:
        return _addr(self._view1("registry"))

    def fee(self) -> tuple[int, str]:
        """(fee in basis points, fee recipient)."""
        bps, recipient = self._view("fee")
        return int(bps), _addr(recipient)

    def confirmation_window(self) -> int:
        return int(self._view1("confirmationWindow"))

    def counts(self) -> tuple[int, int, int]:
        """(listings, offers, trades) issued so far."""
        a, b, c = self._view("counts")
        return int(a), int(b), int(c)

    def listing(self, listing_id: int) -> Listing:
        t = self._view1("getListing", parse_positive(listing_id, "listing id"))
        status = ListingStatus(t[2])
        if status == ListingStatus.NONE:
            raise InputError(f"no listing #{listing_id} on exchange {self.address}")
        return Listing(listing_id, ListingTerms.from_abi(t[0]), _addr(t[1]), status, int(t[3]))

    def trade(self, trade_id: int) -> Trade:
        t = self._view1("getTrade", parse_positive(trade_id, "trade id"))
        status = TradeStatus(t[3])
        if status == TradeStatus.NONE:
            raise InputError(f"no trade #{trade_id} on exchange {self.address}")
        return Trade(
            trade_id,
            int(t[0]),
            _addr(t[1]),
            _addr(t[2]),
            status,
            int(t[4]),
            int(t[5]),
            int(t[6]),
            bytes(t[7]),
            int(t[8]),
        )

    def offer(self, offer_id: int) -> Offer:
        t = self._view1("getOffer", parse_positive(offer_id, "offer id"))
        status = OfferStatus(t[2])
        if status == OfferStatus.NONE:
            raise InputError(f"no offer #{offer_id} on exchange {self.address}")
        return Offer(offer_id, int(t[0]), _addr(t[1]), status, int(t[3]), int(t[4]))

    def withdrawable(self, account: str, currency: str = NATIVE) -> int:
        return int(
            self._view1(
                "withdrawableOf", parse_address(account, what="account"), parse_address(currency, what="currency")
            )
        )

    def total_escrowed(self, currency: str = NATIVE) -> int:
        return int(self._view1("totalEscrowed", parse_address(currency, what="currency")))

    def total_withdrawable(self, currency: str = NATIVE) -> int:
        return int(self._view1("totalWithdrawable", parse_address(currency, what="currency")))

    def holdings(self, currency: str = NATIVE) -> int:
        """What the contract holds of ``currency`` (native balance or token balance)."""
        cur = parse_address(currency, what="currency")
        return self.chain.balance(self.address) if cur == NATIVE else self.token_balance(cur, self.address)

    def is_nonce_used(self, trader: str, nonce: int) -> bool:
        return bool(self._view1("isNonceUsed", parse_address(trader, what="trader"), parse_uint(nonce, 256, "nonce")))

    def contract_order_digest(self, order: Order) -> bytes:
        """The digest as the contract computes it (to cross-check :func:`order_digest`)."""
        return bytes(self._view1("orderDigest", order.as_abi()))

    def allowance(self, token: str, owner: str) -> int:
        data = self._erc20.encode("allowance", parse_address(owner, what="owner"), self.address)
        return int(self._erc20.decode_output("allowance", self.chain.call(parse_address(token, what="token"), data))[0])

    def token_balance(self, token: str, account: str) -> int:
        data = self._erc20.encode("balanceOf", parse_address(account, what="account"))
        return int(self._erc20.decode_output("balanceOf", self.chain.call(parse_address(token, what="token"), data))[0])

    # ------------------------------------------------------------------ decoding results
    def opened(self, out: TxOutcome) -> list[TradeOpened]:
        """The trades opened in a transaction."""
        return self._opened(out)

    def settlements(self, out: TxOutcome) -> list[Settlement]:
        """The settlements in a transaction, each with its payouts."""
        payouts: dict[int, list[Payout]] = {}
        result: list[Settlement] = []
        for ev in out.events:
            a = ev.args
            if ev.name == "PayoutCredited":
                payouts.setdefault(int(a["tradeId"]), []).append(
                    Payout(_addr(a["payee"]), bytes(a["sourceAsset"]), _addr(a["currency"]), int(a["amount"]))
                )
            elif ev.name == "TradeSettled":
                tid = int(a["tradeId"])
                result.append(
                    Settlement(
                        tid, int(a["amount"]), int(a["fee"]), int(a["licenceId"]), tuple(payouts.pop(tid, [])), out
                    )
                )
        return result

    def _opened(self, out: TxOutcome) -> list[TradeOpened]:
        return [
            TradeOpened(
                int(a["tradeId"]),
                int(a["listingId"]),
                _addr(a["buyer"]),
                _addr(a["seller"]),
                _addr(a["currency"]),
                int(a["price"]),
                int(a["amount"]),
                TradeOrigin(a["origin"]),
                out,
            )
            for a in (e.args for e in out.all("TradeOpened"))
        ]

    def _refunds(self, out: TxOutcome) -> list[Refund]:
        return [
            Refund(int(a["tradeId"]), _addr(a["buyer"]), _addr(a["currency"]), int(a["amount"]), out)
            for a in (e.args for e in out.all("TradeRefunded"))
        ]


# ---------------------------------------------------------------------------- validation


def _addr(value: Any) -> str:
    return str(to_checksum_address(str(value)))


def _reason_code(value: Any) -> int:
    if not is_int(value) or not 0 < value < 2**16:
        raise InputError(f"reason code must be 1..65535, got {describe(value)}")
    return int(value)


def _nonzero_hash(value: bytes | str, what: str) -> bytes:
    raw = to_bytes32(value, what)
    if raw == ZERO32:
        raise InputError(f"{what} must not be zero")
    return raw


def _ruling(value: Any) -> TradeRuling:
    ruling = parse_enum(TradeRuling, value, "ruling")
    if ruling is TradeRuling.NONE:
        raise InputError(f"ruling must be refund or settle, got {describe(value)}")
    return ruling


def _match_abi(ask: SignedOrder, bid: SignedOrder, price: int | None) -> tuple[Any, ...]:
    if not isinstance(ask, SignedOrder) or not isinstance(bid, SignedOrder):
        raise InputError("a match takes two SignedOrder values")
    if ask.order.bid or not bid.order.bid:
        raise InputError("a match takes the seller's ask (bid=False) and a buyer's bid (bid=True)")
    if ask.order.listing_id != bid.order.listing_id:
        raise InputError(f"ask is for listing #{ask.order.listing_id}, bid for #{bid.order.listing_id}")
    px = ask.order.price if price is None else parse_amount(price, "match price")
    if not ask.order.price <= px <= bid.order.price:
        raise InputError(f"match price {px} is outside [ask {ask.order.price}, bid {bid.order.price}]")
    return (ask.order.as_abi(), ask.signature, bid.order.as_abi(), bid.signature, px)
