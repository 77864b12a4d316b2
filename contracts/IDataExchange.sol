// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {IDataRegistry} from "./IDataRegistry.sol";

/**
 * @title IDataExchange
 * @notice Data exchange (数据交易场所): listing admission (准入), matching (撮合), escrowed
 * settlement (结算, 资金托管) with revenue shared by contribution (授权使用、分享收益), standard
 * contract text (文本标准化), cancellation, refunds and trade disputes.
 *
 * A trade's whole life can be rebuilt from this contract's events alone: every event carries
 * the trade (or listing, or offer) id, the parties and the amounts.
 *
 * Money: the buyer's payment is escrowed when the trade opens. Settlement splits it: the
 * exchange fee first, then each parent of derived data its recorded revenue share (paid to the
 * parent's product-operation-right holders by their shares), then the rest to the asset's
 * product-operation-right holders by their shares. Every payout and refund is credited to a
 * withdrawable balance per (account, currency) and pulled with {withdraw}; nothing is ever
 * pushed to an arbitrary address. For each currency the contract holds exactly
 * `totalEscrowed(currency) + totalWithdrawable(currency)`.
 *
 * Currency `address(0)` is the chain's native coin; any other currency is an ERC-20 token. The
 * amount escrowed or deposited in a token is what the contract actually received (balance
 * before and after), so fee-on-transfer tokens are accounted exactly.
 */
interface IDataExchange {
    // ------------------------------------------------------------------ types

    /// @notice Lifecycle of a listing.
    enum ListingStatus {
        None, // never listed (unknown id)
        Pending, // listed, waiting for the operator's admission (准入)
        Admitted, // admitted: trades
        Rejected, // refused by the operator (final; the seller may list again)
        Suspended, // suspended by the operator: no new trades until admitted again
        Delisted // withdrawn by the seller (final)
    }

    /// @notice Lifecycle of a trade.
    enum TradeStatus {
        None, // unknown id
        Escrowed, // payment escrowed, waiting for delivery
        Delivered, // seller recorded delivery; buyer confirms or the window lapses
        Confirmed, // buyer confirmed delivery: settleable
        Disputed, // a party filed a dispute: frozen until the arbitrator rules
        Settled, // money split and credited, licence granted (final)
        Cancelled, // cancelled before delivery, buyer refunded (final)
        Refunded // refunded by the arbitrator's ruling (final)
    }

    /// @notice How a trade was matched (撮合).
    enum TradeOrigin {
        FixedPrice, // a buyer's order at the listed price, matched at once
        Offer, // a buyer's negotiated offer, accepted by the seller
        OrderBook // an off-chain order-book match submitted by the operator
    }

    /// @notice Lifecycle of a negotiated offer.
    enum OfferStatus {
        None, // unknown id
        Open, // escrowed, waiting for the seller
        Accepted, // accepted: a trade opened (final)
        Cancelled // withdrawn by the buyer or declined by the seller, buyer refunded (final)
    }

    /// @notice The arbitrator's ruling on a disputed trade.
    enum TradeRuling {
        None, // not ruled (never a valid ruling)
        Refund, // the escrow goes back to the buyer
        Settle // the trade settles as if confirmed
    }

    /// @notice What a seller lists: the asset, the standard contract, the price and the licence the buyer gets.
    struct ListingTerms {
        bytes32 assetId; // registered asset (registry asset id)
        bytes32 contractHash; // hash of the standard contract text (文本标准化); non-zero
        uint256 price; // price in the currency's smallest unit; non-zero, below 2**128
        address currency; // address(0): the native coin; otherwise an ERC-20 token contract
        bytes32 purposeHash; // scope or purpose of the buyer's licence
        uint40 licenceDuration; // term of the buyer's licence from settlement, seconds; non-zero
        uint16 revenueShareBps; // share of derivative revenue owed to the asset under the buyer's licence
        bool derivativesAllowed; // whether the buyer may register derived data under the licence
    }

    /// @notice A listing as stored.
    struct Listing {
        ListingTerms terms; // what was listed
        address seller; // the product-operation-right holder who listed it
        ListingStatus status; // lifecycle status
        uint16 reasonCode; // the operator's reason code of the last rejection or suspension (0 if none)
    }

    /// @notice A trade as stored.
    struct Trade {
        uint256 listingId; // the listing traded
        address buyer; // who paid
        address seller; // the listing's seller
        TradeStatus status; // lifecycle status
        uint256 amount; // escrowed amount (what the contract received), in the listing's currency
        uint40 openedAt; // when the payment was escrowed
        uint40 settleableAt; // delivery time plus the confirmation window (0 before delivery)
        bytes32 deliveryHash; // hash of what was delivered (0 before delivery)
        uint256 licenceId; // the buyer's registry licence, once settled (0 before)
    }

    /// @notice A negotiated offer as stored.
    struct Offer {
        uint256 listingId; // the listing the offer is for
        address buyer; // who offered
        OfferStatus status; // lifecycle status
        uint256 price; // offered price
        uint256 amount; // escrowed amount (what the contract received)
    }

    /// @notice One side of an off-chain order-book match, signed with EIP-712 by `trader`.
    struct Order {
        uint256 listingId; // the listing
        address trader; // the signer: the listing's seller for an ask, the buyer for a bid
        bool bid; // true: a buyer's bid (maximum price); false: the seller's ask (minimum price)
        uint256 price; // limit price
        uint256 nonce; // any number the trader has not used (or invalidated) before
        uint256 deadline; // last second at which the order is valid
    }

    /// @notice An off-chain match: both signed orders and the execution price the operator chose.
    struct Match {
        Order ask; // the seller's signed ask
        bytes askSignature; // the seller's signature (65-byte ECDSA, or ERC-1271)
        Order bid; // the buyer's signed bid
        bytes bidSignature; // the buyer's signature
        uint256 price; // execution price: ask.price <= price <= bid.price
    }

    // ------------------------------------------------------------------ events

    /// @notice A listing was filed and awaits admission.
    event Listed(uint256 indexed listingId, bytes32 indexed assetId, address indexed seller, ListingTerms terms);

    /// @notice The operator admitted (or re-admitted a suspended) listing.
    event ListingAdmitted(uint256 indexed listingId, address indexed operator);

    /// @notice The operator rejected a pending listing with a reason code.
    event ListingRejected(uint256 indexed listingId, address indexed operator, uint16 reasonCode);

    /// @notice The operator suspended an admitted listing with a reason code.
    event ListingSuspended(uint256 indexed listingId, address indexed operator, uint16 reasonCode);

    /// @notice The seller withdrew a listing.
    event ListingDelisted(uint256 indexed listingId, address indexed seller);

    /// @notice A buyer's payment was escrowed and a trade opened.
    /// @param price the agreed price; `amount` is what was escrowed (less for fee-on-transfer tokens)
    /// @param refId the offer id for {TradeOrigin.Offer}, 0 otherwise
    event TradeOpened(
        uint256 indexed tradeId,
        uint256 indexed listingId,
        address indexed buyer,
        address seller,
        address currency,
        uint256 price,
        uint256 amount,
        TradeOrigin origin,
        uint256 refId
    );

    /// @notice A buyer escrowed a negotiated offer.
    event OfferMade(
        uint256 indexed offerId,
        uint256 indexed listingId,
        address indexed buyer,
        address currency,
        uint256 price,
        uint256 amount
    );

    /// @notice An open offer was withdrawn by the buyer or declined by the seller; `amount` was credited back to the buyer.
    event OfferCancelled(uint256 indexed offerId, address indexed by, address indexed buyer, uint256 amount);

    /// @notice The seller accepted an offer, opening trade `tradeId` (a {TradeOpened} follows).
    event OfferAccepted(uint256 indexed offerId, uint256 indexed tradeId, address indexed seller);

    /// @notice The operator matched two signed orders into trade `tradeId` (a {TradeOpened} precedes).
    event OrdersMatched(
        uint256 indexed tradeId,
        address indexed operator,
        address indexed seller,
        address buyer,
        uint256 askNonce,
        uint256 bidNonce
    );

    /// @notice A trader invalidated an order nonce (cancelling a signed order).
    event NonceInvalidated(address indexed trader, uint256 nonce);

    /// @notice The seller recorded delivery; the trade becomes settleable at `settleableAt` unless disputed.
    event TradeDelivered(
        uint256 indexed tradeId,
        address indexed seller,
        address indexed buyer,
        bytes32 deliveryHash,
        uint40 settleableAt
    );

    /// @notice The buyer confirmed delivery.
    event TradeConfirmed(uint256 indexed tradeId, address indexed buyer, address indexed seller);

    /// @notice A party cancelled the trade before delivery (a {TradeRefunded} follows).
    event TradeCancelled(uint256 indexed tradeId, address indexed by, address indexed buyer, address seller);

    /// @notice The escrow of a trade was credited back to its buyer.
    event TradeRefunded(uint256 indexed tradeId, address indexed buyer, address indexed currency, uint256 amount);

    /// @notice A party filed a dispute; the trade is frozen until the arbitrator rules.
    event TradeDisputed(
        uint256 indexed tradeId,
        address indexed claimant,
        address indexed buyer,
        address seller,
        uint256 amount,
        bytes32 evidenceHash
    );

    /// @notice The arbitrator ruled on a disputed trade ({TradeRefunded} or {TradeSettled} follows).
    event TradeResolved(uint256 indexed tradeId, address indexed arbitrator, TradeRuling ruling, bytes32 rulingHash);

    /// @notice `amount` of `currency` was credited to `payee`'s withdrawable balance from trade `tradeId`.
    /// @param sourceAsset the asset whose operation-right holder `payee` is (the traded asset or a parent);
    /// zero for the exchange fee
    event PayoutCredited(
        uint256 indexed tradeId, address indexed payee, bytes32 indexed sourceAsset, address currency, uint256 amount
    );

    /// @notice A trade settled: its escrow was split (see {PayoutCredited}) and the buyer's licence granted.
    event TradeSettled(
        uint256 indexed tradeId,
        uint256 indexed listingId,
        address indexed buyer,
        address seller,
        address currency,
        uint256 amount,
        uint256 fee,
        uint256 licenceId
    );

    /// @notice `amount` of `currency` was deposited to `account`'s balance (funding order-book matches).
    event Deposited(address indexed account, address indexed currency, uint256 amount);

    /// @notice `account` withdrew `amount` of `currency`.
    event Withdrawn(address indexed account, address indexed currency, uint256 amount);

    /// @notice The exchange fee changed.
    event FeeSet(uint16 feeBps, address indexed feeRecipient, address indexed admin);

    /// @notice The confirmation window changed (applies to deliveries recorded from now on).
    event ConfirmationWindowSet(uint40 window, address indexed admin);

    // ------------------------------------------------------------------ errors

    /// @notice A required address (`field`) is zero.
    error ExchangeZeroAddress(string field);
    /// @notice A required hash (`field`) is zero.
    error ExchangeZeroHash(string field);
    /// @notice A price or amount is zero or does not fit 128 bits.
    error ExchangeInvalidPrice(uint256 price);
    /// @notice The currency is neither zero (native coin) nor a contract.
    error ExchangeInvalidCurrency(address currency);
    /// @notice The licence term is zero or too long, or the revenue share is above 10,000 bps.
    error ExchangeInvalidLicenceTerms(uint40 duration, uint16 revenueShareBps);
    /// @notice The fee is above `maxBps`.
    error ExchangeInvalidFee(uint256 feeBps, uint256 maxBps);
    /// @notice A rejection or suspension needs a non-zero reason code.
    error ExchangeZeroReasonCode();
    /// @notice The asset has no certificate in force (`status` is its registry status).
    error ExchangeAssetNotCertified(bytes32 assetId, IDataRegistry.Status status);
    /// @notice Core-level data (核心数据) may not be listed or traded.
    error ExchangeCoreDataNotTradable(bytes32 assetId);
    /// @notice Personal data without a consent or legal-basis reference.
    error ExchangeConsentMissing(bytes32 assetId);
    /// @notice A regulator froze the asset.
    error ExchangeAssetFrozen(bytes32 assetId);
    /// @notice The asset has open disputes in the registry.
    error ExchangeAssetDisputed(bytes32 assetId, uint32 openDisputes);
    /// @notice The asset has active pledges.
    error ExchangeAssetPledged(bytes32 assetId, uint256 activePledges);
    /// @notice `account` holds no product-operation-right share of the asset.
    error ExchangeNotOperationHolder(bytes32 assetId, address account);
    /// @notice `account` holds no share of the right that licenses the asset (`right`).
    error ExchangeNotLicensingHolder(bytes32 assetId, address account, IDataRegistry.Right right);
    /// @notice `account` has been succeeded by `successor`, who acts for it now.
    error ExchangeSucceededParty(address account, address successor);
    /// @notice No such listing.
    error ExchangeUnknownListing(uint256 listingId);
    /// @notice The listing's status does not allow this step.
    error ExchangeWrongListingStatus(uint256 listingId, ListingStatus status);
    /// @notice Only admitted listings trade.
    error ExchangeListingNotAdmitted(uint256 listingId, ListingStatus status);
    /// @notice No such trade.
    error ExchangeUnknownTrade(uint256 tradeId);
    /// @notice The trade's status does not allow this step.
    error ExchangeWrongTradeStatus(uint256 tradeId, TradeStatus status);
    /// @notice The trade is settled already (no double settlement).
    error ExchangeTradeAlreadySettled(uint256 tradeId);
    /// @notice The trade is frozen by a dispute until the arbitrator rules.
    error ExchangeTradeDisputed(uint256 tradeId);
    /// @notice Not confirmed, and the confirmation window runs until `settleableAt`.
    error ExchangeConfirmationPending(uint256 tradeId, uint40 settleableAt);
    /// @notice No such offer.
    error ExchangeUnknownOffer(uint256 offerId);
    /// @notice The offer is no longer open.
    error ExchangeWrongOfferStatus(uint256 offerId, OfferStatus status);
    /// @notice `account` is not `party` (nor its successor) and may not take this step.
    error ExchangeUnauthorizedParty(address account, address party);
    /// @notice The seller cannot buy its own listing.
    error ExchangeSelfTrade(uint256 listingId, address account);
    /// @notice The native coin sent is not the amount due.
    error ExchangeWrongPayment(uint256 expected, uint256 sent);
    /// @notice Native coin sent with an ERC-20 payment.
    error ExchangeUnexpectedValue(uint256 value);
    /// @notice The token transfer delivered nothing to the exchange.
    error ExchangeNothingReceived(address currency);
    /// @notice An amount does not fit the exchange's 128-bit accounting.
    error ExchangeAmountTooLarge(uint256 amount);
    /// @notice The buyer's deposited balance does not cover the match.
    error ExchangeInsufficientBalance(address account, address currency, uint256 available, uint256 needed);
    /// @notice `account` has no balance of `currency`.
    error ExchangeNothingToWithdraw(address account, address currency);
    /// @notice Sending the native coin to `to` failed (it reverted or re-entered).
    error ExchangeTransferFailed(address to, uint256 amount);
    /// @notice A ruling must be Refund or Settle.
    error ExchangeInvalidRuling(uint256 tradeId, TradeRuling ruling);
    /// @notice The signed order's deadline has passed.
    error ExchangeOrderExpired(address trader, uint256 nonce, uint256 deadline);
    /// @notice The order nonce was used or invalidated.
    error ExchangeNonceUsed(address trader, uint256 nonce);
    /// @notice The orders do not form an ask by the seller and a bid for the same listing.
    error ExchangeInvalidOrder(uint256 listingId, address trader, bool bid);
    /// @notice The order is not signed by `trader`.
    error ExchangeInvalidSignature(address trader, uint256 nonce);
    /// @notice The execution price is not within [askPrice, bidPrice].
    error ExchangePriceMismatch(uint256 askPrice, uint256 bidPrice, uint256 price);
    /// @notice A batch needs at least one entry.
    error ExchangeEmptyBatch();

    // ------------------------------------------------------------------ listing and admission

    /**
     * @notice List an asset for trading; the caller is the seller. The listing waits for admission.
     * @dev Requirements: the caller holds product-operation-right shares of the asset (directly or by
     * succession) and the asset's licensing right (processing/use for resources), and has not been
     * succeeded; the asset is certified, not core-level, not frozen, not disputed, not pledged, and
     * personal data carries a consent reference; non-zero contract hash, price (below 2**128) and
     * licence duration; revenue share <= 10,000 bps; currency is zero or a contract.
     * Emits {Listed}.
     * @param terms What is listed.
     * @return listingId The new listing id (from 1).
     */
    function list(ListingTerms calldata terms) external returns (uint256 listingId);

    /**
     * @notice Admit a pending listing, or re-admit a suspended one (准入).
     * @dev Requirements: OPERATOR_ROLE; status Pending or Suspended; the asset is still tradable
     * (as in {list}). Emits {ListingAdmitted}.
     * @param listingId The listing.
     */
    function admit(uint256 listingId) external;

    /**
     * @notice Reject a pending listing with a reason code.
     * @dev Requirements: OPERATOR_ROLE; status Pending; non-zero reason code. Emits {ListingRejected}.
     * @param listingId The listing.
     * @param reasonCode The operator's reason code.
     */
    function reject(uint256 listingId, uint16 reasonCode) external;

    /**
     * @notice Suspend an admitted listing: no new trades; open trades run their course.
     * @dev Requirements: OPERATOR_ROLE; status Admitted; non-zero reason code. Emits {ListingSuspended}.
     * @param listingId The listing.
     * @param reasonCode The operator's reason code.
     */
    function suspend(uint256 listingId, uint16 reasonCode) external;

    /**
     * @notice The seller withdraws a listing: no new trades; open trades run their course.
     * @dev Requirements: caller is the seller (or its successor); status Pending, Admitted or Suspended.
     * Emits {ListingDelisted}.
     * @param listingId The listing.
     */
    function delist(uint256 listingId) external;

    // ------------------------------------------------------------------ matching

    /**
     * @notice Buy at the listed price, matched at once: the payment is escrowed and a trade opens.
     * @dev Requirements: listing admitted; asset still tradable (certified, not frozen, disputed or
     * pledged); caller is not the seller. Native coin: `msg.value == price`. ERC-20: no value; the
     * caller approved `price`; the amount received is escrowed. Emits {TradeOpened}.
     * @param listingId The listing.
     * @return tradeId The new trade id (from 1).
     */
    function order(uint256 listingId) external payable returns (uint256 tradeId);

    /**
     * @notice Offer a negotiated price; the offered amount is escrowed until accepted or cancelled.
     * @dev Requirements: as {order}, with `price` instead of the listed price (non-zero, below 2**128).
     * Emits {OfferMade}.
     * @param listingId The listing.
     * @param price The offered price.
     * @return offerId The new offer id (from 1).
     */
    function offer(uint256 listingId, uint256 price) external payable returns (uint256 offerId);

    /**
     * @notice The seller accepts an open offer: a trade opens with the offer's escrow.
     * @dev Requirements: caller is the seller (or its successor); offer open; listing admitted; asset
     * still tradable. Emits {OfferAccepted} and {TradeOpened}.
     * @param offerId The offer.
     * @return tradeId The new trade id.
     */
    function accept(uint256 offerId) external returns (uint256 tradeId);

    /**
     * @notice Withdraw (buyer) or decline (seller) an open offer; the escrow is credited back to the buyer.
     * @dev Requirements: caller is the buyer or the seller (or a successor); offer open. Emits {OfferCancelled}.
     * @param offerId The offer.
     */
    function cancelOffer(uint256 offerId) external;

    /**
     * @notice Submit an off-chain order-book match: the seller's ask and a buyer's bid, both signed
     * with EIP-712. The price is taken from the buyer's deposited balance into escrow.
     * @dev Requirements: OPERATOR_ROLE; both orders for the same admitted listing with tradable asset;
     * the ask signed by the seller (or its successor), the bid by a buyer other than the seller;
     * deadlines not passed; nonces unused (both are consumed); ask.price <= price <= bid.price; the
     * buyer's withdrawable balance covers `price`. Emits {TradeOpened} and {OrdersMatched}.
     * @param m The match.
     * @return tradeId The new trade id.
     */
    function matchOrders(Match calldata m) external returns (uint256 tradeId);

    /**
     * @notice Submit many order-book matches in one transaction (all or nothing).
     * @dev Requirements: OPERATOR_ROLE; at least one match; each as {matchOrders}. Trade ids are consecutive.
     * @param matches The matches.
     * @return firstTradeId The id of the first trade opened.
     */
    function matchBatch(Match[] calldata matches) external returns (uint256 firstTradeId);

    /**
     * @notice Cancel a signed order that has not been matched: its nonce can no longer be used.
     * @dev Requirements: nonce unused. Emits {NonceInvalidated}.
     * @param nonce The order nonce of the caller.
     */
    function invalidateNonce(uint256 nonce) external;

    /**
     * @notice Deposit funds to the caller's balance, from which order-book matches are paid.
     * @dev Native coin: `msg.value == amount`. ERC-20: no value; the caller approved `amount`; the amount
     * received is credited. Emits {Deposited}.
     * @param currency address(0) or an ERC-20 token.
     * @param amount How much.
     */
    function deposit(address currency, uint256 amount) external payable;

    // ------------------------------------------------------------------ delivery and settlement

    /**
     * @notice The seller records delivery; the buyer may confirm, and once the confirmation window
     * lapses anyone may settle.
     * @dev Requirements: caller is the seller (or its successor); trade escrowed; non-zero delivery hash.
     * Emits {TradeDelivered}.
     * @param tradeId The trade.
     * @param deliveryHash Hash of what was delivered.
     */
    function deliver(uint256 tradeId, bytes32 deliveryHash) external;

    /**
     * @notice The buyer confirms delivery; the trade becomes settleable at once.
     * @dev Requirements: caller is the buyer (or its successor); trade delivered. Emits {TradeConfirmed}.
     * @param tradeId The trade.
     */
    function confirm(uint256 tradeId) external;

    /**
     * @notice Settle a confirmed trade, or a delivered one whose confirmation window has lapsed: split
     * the escrow into withdrawable payouts and grant the buyer's licence in the registry.
     * @dev Anyone may call. Requirements: trade confirmed, or delivered and `block.timestamp >= settleableAt`;
     * not disputed; not settled. Emits {PayoutCredited} per payout, then {TradeSettled}; the registry emits
     * {IDataRegistry-LicenceGranted}.
     * @param tradeId The trade.
     */
    function settle(uint256 tradeId) external;

    /**
     * @notice Settle many trades in one transaction (all or nothing).
     * @dev Requirements: at least one id; each as {settle}.
     * @param tradeIds The trades.
     */
    function settleBatch(uint256[] calldata tradeIds) external;

    /**
     * @notice Cancel a trade before delivery; the escrow is credited back to the buyer.
     * @dev Requirements: caller is the buyer or the seller (or a successor); trade escrowed (not delivered).
     * Emits {TradeCancelled} and {TradeRefunded}.
     * @param tradeId The trade.
     */
    function cancel(uint256 tradeId) external;

    /**
     * @notice File a dispute over a trade: it freezes (no confirm, settle or cancel) until the arbitrator rules.
     * @dev Requirements: caller is the buyer or the seller (or a successor); trade escrowed, delivered or
     * confirmed; non-zero evidence hash. Emits {TradeDisputed}.
     * @param tradeId The trade.
     * @param evidenceHash Hash of the claimant's evidence.
     */
    function dispute(uint256 tradeId, bytes32 evidenceHash) external;

    /**
     * @notice Rule on a disputed trade: refund the buyer, or settle.
     * @dev Requirements: ARBITRATOR_ROLE; trade disputed; ruling Refund or Settle; non-zero ruling hash.
     * Emits {TradeResolved}, then {TradeRefunded} or the events of {settle}.
     * @param tradeId The trade.
     * @param ruling The outcome.
     * @param rulingHash Hash of the ruling document.
     */
    function resolve(uint256 tradeId, TradeRuling ruling, bytes32 rulingHash) external;

    /**
     * @notice Withdraw the caller's whole balance of `currency` (payouts, refunds, deposits).
     * @dev Requirements: non-zero balance; the transfer succeeds (a native-coin receiver that reverts,
     * or re-enters the exchange, fails the withdrawal and keeps its balance). Emits {Withdrawn}.
     * @param currency address(0) or an ERC-20 token.
     * @return amount How much was sent.
     */
    function withdraw(address currency) external returns (uint256 amount);

    // ------------------------------------------------------------------ administration

    /**
     * @notice Set the exchange fee and who receives it.
     * @dev Requirements: DEFAULT_ADMIN_ROLE; `feeBps <= MAX_FEE_BPS`; non-zero recipient. Emits {FeeSet}.
     * @param feeBps Fee in basis points of each settled amount.
     * @param feeRecipient Account credited with the fee.
     */
    function setFee(uint16 feeBps, address feeRecipient) external;

    /**
     * @notice Set the confirmation window for deliveries recorded from now on.
     * @dev Requirements: DEFAULT_ADMIN_ROLE. Emits {ConfirmationWindowSet}.
     * @param window Seconds after delivery at which an unconfirmed trade becomes settleable.
     */
    function setConfirmationWindow(uint40 window) external;

    // ------------------------------------------------------------------ views

    /// @notice The rights registry this exchange trades against.
    function registry() external view returns (IDataRegistry);

    /// @notice Upper bound of the exchange fee, in basis points.
    function MAX_FEE_BPS() external view returns (uint16);

    /// @notice The exchange fee in basis points, and who receives it.
    function fee() external view returns (uint16 feeBps, address feeRecipient);

    /// @notice Seconds after delivery at which an unconfirmed trade becomes settleable.
    function confirmationWindow() external view returns (uint40);

    /// @notice A listing (zero struct if unknown).
    function getListing(uint256 listingId) external view returns (Listing memory);

    /// @notice A trade (zero struct if unknown).
    function getTrade(uint256 tradeId) external view returns (Trade memory);

    /// @notice An offer (zero struct if unknown).
    function getOffer(uint256 offerId) external view returns (Offer memory);

    /// @notice Number of listings, offers and trades so far (the last ids issued).
    function counts() external view returns (uint256 listings, uint256 offers, uint256 trades);

    /// @notice The withdrawable balance of `account` in `currency`.
    function withdrawableOf(address account, address currency) external view returns (uint256);

    /// @notice Total escrowed in `currency` (open trades and open offers).
    function totalEscrowed(address currency) external view returns (uint256);

    /// @notice Total withdrawable in `currency` (sum of every account's balance).
    function totalWithdrawable(address currency) external view returns (uint256);

    /// @notice Whether `trader` has used or invalidated order nonce `nonce`.
    function isNonceUsed(address trader, uint256 nonce) external view returns (bool);

    /// @notice The EIP-712 digest a trader signs for `order_`.
    function orderDigest(Order calldata order_) external view returns (bytes32);
}
