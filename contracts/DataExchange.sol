// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IDataExchange} from "./IDataExchange.sol";
import {IDataRegistry} from "./IDataRegistry.sol";

/**
 * @title DataExchange
 * @notice Implementation of {IDataExchange}: listing admission, fixed-price orders, negotiated
 * offers, off-chain order-book matches, escrowed settlement with revenue split, disputes.
 *
 * Roles: DEFAULT_ADMIN_ROLE sets the fee and the confirmation window and grants the other roles;
 * OPERATOR_ROLE admits, rejects and suspends listings and submits order-book matches;
 * ARBITRATOR_ROLE rules on disputed trades. The exchange itself needs the registry's
 * EXCHANGE_ROLE to grant buyers their licences at settlement.
 *
 * @dev Accounting: `_totals[currency]` keeps the escrowed and the withdrawable totals in one slot;
 * every function moves money between "outside", escrow and balances so that the contract's
 * holding of a currency always equals `escrowed + withdrawable`. Native coin only enters through
 * {order}, {offer} and {deposit} (there is no `receive`).
 *
 * Split rounding: each share is rounded down; the remainder of a distribution over holders goes
 * to the first holder key returned by the registry's `holdersOf` (the applicant, while it holds any
 * share), resolved to its successor.
 *
 * Parties: the seller (or the buyer) acts directly, or through its successor in the registry
 * (`resolveParty`). Payouts go to the resolved party of each holder key.
 */
contract DataExchange is IDataExchange, AccessControl, ReentrancyGuardTransient, EIP712 {
    using SafeERC20 for IERC20;

    // ------------------------------------------------------------------ constants

    /// @notice Role that admits, rejects and suspends listings and submits order-book matches.
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    /// @notice Role that rules on disputed trades.
    bytes32 public constant ARBITRATOR_ROLE = keccak256("ARBITRATOR_ROLE");
    /// @inheritdoc IDataExchange
    uint16 public constant MAX_FEE_BPS = 1_000;
    /// @notice Longest licence term a listing may grant (100 years).
    uint40 public constant MAX_LICENCE_DURATION = 100 * 365 days;
    /// @notice EIP-712 type of an order-book order.
    bytes32 public constant ORDER_TYPEHASH =
        keccak256("Order(uint256 listingId,address trader,bool bid,uint256 price,uint256 nonce,uint256 deadline)");

    uint256 private constant _MAX_BPS = 10_000;

    // ------------------------------------------------------------------ storage types

    /// @dev Six slots, written once at listing (status and reason code change later).
    struct ListingRecord {
        address seller;
        ListingStatus status;
        uint16 reasonCode;
        uint16 revenueShareBps;
        bool derivativesAllowed;
        uint40 licenceDuration;
        address currency;
        uint128 price;
        bytes32 assetId;
        bytes32 contractHash;
        bytes32 purposeHash;
    }

    /// @dev Three slots: two at opening, the third (delivery hash) at delivery.
    struct TradeRecord {
        address buyer;
        TradeStatus status;
        uint40 openedAt;
        uint40 settleableAt;
        uint64 listingId;
        uint128 amount;
        uint64 licenceId;
        bytes32 deliveryHash;
    }

    /// @dev Two slots.
    struct OfferRecord {
        address buyer;
        OfferStatus status;
        uint64 listingId;
        uint128 price;
        uint128 amount;
    }

    /// @dev Per currency, one slot.
    struct Totals {
        uint128 escrowed;
        uint128 withdrawable;
    }

    /// @dev One slot.
    struct Config {
        uint16 feeBps;
        address feeRecipient;
        uint40 confirmationWindow;
    }

    /// @dev One slot.
    struct Counters {
        uint64 listings;
        uint64 offers;
        uint64 trades;
    }

    // ------------------------------------------------------------------ storage

    IDataRegistry private immutable _registry;

    Config private _config;
    Counters private _counters;
    mapping(uint256 listingId => ListingRecord) private _listings;
    mapping(uint256 tradeId => TradeRecord) private _trades;
    mapping(uint256 offerId => OfferRecord) private _offers;
    mapping(address currency => Totals) private _totals;
    mapping(address account => mapping(address currency => uint256 amount)) private _balances;
    mapping(address trader => mapping(uint256 nonce => bool used)) private _usedNonces;

    // ------------------------------------------------------------------ construction

    /**
     * @param admin Receives DEFAULT_ADMIN_ROLE (and grants the other roles).
     * @param registry_ The rights registry; it must grant this contract EXCHANGE_ROLE.
     * @param feeBps Exchange fee in basis points (at most MAX_FEE_BPS).
     * @param feeRecipient Account credited with the fee.
     * @param window Confirmation window after delivery, in seconds.
     */
    constructor(address admin, IDataRegistry registry_, uint16 feeBps, address feeRecipient, uint40 window)
        EIP712("DataExchange", "1")
    {
        if (admin == address(0)) revert ExchangeZeroAddress("admin");
        if (address(registry_) == address(0)) revert ExchangeZeroAddress("registry");
        _registry = registry_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setFee(feeBps, feeRecipient, admin);
        _config.confirmationWindow = window;
        emit ConfirmationWindowSet(window, admin);
    }

    // ------------------------------------------------------------------ listing and admission

    /// @inheritdoc IDataExchange
    function list(ListingTerms calldata terms) external returns (uint256 listingId) {
        // (1): the terms are well formed
        if (terms.contractHash == bytes32(0)) revert ExchangeZeroHash("contractHash");
        if (terms.price == 0 || terms.price > type(uint128).max) revert ExchangeInvalidPrice(terms.price);
        if (terms.currency != address(0) && terms.currency.code.length == 0) {
            revert ExchangeInvalidCurrency(terms.currency);
        }
        if (
            terms.licenceDuration == 0 || terms.licenceDuration > MAX_LICENCE_DURATION
                || terms.revenueShareBps > _MAX_BPS
        ) revert ExchangeInvalidLicenceTerms(terms.licenceDuration, terms.revenueShareBps);
        // (2): the asset may be traded at all
        bytes32 assetId = terms.assetId;
        IDataRegistry.Kind kind = _requireTradableAsset(assetId);
        // (3): the caller may sell it: operation right, licensing right, not succeeded
        address successor = _registry.resolveParty(msg.sender);
        if (successor != msg.sender) revert ExchangeSucceededParty(msg.sender, successor);
        if (_registry.effectiveSharesOf(assetId, IDataRegistry.Right.Operation, msg.sender) == 0) {
            revert ExchangeNotOperationHolder(assetId, msg.sender);
        }
        if (
            kind == IDataRegistry.Kind.Resource
                && _registry.effectiveSharesOf(assetId, IDataRegistry.Right.Processing, msg.sender) == 0
        ) revert ExchangeNotLicensingHolder(assetId, msg.sender, IDataRegistry.Right.Processing);
        // (4): record it, pending admission
        listingId = ++_counters.listings;
        ListingRecord storage l = _listings[listingId];
        l.seller = msg.sender;
        l.status = ListingStatus.Pending;
        l.revenueShareBps = terms.revenueShareBps;
        l.derivativesAllowed = terms.derivativesAllowed;
        l.licenceDuration = terms.licenceDuration;
        l.currency = terms.currency;
        l.price = uint128(terms.price);
        l.assetId = assetId;
        l.contractHash = terms.contractHash;
        l.purposeHash = terms.purposeHash;
        emit Listed(listingId, assetId, msg.sender, terms);
    }

    /// @inheritdoc IDataExchange
    function admit(uint256 listingId) external onlyRole(OPERATOR_ROLE) {
        ListingRecord storage l = _listing(listingId);
        ListingStatus status = l.status;
        if (status != ListingStatus.Pending && status != ListingStatus.Suspended) {
            revert ExchangeWrongListingStatus(listingId, status);
        }
        _requireTradableAsset(l.assetId);
        l.status = ListingStatus.Admitted;
        l.reasonCode = 0;
        emit ListingAdmitted(listingId, msg.sender);
    }

    /// @inheritdoc IDataExchange
    function reject(uint256 listingId, uint16 reasonCode) external onlyRole(OPERATOR_ROLE) {
        ListingRecord storage l = _listing(listingId);
        if (l.status != ListingStatus.Pending) revert ExchangeWrongListingStatus(listingId, l.status);
        if (reasonCode == 0) revert ExchangeZeroReasonCode();
        l.status = ListingStatus.Rejected;
        l.reasonCode = reasonCode;
        emit ListingRejected(listingId, msg.sender, reasonCode);
    }

    /// @inheritdoc IDataExchange
    function suspend(uint256 listingId, uint16 reasonCode) external onlyRole(OPERATOR_ROLE) {
        ListingRecord storage l = _listing(listingId);
        if (l.status != ListingStatus.Admitted) revert ExchangeWrongListingStatus(listingId, l.status);
        if (reasonCode == 0) revert ExchangeZeroReasonCode();
        l.status = ListingStatus.Suspended;
        l.reasonCode = reasonCode;
        emit ListingSuspended(listingId, msg.sender, reasonCode);
    }

    /// @inheritdoc IDataExchange
    function delist(uint256 listingId) external {
        ListingRecord storage l = _listing(listingId);
        ListingStatus status = l.status;
        if (status == ListingStatus.Rejected || status == ListingStatus.Delisted) {
            revert ExchangeWrongListingStatus(listingId, status);
        }
        _requireParty(l.seller);
        l.status = ListingStatus.Delisted;
        emit ListingDelisted(listingId, l.seller);
    }

    // ------------------------------------------------------------------ matching

    /// @inheritdoc IDataExchange
    function order(uint256 listingId) external payable nonReentrant returns (uint256 tradeId) {
        ListingRecord storage l = _tradableListing(listingId);
        address seller = l.seller;
        if (msg.sender == seller) revert ExchangeSelfTrade(listingId, msg.sender);
        address currency = l.currency;
        uint256 price = l.price;
        uint256 amount = _collect(currency, price);
        _totals[currency].escrowed += _u128(amount);
        tradeId = _openTrade(listingId, msg.sender, amount);
        emit TradeOpened(tradeId, listingId, msg.sender, seller, currency, price, amount, TradeOrigin.FixedPrice, 0);
    }

    /// @inheritdoc IDataExchange
    function offer(uint256 listingId, uint256 price) external payable nonReentrant returns (uint256 offerId) {
        ListingRecord storage l = _tradableListing(listingId);
        if (msg.sender == l.seller) revert ExchangeSelfTrade(listingId, msg.sender);
        if (price == 0 || price > type(uint128).max) revert ExchangeInvalidPrice(price);
        address currency = l.currency;
        uint256 amount = _collect(currency, price);
        _totals[currency].escrowed += _u128(amount);
        offerId = ++_counters.offers;
        _offers[offerId] = OfferRecord({
            buyer: msg.sender,
            status: OfferStatus.Open,
            listingId: uint64(listingId),
            price: uint128(price),
            amount: uint128(amount)
        });
        emit OfferMade(offerId, listingId, msg.sender, currency, price, amount);
    }

    /// @inheritdoc IDataExchange
    function accept(uint256 offerId) external nonReentrant returns (uint256 tradeId) {
        OfferRecord storage o = _openOffer(offerId);
        uint256 listingId = o.listingId;
        ListingRecord storage l = _tradableListing(listingId);
        address seller = l.seller;
        _requireParty(seller);
        o.status = OfferStatus.Accepted;
        // the offer's escrow becomes the trade's escrow: the totals do not move
        tradeId = _openTrade(listingId, o.buyer, o.amount);
        emit OfferAccepted(offerId, tradeId, msg.sender);
        _emitOpened(tradeId, o, seller, l.currency, offerId);
    }

    /// @inheritdoc IDataExchange
    function cancelOffer(uint256 offerId) external nonReentrant {
        OfferRecord storage o = _openOffer(offerId);
        address buyer = o.buyer;
        ListingRecord storage l = _listings[o.listingId];
        _requireEitherParty(buyer, l.seller);
        o.status = OfferStatus.Cancelled;
        uint256 amount = o.amount;
        _refund(buyer, l.currency, amount);
        emit OfferCancelled(offerId, msg.sender, buyer, amount);
    }

    /// @inheritdoc IDataExchange
    function matchOrders(Match calldata m) external onlyRole(OPERATOR_ROLE) nonReentrant returns (uint256 tradeId) {
        return _match(m);
    }

    /// @inheritdoc IDataExchange
    function matchBatch(Match[] calldata matches)
        external
        onlyRole(OPERATOR_ROLE)
        nonReentrant
        returns (uint256 firstTradeId)
    {
        uint256 n = matches.length;
        if (n == 0) revert ExchangeEmptyBatch();
        firstTradeId = _match(matches[0]);
        for (uint256 i = 1; i < n; ++i) {
            _match(matches[i]);
        }
    }

    /// @inheritdoc IDataExchange
    function invalidateNonce(uint256 nonce) external {
        if (_usedNonces[msg.sender][nonce]) revert ExchangeNonceUsed(msg.sender, nonce);
        _usedNonces[msg.sender][nonce] = true;
        emit NonceInvalidated(msg.sender, nonce);
    }

    /// @inheritdoc IDataExchange
    function deposit(address currency, uint256 amount) external payable nonReentrant {
        if (amount == 0) revert ExchangeInvalidPrice(0);
        if (currency != address(0) && currency.code.length == 0) revert ExchangeInvalidCurrency(currency);
        uint256 received = _collect(currency, amount);
        _balances[msg.sender][currency] += received;
        _totals[currency].withdrawable += _u128(received);
        emit Deposited(msg.sender, currency, received);
    }

    // ------------------------------------------------------------------ delivery and settlement

    /// @inheritdoc IDataExchange
    function deliver(uint256 tradeId, bytes32 deliveryHash) external {
        TradeRecord storage t = _trade(tradeId);
        if (t.status != TradeStatus.Escrowed) _revertStatus(tradeId, t.status);
        if (deliveryHash == bytes32(0)) revert ExchangeZeroHash("deliveryHash");
        address seller = _listings[t.listingId].seller;
        _requireParty(seller);
        uint40 settleableAt = uint40(block.timestamp) + _config.confirmationWindow;
        t.status = TradeStatus.Delivered;
        t.settleableAt = settleableAt;
        t.deliveryHash = deliveryHash;
        emit TradeDelivered(tradeId, seller, t.buyer, deliveryHash, settleableAt);
    }

    /// @inheritdoc IDataExchange
    function confirm(uint256 tradeId) external {
        TradeRecord storage t = _trade(tradeId);
        if (t.status != TradeStatus.Delivered) _revertStatus(tradeId, t.status);
        address buyer = t.buyer;
        _requireParty(buyer);
        t.status = TradeStatus.Confirmed;
        emit TradeConfirmed(tradeId, buyer, _listings[t.listingId].seller);
    }

    /// @inheritdoc IDataExchange
    function settle(uint256 tradeId) external nonReentrant {
        _settleOne(tradeId);
    }

    /// @inheritdoc IDataExchange
    function settleBatch(uint256[] calldata tradeIds) external nonReentrant {
        uint256 n = tradeIds.length;
        if (n == 0) revert ExchangeEmptyBatch();
        for (uint256 i; i < n; ++i) {
            _settleOne(tradeIds[i]);
        }
    }

    /// @inheritdoc IDataExchange
    function cancel(uint256 tradeId) external nonReentrant {
        TradeRecord storage t = _trade(tradeId);
        if (t.status != TradeStatus.Escrowed) _revertStatus(tradeId, t.status);
        address buyer = t.buyer;
        ListingRecord storage l = _listings[t.listingId];
        address seller = l.seller;
        _requireEitherParty(buyer, seller);
        t.status = TradeStatus.Cancelled;
        emit TradeCancelled(tradeId, msg.sender, buyer, seller);
        _refundTrade(tradeId, t, l.currency);
    }

    /// @inheritdoc IDataExchange
    function dispute(uint256 tradeId, bytes32 evidenceHash) external {
        TradeRecord storage t = _trade(tradeId);
        TradeStatus status = t.status;
        if (status != TradeStatus.Escrowed && status != TradeStatus.Delivered && status != TradeStatus.Confirmed) {
            _revertStatus(tradeId, status);
        }
        if (evidenceHash == bytes32(0)) revert ExchangeZeroHash("evidenceHash");
        address buyer = t.buyer;
        address seller = _listings[t.listingId].seller;
        _requireEitherParty(buyer, seller);
        t.status = TradeStatus.Disputed;
        emit TradeDisputed(tradeId, msg.sender, buyer, seller, t.amount, evidenceHash);
    }

    /// @inheritdoc IDataExchange
    function resolve(uint256 tradeId, TradeRuling ruling, bytes32 rulingHash)
        external
        onlyRole(ARBITRATOR_ROLE)
        nonReentrant
    {
        TradeRecord storage t = _trade(tradeId);
        if (t.status != TradeStatus.Disputed) revert ExchangeWrongTradeStatus(tradeId, t.status);
        if (ruling == TradeRuling.None) revert ExchangeInvalidRuling(tradeId, ruling);
        if (rulingHash == bytes32(0)) revert ExchangeZeroHash("rulingHash");
        emit TradeResolved(tradeId, msg.sender, ruling, rulingHash);
        if (ruling == TradeRuling.Refund) {
            t.status = TradeStatus.Refunded;
            _refundTrade(tradeId, t, _listings[t.listingId].currency);
        } else {
            _settle(tradeId, t);
        }
    }

    /// @inheritdoc IDataExchange
    function withdraw(address currency) external nonReentrant returns (uint256 amount) {
        // (1): effects first: the balance is gone before any coin moves
        amount = _balances[msg.sender][currency];
        if (amount == 0) revert ExchangeNothingToWithdraw(msg.sender, currency);
        _balances[msg.sender][currency] = 0;
        _totals[currency].withdrawable -= uint128(amount);
        emit Withdrawn(msg.sender, currency, amount);
        // (2): then the transfer; a failure reverts everything, the balance included
        if (currency == address(0)) {
            (bool ok,) = msg.sender.call{value: amount}("");
            if (!ok) revert ExchangeTransferFailed(msg.sender, amount);
        } else {
            IERC20(currency).safeTransfer(msg.sender, amount);
        }
    }

    // ------------------------------------------------------------------ administration

    /// @inheritdoc IDataExchange
    function setFee(uint16 feeBps, address feeRecipient) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setFee(feeBps, feeRecipient, msg.sender);
    }

    /// @inheritdoc IDataExchange
    function setConfirmationWindow(uint40 window) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _config.confirmationWindow = window;
        emit ConfirmationWindowSet(window, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDataExchange
    function registry() external view returns (IDataRegistry) {
        return _registry;
    }

    /// @inheritdoc IDataExchange
    function fee() external view returns (uint16 feeBps, address feeRecipient) {
        Config memory c = _config;
        return (c.feeBps, c.feeRecipient);
    }

    /// @inheritdoc IDataExchange
    function confirmationWindow() external view returns (uint40) {
        return _config.confirmationWindow;
    }

    /// @inheritdoc IDataExchange
    function getListing(uint256 listingId) external view returns (Listing memory listing) {
        ListingRecord storage l = _listings[listingId];
        listing.terms = ListingTerms({
            assetId: l.assetId,
            contractHash: l.contractHash,
            price: l.price,
            currency: l.currency,
            purposeHash: l.purposeHash,
            licenceDuration: l.licenceDuration,
            revenueShareBps: l.revenueShareBps,
            derivativesAllowed: l.derivativesAllowed
        });
        listing.seller = l.seller;
        listing.status = l.status;
        listing.reasonCode = l.reasonCode;
    }

    /// @inheritdoc IDataExchange
    function getTrade(uint256 tradeId) external view returns (Trade memory trade) {
        TradeRecord storage t = _trades[tradeId];
        trade.listingId = t.listingId;
        trade.buyer = t.buyer;
        trade.seller = _listings[t.listingId].seller;
        trade.status = t.status;
        trade.amount = t.amount;
        trade.openedAt = t.openedAt;
        trade.settleableAt = t.settleableAt;
        trade.deliveryHash = t.deliveryHash;
        trade.licenceId = t.licenceId;
    }

    /// @inheritdoc IDataExchange
    function getOffer(uint256 offerId) external view returns (Offer memory) {
        OfferRecord storage o = _offers[offerId];
        return Offer({listingId: o.listingId, buyer: o.buyer, status: o.status, price: o.price, amount: o.amount});
    }

    /// @inheritdoc IDataExchange
    function counts() external view returns (uint256 listings, uint256 offers, uint256 trades) {
        Counters memory c = _counters;
        return (c.listings, c.offers, c.trades);
    }

    /// @inheritdoc IDataExchange
    function withdrawableOf(address account, address currency) external view returns (uint256) {
        return _balances[account][currency];
    }

    /// @inheritdoc IDataExchange
    function totalEscrowed(address currency) external view returns (uint256) {
        return _totals[currency].escrowed;
    }

    /// @inheritdoc IDataExchange
    function totalWithdrawable(address currency) external view returns (uint256) {
        return _totals[currency].withdrawable;
    }

    /// @inheritdoc IDataExchange
    function isNonceUsed(address trader, uint256 nonce) external view returns (bool) {
        return _usedNonces[trader][nonce];
    }

    /// @inheritdoc IDataExchange
    function orderDigest(Order calldata order_) external view returns (bytes32) {
        return _hashTypedDataV4(_orderStructHash(order_));
    }

    /// @notice The EIP-712 domain separator of this contract.
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @inheritdoc AccessControl
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IDataExchange).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals: checks

    /// @dev The asset may be listed or traded now; returns its kind.
    function _requireTradableAsset(bytes32 assetId) private view returns (IDataRegistry.Kind) {
        IDataRegistry.Asset memory a = _registry.getAsset(assetId);
        if (a.status != IDataRegistry.Status.Certified) revert ExchangeAssetNotCertified(assetId, a.status);
        if (a.level == IDataRegistry.Level.Core) revert ExchangeCoreDataNotTradable(assetId);
        if (a.category == IDataRegistry.Category.Personal && a.consentRef == bytes32(0)) {
            revert ExchangeConsentMissing(assetId);
        }
        if (a.regulatorFrozen) revert ExchangeAssetFrozen(assetId);
        if (a.openDisputes != 0) revert ExchangeAssetDisputed(assetId, a.openDisputes);
        uint256 pledges = _registry.activePledgeCount(assetId);
        if (pledges != 0) revert ExchangeAssetPledged(assetId, pledges);
        return a.kind;
    }

    function _listing(uint256 listingId) private view returns (ListingRecord storage l) {
        if (listingId == 0 || listingId > _counters.listings) revert ExchangeUnknownListing(listingId);
        return _listings[listingId];
    }

    function _tradableListing(uint256 listingId) private view returns (ListingRecord storage l) {
        l = _listing(listingId);
        if (l.status != ListingStatus.Admitted) revert ExchangeListingNotAdmitted(listingId, l.status);
        _requireTradableAsset(l.assetId);
    }

    function _trade(uint256 tradeId) private view returns (TradeRecord storage) {
        if (tradeId == 0 || tradeId > _counters.trades) revert ExchangeUnknownTrade(tradeId);
        return _trades[tradeId];
    }

    function _openOffer(uint256 offerId) private view returns (OfferRecord storage o) {
        if (offerId == 0 || offerId > _counters.offers) revert ExchangeUnknownOffer(offerId);
        o = _offers[offerId];
        if (o.status != OfferStatus.Open) revert ExchangeWrongOfferStatus(offerId, o.status);
    }

    /// @dev The caller is `party` itself or the party that succeeds it in the registry.
    function _isParty(address party) private view returns (bool) {
        return msg.sender == party || _registry.resolveParty(party) == msg.sender;
    }

    function _requireParty(address party) private view {
        if (!_isParty(party)) revert ExchangeUnauthorizedParty(msg.sender, party);
    }

    function _requireEitherParty(address buyer, address seller) private view {
        if (msg.sender == buyer || msg.sender == seller) return;
        if (!_isParty(buyer) && !_isParty(seller)) revert ExchangeUnauthorizedParty(msg.sender, buyer);
    }

    /// @dev Revert with the most specific error for a trade in the wrong status.
    function _revertStatus(uint256 tradeId, TradeStatus status) private pure {
        if (status == TradeStatus.Settled) revert ExchangeTradeAlreadySettled(tradeId);
        if (status == TradeStatus.Disputed) revert ExchangeTradeDisputed(tradeId);
        revert ExchangeWrongTradeStatus(tradeId, status);
    }

    function _u128(uint256 value) private pure returns (uint128) {
        if (value > type(uint128).max) revert ExchangeAmountTooLarge(value);
        return uint128(value);
    }

    // ------------------------------------------------------------------ internals: money

    /// @dev Take `amount` from the caller: the exact native value, or an ERC-20 pull measured by the
    /// contract's balance before and after. Returns what was received.
    function _collect(address currency, uint256 amount) private returns (uint256 received) {
        if (currency == address(0)) {
            if (msg.value != amount) revert ExchangeWrongPayment(amount, msg.value);
            return amount;
        }
        if (msg.value != 0) revert ExchangeUnexpectedValue(msg.value);
        IERC20 token = IERC20(currency);
        uint256 before = token.balanceOf(address(this));
        token.safeTransferFrom(msg.sender, address(this), amount);
        received = token.balanceOf(address(this)) - before;
        if (received == 0) revert ExchangeNothingReceived(currency);
    }

    function _emitOpened(uint256 tradeId, OfferRecord storage o, address seller, address currency, uint256 offerId)
        private
    {
        emit TradeOpened(tradeId, o.listingId, o.buyer, seller, currency, o.price, o.amount, TradeOrigin.Offer, offerId);
    }

    function _openTrade(uint256 listingId, address buyer, uint256 amount) private returns (uint256 tradeId) {
        tradeId = ++_counters.trades;
        TradeRecord storage t = _trades[tradeId];
        t.buyer = buyer;
        t.status = TradeStatus.Escrowed;
        t.openedAt = uint40(block.timestamp);
        t.listingId = uint64(listingId);
        t.amount = _u128(amount);
    }

    /// @dev Move `amount` from escrow to the buyer's withdrawable balance.
    function _refund(address buyer, address currency, uint256 amount) private {
        Totals storage tot = _totals[currency];
        tot.escrowed -= uint128(amount);
        tot.withdrawable += uint128(amount);
        _balances[buyer][currency] += amount;
    }

    function _refundTrade(uint256 tradeId, TradeRecord storage t, address currency) private {
        address buyer = t.buyer;
        uint256 amount = t.amount;
        _refund(buyer, currency, amount);
        emit TradeRefunded(tradeId, buyer, currency, amount);
    }

    function _credit(uint256 tradeId, address payee, bytes32 source, address currency, uint256 amount) private {
        _balances[payee][currency] += amount;
        emit PayoutCredited(tradeId, payee, source, currency, amount);
    }

    function _setFee(uint16 feeBps, address feeRecipient, address admin) private {
        if (feeBps > MAX_FEE_BPS) revert ExchangeInvalidFee(feeBps, MAX_FEE_BPS);
        if (feeRecipient == address(0)) revert ExchangeZeroAddress("feeRecipient");
        _config.feeBps = feeBps;
        _config.feeRecipient = feeRecipient;
        emit FeeSet(feeBps, feeRecipient, admin);
    }

    // ------------------------------------------------------------------ internals: order book

    function _orderStructHash(Order calldata o) private pure returns (bytes32) {
        return keccak256(abi.encode(ORDER_TYPEHASH, o.listingId, o.trader, o.bid, o.price, o.nonce, o.deadline));
    }

    /// @dev Check an order's deadline, nonce and signature, then consume the nonce.
    function _useOrder(Order calldata o, bytes calldata signature) private {
        address trader = o.trader;
        uint256 nonce = o.nonce;
        if (block.timestamp > o.deadline) revert ExchangeOrderExpired(trader, nonce, o.deadline);
        if (_usedNonces[trader][nonce]) revert ExchangeNonceUsed(trader, nonce);
        bytes32 digest = _hashTypedDataV4(_orderStructHash(o));
        if (!SignatureChecker.isValidSignatureNow(trader, digest, signature)) {
            revert ExchangeInvalidSignature(trader, nonce);
        }
        _usedNonces[trader][nonce] = true;
    }

    function _match(Match calldata m) private returns (uint256 tradeId) {
        // (1): an ask and a bid for the same admitted listing, the ask from its seller
        uint256 listingId = m.ask.listingId;
        if (m.ask.bid) revert ExchangeInvalidOrder(listingId, m.ask.trader, true);
        if (!m.bid.bid || m.bid.listingId != listingId) {
            revert ExchangeInvalidOrder(m.bid.listingId, m.bid.trader, false);
        }
        ListingRecord storage l = _tradableListing(listingId);
        address seller = l.seller;
        if (m.ask.trader != seller && _registry.resolveParty(seller) != m.ask.trader) {
            revert ExchangeInvalidOrder(listingId, m.ask.trader, false);
        }
        address buyer = m.bid.trader;
        if (buyer == seller || buyer == address(0)) revert ExchangeSelfTrade(listingId, buyer);
        // (2): the price crosses
        uint256 price = m.price;
        if (price == 0 || price < m.ask.price || price > m.bid.price) {
            revert ExchangePriceMismatch(m.ask.price, m.bid.price, price);
        }
        // (3): both signatures valid, both nonces fresh (and now used)
        _useOrder(m.ask, m.askSignature);
        _useOrder(m.bid, m.bidSignature);
        // (4): the buyer's deposited balance pays into escrow
        address currency = l.currency;
        uint256 available = _balances[buyer][currency];
        if (available < price) revert ExchangeInsufficientBalance(buyer, currency, available, price);
        _balances[buyer][currency] = available - price;
        Totals storage tot = _totals[currency];
        tot.withdrawable -= uint128(price);
        tot.escrowed += uint128(price);
        tradeId = _openTrade(listingId, buyer, price);
        emit TradeOpened(tradeId, listingId, buyer, seller, currency, price, price, TradeOrigin.OrderBook, 0);
        emit OrdersMatched(tradeId, msg.sender, seller, buyer, m.ask.nonce, m.bid.nonce);
    }

    // ------------------------------------------------------------------ internals: settlement

    function _settleOne(uint256 tradeId) private {
        TradeRecord storage t = _trade(tradeId);
        TradeStatus status = t.status;
        if (status == TradeStatus.Delivered) {
            if (block.timestamp < t.settleableAt) revert ExchangeConfirmationPending(tradeId, t.settleableAt);
        } else if (status != TradeStatus.Confirmed) {
            _revertStatus(tradeId, status);
        }
        _settle(tradeId, t);
    }

    /// @dev Grant the licence, split the escrow into balances, move the totals.
    function _settle(uint256 tradeId, TradeRecord storage t) private {
        t.status = TradeStatus.Settled;
        uint256 listingId = t.listingId;
        ListingRecord storage l = _listings[listingId];
        address buyer = t.buyer;
        // (1): the buyer's licence, granted on the seller's behalf
        uint256 licenceId = _registry.grantLicenceFor(
            l.seller,
            IDataRegistry.LicenceTerms({
                assetId: l.assetId,
                licensee: buyer,
                purposeHash: l.purposeHash,
                startsAt: uint40(block.timestamp),
                expiresAt: uint40(block.timestamp) + l.licenceDuration,
                termsHash: l.contractHash,
                revenueShareBps: l.revenueShareBps,
                derivativesAllowed: l.derivativesAllowed
            })
        );
        t.licenceId = uint64(licenceId);
        // (2): the split, credited to balances
        address currency = l.currency;
        uint256 amount = t.amount;
        uint256 feeAmount = _split(tradeId, l.assetId, l.seller, currency, amount);
        // (3): escrow becomes withdrawable
        Totals storage tot = _totals[currency];
        tot.escrowed -= uint128(amount);
        tot.withdrawable += uint128(amount);
        emit TradeSettled(tradeId, listingId, buyer, l.seller, currency, amount, feeAmount, licenceId);
    }

    /// @dev Fee, then each parent's revenue share, then the asset's operation-right holders.
    function _split(uint256 tradeId, bytes32 assetId, address seller, address currency, uint256 amount)
        private
        returns (uint256 feeAmount)
    {
        // (1): the exchange fee
        Config memory c = _config;
        feeAmount = amount * c.feeBps / _MAX_BPS;
        if (feeAmount != 0) _credit(tradeId, c.feeRecipient, bytes32(0), currency, feeAmount);
        // (2): parents of derived data, by their recorded revenue shares of what is left
        uint256 rest = amount - feeAmount;
        uint256 remaining = rest;
        (bytes32[] memory parents, uint16[] memory shares) = _registry.parentsOf(assetId);
        for (uint256 i; i < parents.length; ++i) {
            uint256 cut = rest * shares[i] / _MAX_BPS;
            if (cut != 0) remaining -= _distribute(tradeId, parents[i], currency, cut);
        }
        // (3): the rest to the asset's operation-right holders (the seller if, oddly, there are none)
        if (remaining != 0 && _distribute(tradeId, assetId, currency, remaining) == 0) {
            _credit(tradeId, _registry.resolveParty(seller), assetId, currency, remaining);
        }
    }

    /// @dev Credit `amount` to the operation-right holders of `assetId` by their shares; the first
    /// holder key takes the rounding remainder. Returns what was credited (0 if there is no holder).
    function _distribute(uint256 tradeId, bytes32 assetId, address currency, uint256 amount) private returns (uint256) {
        (address[] memory holders, uint64[] memory shares) = _registry.holdersOf(assetId, IDataRegistry.Right.Operation);
        uint256 n = holders.length;
        if (n == 0) return 0;
        uint256 total;
        for (uint256 i; i < n; ++i) {
            total += shares[i];
        }
        if (total == 0) return 0;
        uint256 paid;
        for (uint256 i = 1; i < n; ++i) {
            uint256 part = amount * shares[i] / total;
            if (part != 0) {
                _credit(tradeId, _registry.resolveParty(holders[i]), assetId, currency, part);
                paid += part;
            }
        }
        _credit(tradeId, _registry.resolveParty(holders[0]), assetId, currency, amount - paid);
        return amount;
    }
}
