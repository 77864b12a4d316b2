// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {IDataRegistry} from "./IDataRegistry.sol";

/**
 * @title DataRegistryStorage
 * @notice Storage layout and shared internals of {DataRegistry} and {DataRegistryExtension}.
 *
 * @dev {DataRegistry} is the only entry point. Its code does not fit in 24,576 bytes, so the
 * pledge and dispute functions run in {DataRegistryExtension}, which the registry deploys in its
 * constructor and reaches by DELEGATECALL: both inherit this contract, hence share one layout, and
 * the extension's code runs on the registry's storage, emits the registry's events and reverts
 * with the registry's errors. Called directly, the extension sees empty storage and every call
 * reverts.
 *
 * Layout, tuned for a cheap {IDataRegistry-register}: an application writes one packed head slot
 * (applicant, classification, status, notice end, parent count) and the metadata hash; the consent
 * reference only for personal data; the state slot (certificate, disputes, freeze, pledges, life)
 * only later. No balance is written at registration: the applicant's balance of each right is
 * implicit, `TOTAL_SHARES` minus the shares held under other holder keys (`distributed`).
 *
 * Lives: a rejected or revoked asset may be applied for again. Each application after the first
 * starts a new life (`epoch`, folded into every balance key and recorded in every pledge and
 * licence): balances, pledges and licences of earlier lives are void (pledges read as inactive,
 * licences as invalid), and the new applicant holds every share. Re-application is refused while
 * the asset is frozen (regulator freeze or open dispute), so a dispute never spans lives.
 *
 * Succession: `successor[predecessor]` plus `predecessors[successor]`, recorded in constant gas.
 * Every successor chain is kept at most `MAX_SUCCESSION_DEPTH` hops long, so resolving a party
 * always reaches the end of its chain and every walk over predecessors is bounded in depth.
 */
abstract contract DataRegistryStorage is AccessControl, EIP712, Nonces {
    // ------------------------------------------------------------------ constants

    /// @notice Role that certifies, rejects and revokes registrations and records successions.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");
    /// @notice Role that resolves disputes (and may enforce pledges and revoke licences).
    bytes32 public constant ARBITRATOR_ROLE = keccak256("ARBITRATOR_ROLE");
    /// @notice Role that freezes and unfreezes assets and always has standing in disputes.
    bytes32 public constant REGULATOR_ROLE = keccak256("REGULATOR_ROLE");
    /// @notice Role of the exchange contract, which grants licences on behalf of right holders.
    bytes32 public constant EXCHANGE_ROLE = keccak256("EXCHANGE_ROLE");

    /// @dev Total shares of each right of each asset (exposed as {IDataRegistry-TOTAL_SHARES}).
    uint64 internal constant _TOTAL_SHARES = 1_000_000;
    /// @notice Maximum number of parents of a derived asset.
    uint256 public constant MAX_PARENTS = 16;
    /// @notice Maximum length, in hops, of any successor chain.
    uint256 public constant MAX_SUCCESSION_DEPTH = 16;

    uint256 internal constant _MAX_BPS = 10_000;

    // ------------------------------------------------------------------ storage types

    /// @dev Written at application: one slot.
    struct AssetHead {
        address applicant; // who applied in the current life
        IDataRegistry.Category category; // data category
        IDataRegistry.Level level; // classification level
        IDataRegistry.Kind kind; // resource or product
        IDataRegistry.Status status; // lifecycle status
        uint40 noticeEndsAt; // end of the public notice window
        uint8 parentCount; // number of parents (derived data)
    }

    /// @dev Written after application (certificate, disputes, freeze, pledges, re-application): one slot.
    struct AssetState {
        uint64 serial; // certificate serial, 0 before certification in this life
        uint40 certifiedAt; // certification time, 0 before certification in this life
        uint32 openDisputes; // disputes filed and not resolved
        bool regulatorFrozen; // frozen by a regulator
        uint32 activePledges; // active pledges in the current life
        uint32 epoch; // life of the asset: 0 for the first application, +1 per re-application
    }

    /// @dev Shares of one holder key: one slot.
    struct Holding {
        uint64 balance; // shares held (unused for the applicant, whose balance is implicit)
        uint64 pledged; // shares pledged
        uint32 position; // 1-based position in the holder list, 0 if not listed
    }

    /// @dev Shares of one right of one asset in one life.
    struct RightBook {
        uint64 distributed; // shares held under keys other than the applicant's
        uint32 holderCount; // number of listed (non-applicant) holder keys
        mapping(uint256 index => address holder) holderAt; // listed holder keys, 0-based
        mapping(address holder => Holding) holdings; // per holder key
    }

    /// @dev A licence: five slots.
    struct LicenceRecord {
        bytes32 assetId; // the licensed asset
        address licensee; // who may use it
        uint40 startsAt; // valid from (inclusive)
        uint40 expiresAt; // valid until (exclusive)
        uint16 revenueShareBps; // revenue share owed by derivatives
        bytes32 purposeHash; // licensed purpose
        bytes32 termsHash; // licence contract text
        address grantor; // right holder that granted it
        bool revoked; // revoked before expiry
        bool derivativesAllowed; // derived data may be registered under it
        uint32 epoch; // life of the asset when granted
    }

    /// @dev A pledge: four slots.
    struct PledgeRecord {
        bytes32 assetId; // pledged asset
        address pledgor; // holder key whose shares are pledged
        IDataRegistry.Right right; // pledged right
        bool active; // until released or enforced
        uint32 epoch; // life of the asset when pledged
        address pledgee; // creditor
        uint64 shares; // pledged shares
        bytes32 termsHash; // pledge contract
    }

    /// @dev A dispute: four slots.
    struct DisputeRecord {
        bytes32 assetId; // disputed asset
        address claimant; // who filed it
        IDataRegistry.Ruling ruling; // None while open
        bytes32 evidenceHash; // claimant's evidence
        bytes32 rulingHash; // ruling document
    }

    /// @dev A party's place in the succession graph: one slot.
    struct PartyRecord {
        address successor; // direct successor, zero if none
        uint8 height; // longest predecessor chain below this party, in hops
    }

    /// @dev Id counters: one slot.
    struct Counters {
        uint64 serials; // certificates issued
        uint64 licences; // licences granted
        uint64 pledges; // pledges created
        uint64 disputes; // disputes filed
    }

    // ------------------------------------------------------------------ storage

    mapping(bytes32 assetId => AssetHead) internal _heads;
    mapping(bytes32 assetId => bytes32 metadataHash) internal _metadataHashes;
    mapping(bytes32 assetId => bytes32 consentRef) internal _consentRefs;
    mapping(bytes32 assetId => AssetState) internal _states;

    mapping(bytes32 lifeKey => mapping(IDataRegistry.Right right => RightBook)) internal _books;
    mapping(bytes32 lifeKey => mapping(address pledgee => uint256 count)) internal _activePledgesOf;

    mapping(bytes32 childId => bytes32[16] parents) internal _parents;
    mapping(bytes32 childId => uint256 packedBps) internal _parentShares; // 16 x uint16, parent i at bits 16i
    mapping(bytes32 childId => bytes32[] parents) internal _formerParents; // parents named in earlier lives
    mapping(bytes32 parentId => bytes32[] children) internal _children;

    mapping(uint256 licenceId => LicenceRecord) internal _licences;
    mapping(bytes32 licenceKey => uint256[] licenceIds) internal _licenceIndex; // key: (asset, licensee, purpose)
    mapping(bytes32 assetId => mapping(address licensee => bool)) internal _everLicensed;

    mapping(uint256 pledgeId => PledgeRecord) internal _pledges;
    mapping(uint256 disputeId => DisputeRecord) internal _disputes;

    mapping(address party => PartyRecord) internal _parties;
    mapping(address party => address[] predecessors) internal _predecessors;

    mapping(bytes10 code => bytes32 assetId) internal _assetByCode;
    mapping(uint256 chainId => mapping(address registry => bool)) internal _recognized;

    Counters internal _counters;
    uint40 internal _noticePeriod;
    string internal _certificatePrefix;

    constructor() EIP712("DataRegistry", "1") {}

    // ------------------------------------------------------------------ shared internals

    /// @dev The asset's head and state, if it is certified and not frozen.
    function _requireOperable(bytes32 assetId)
        internal
        view
        returns (AssetHead storage head, AssetState storage state)
    {
        head = _heads[assetId];
        if (head.status != IDataRegistry.Status.Certified) {
            revert IDataRegistry.RegistryNotCertified(assetId, head.status);
        }
        state = _states[assetId];
        if (state.regulatorFrozen || state.openDisputes != 0) revert IDataRegistry.RegistryAssetFrozen(assetId);
    }

    function _requireHolderAuthority(address from) internal view {
        if (_resolve(from) != msg.sender) revert IDataRegistry.RegistryUnauthorizedHolder(msg.sender, from);
    }

    function _requireAvailable(
        bytes32 assetId,
        IDataRegistry.Right right,
        RightBook storage book,
        address applicant,
        address from,
        uint64 shares
    ) internal view {
        if (shares == 0) revert IDataRegistry.RegistryInvalidShares(0);
        uint64 available = _balanceOf(book, applicant, from) - book.holdings[from].pledged;
        if (shares > available) {
            revert IDataRegistry.RegistryInsufficientShares(assetId, right, from, available, shares);
        }
    }

    /// @dev Move shares between holder keys; the caller checked availability. The applicant's balance
    /// is implicit: moving from it raises `distributed`, moving to it lowers `distributed`.
    function _move(RightBook storage book, address applicant, address from, address to, uint64 shares) internal {
        if (from == to) return;
        if (from == applicant) {
            book.distributed += shares;
        } else {
            Holding storage source = book.holdings[from];
            uint64 left = source.balance - shares;
            source.balance = left;
            if (left == 0) _unlist(book, source);
        }
        if (to == applicant) {
            book.distributed -= shares;
        } else {
            Holding storage target = book.holdings[to];
            if (target.balance == 0) {
                uint32 count = book.holderCount + 1;
                book.holderCount = count;
                book.holderAt[count - 1] = to;
                target.position = count;
            }
            target.balance += shares;
        }
    }

    /// @dev Swap-and-pop removal of a holder key whose balance dropped to zero.
    function _unlist(RightBook storage book, Holding storage holding) private {
        uint32 position = holding.position;
        uint32 last = book.holderCount;
        if (position != last) {
            address moved = book.holderAt[last - 1];
            book.holderAt[position - 1] = moved;
            book.holdings[moved].position = position;
        }
        delete book.holderAt[last - 1];
        book.holderCount = last - 1;
        holding.position = 0;
    }

    function _balanceOf(RightBook storage book, address applicant, address holder) internal view returns (uint64) {
        if (holder == address(0)) return 0;
        if (holder == applicant) return _TOTAL_SHARES - book.distributed;
        return book.holdings[holder].balance;
    }

    /// @dev Shares of `party` and, recursively, of every party it succeeds (depth <= MAX_SUCCESSION_DEPTH).
    function _effectiveShares(RightBook storage book, address applicant, address party)
        internal
        view
        returns (uint64 total)
    {
        total = _balanceOf(book, applicant, party);
        address[] storage preds = _predecessors[party];
        uint256 n = preds.length;
        for (uint256 i; i < n; ++i) {
            total += _effectiveShares(book, applicant, preds[i]);
        }
    }

    /// @dev The party acting for `party`: the end of its successor chain.
    function _resolve(address party) internal view returns (address) {
        // Chains are at most MAX_SUCCESSION_DEPTH hops (recordSuccession), so this reaches the end.
        for (uint256 i; i < MAX_SUCCESSION_DEPTH; ++i) {
            address next = _parties[party].successor;
            if (next == address(0)) break;
            party = next;
        }
        return party;
    }

    function _lifeKey(bytes32 assetId, uint32 epoch) internal pure returns (bytes32) {
        return keccak256(abi.encode(assetId, epoch));
    }
}

/**
 * @title DataRegistryExtension
 * @notice Pledges and disputes of {DataRegistry}, run by DELEGATECALL on the registry's storage.
 * @dev Deployed by the registry's constructor; see {DataRegistryStorage}. The NatSpec of each
 * function is that of the {IDataRegistry} function of the same name.
 */
contract DataRegistryExtension is DataRegistryStorage {
    // ------------------------------------------------------------------ pledges

    /// @notice See {IDataRegistry-pledge}.
    function pledge(
        bytes32 assetId,
        IDataRegistry.Right right,
        address from,
        address pledgee,
        uint64 shares,
        bytes32 termsHash
    ) external returns (uint256 pledgeId) {
        (AssetHead storage head, AssetState storage state) = _requireOperable(assetId);
        if (pledgee == address(0)) revert IDataRegistry.RegistryZeroAddress();
        _requireHolderAuthority(from);
        uint32 epoch = state.epoch;
        bytes32 life = _lifeKey(assetId, epoch);
        RightBook storage book = _books[life][right];
        _requireAvailable(assetId, right, book, head.applicant, from, shares);
        book.holdings[from].pledged += shares;
        state.activePledges += 1;
        _activePledgesOf[life][pledgee] += 1;
        pledgeId = ++_counters.pledges;
        _pledges[pledgeId] = PledgeRecord({
            assetId: assetId,
            pledgor: from,
            right: right,
            active: true,
            epoch: epoch,
            pledgee: pledgee,
            shares: shares,
            termsHash: termsHash
        });
        emit IDataRegistry.PledgeCreated(pledgeId, assetId, from, pledgee, right, shares, termsHash);
    }

    /// @notice See {IDataRegistry-releasePledge}.
    function releasePledge(uint256 pledgeId) external {
        (PledgeRecord storage p, AssetState storage state) = _activePledge(pledgeId);
        if (_resolve(p.pledgee) != msg.sender) revert IDataRegistry.RegistryNotPledgee(pledgeId, msg.sender);
        _closePledge(p, state);
        emit IDataRegistry.PledgeReleased(pledgeId, p.assetId, p.pledgee);
    }

    /// @notice See {IDataRegistry-enforcePledge}. The move ignores any freeze; the shares are
    /// credited to the pledgee's resolved party.
    function enforcePledge(uint256 pledgeId) external {
        if (!hasRole(REGISTRAR_ROLE, msg.sender) && !hasRole(ARBITRATOR_ROLE, msg.sender)) {
            revert AccessControlUnauthorizedAccount(msg.sender, REGISTRAR_ROLE);
        }
        (PledgeRecord storage p, AssetState storage state) = _activePledge(pledgeId);
        RightBook storage book = _closePledge(p, state);
        bytes32 assetId = p.assetId;
        address pledgee = p.pledgee;
        emit IDataRegistry.PledgeEnforced(pledgeId, assetId, pledgee, msg.sender);
        address to = _resolve(pledgee);
        address pledgor = p.pledgor;
        uint64 shares = p.shares;
        _move(book, _heads[assetId].applicant, pledgor, to, shares);
        emit IDataRegistry.RightTransferred(assetId, p.right, pledgor, to, shares, msg.sender);
    }

    // ------------------------------------------------------------------ disputes

    /// @notice See {IDataRegistry-fileDispute}.
    function fileDispute(bytes32 assetId, bytes32 evidenceHash) external returns (uint256 disputeId) {
        AssetHead storage head = _heads[assetId];
        if (head.status == IDataRegistry.Status.None) revert IDataRegistry.RegistryUnknownAsset(assetId);
        if (evidenceHash == bytes32(0)) revert IDataRegistry.RegistryZeroHash("evidenceHash");
        AssetState storage state = _states[assetId];
        if (!_hasStanding(assetId, head, state.epoch, msg.sender)) {
            revert IDataRegistry.RegistryNoStanding(assetId, msg.sender);
        }
        state.openDisputes += 1;
        disputeId = ++_counters.disputes;
        DisputeRecord storage d = _disputes[disputeId];
        d.assetId = assetId;
        d.claimant = msg.sender;
        d.evidenceHash = evidenceHash;
        emit IDataRegistry.DisputeFiled(disputeId, assetId, msg.sender, evidenceHash);
    }

    /// @notice See {IDataRegistry-resolveDispute}. Ordered transfers ignore every freeze (a
    /// regulator's included) but respect pledges. A CertificateRevoked ruling on an asset that is
    /// neither Applied nor Certified changes no status.
    function resolveDispute(
        uint256 disputeId,
        IDataRegistry.Ruling ruling,
        bytes32 rulingHash,
        IDataRegistry.RightTransfer[] calldata transfers
    ) external onlyRole(ARBITRATOR_ROLE) {
        if (disputeId == 0 || disputeId > _counters.disputes) {
            revert IDataRegistry.RegistryUnknownDispute(disputeId);
        }
        DisputeRecord storage d = _disputes[disputeId];
        if (d.ruling != IDataRegistry.Ruling.None) revert IDataRegistry.RegistryDisputeClosed(disputeId);
        if (
            ruling == IDataRegistry.Ruling.None
                || (transfers.length != 0 && ruling != IDataRegistry.Ruling.RightsTransferred)
        ) revert IDataRegistry.RegistryInvalidRuling(disputeId, ruling);
        bytes32 assetId = d.assetId;
        d.ruling = ruling;
        d.rulingHash = rulingHash;
        _states[assetId].openDisputes -= 1;
        emit IDataRegistry.DisputeResolved(disputeId, assetId, msg.sender, ruling, rulingHash);
        if (ruling == IDataRegistry.Ruling.RightsTransferred) {
            for (uint256 i; i < transfers.length; ++i) {
                _orderedTransfer(assetId, transfers[i]);
            }
        } else if (ruling == IDataRegistry.Ruling.CertificateRevoked) {
            AssetHead storage head = _heads[assetId];
            string memory reason = string.concat("dispute ", Strings.toString(disputeId), " upheld");
            if (head.status == IDataRegistry.Status.Applied) {
                head.status = IDataRegistry.Status.Rejected;
                emit IDataRegistry.ApplicationRejected(assetId, msg.sender, reason);
            } else if (head.status == IDataRegistry.Status.Certified) {
                head.status = IDataRegistry.Status.Revoked;
                emit IDataRegistry.CertificateRevoked(assetId, msg.sender, reason);
            }
        }
    }

    // ------------------------------------------------------------------ internals

    function _orderedTransfer(bytes32 assetId, IDataRegistry.RightTransfer calldata t) private {
        if (t.to == address(0)) revert IDataRegistry.RegistryZeroAddress();
        IDataRegistry.Right right = t.right;
        RightBook storage book = _books[_lifeKey(assetId, _states[assetId].epoch)][right];
        address applicant = _heads[assetId].applicant;
        _requireAvailable(assetId, right, book, applicant, t.from, t.shares);
        address to = _resolve(t.to);
        _move(book, applicant, t.from, to, t.shares);
        emit IDataRegistry.RightTransferred(assetId, right, t.from, to, t.shares, msg.sender);
    }

    function _activePledge(uint256 pledgeId) private view returns (PledgeRecord storage p, AssetState storage state) {
        if (pledgeId == 0 || pledgeId > _counters.pledges) revert IDataRegistry.RegistryUnknownPledge(pledgeId);
        p = _pledges[pledgeId];
        state = _states[p.assetId];
        if (!p.active || p.epoch != state.epoch) revert IDataRegistry.RegistryPledgeInactive(pledgeId);
    }

    /// @dev Mark a pledge inactive and release its shares; returns the book of the pledged right.
    function _closePledge(PledgeRecord storage p, AssetState storage state) private returns (RightBook storage book) {
        bytes32 life = _lifeKey(p.assetId, p.epoch);
        book = _books[life][p.right];
        p.active = false;
        book.holdings[p.pledgor].pledged -= p.shares;
        state.activePledges -= 1;
        _activePledgesOf[life][p.pledgee] -= 1;
    }

    /// @dev Standing to file a dispute: anyone during notice; afterwards a regulator, an effective
    /// holder of any share of any right, or (directly or by succession) an ever-licensee of the
    /// asset or the pledgee of an active pledge on it.
    function _hasStanding(bytes32 assetId, AssetHead storage head, uint32 epoch, address account)
        private
        view
        returns (bool)
    {
        if (head.status == IDataRegistry.Status.Applied || hasRole(REGULATOR_ROLE, account)) return true;
        bytes32 life = _lifeKey(assetId, epoch);
        address applicant = head.applicant;
        for (uint256 r; r < 3; ++r) {
            if (_effectiveShares(_books[life][IDataRegistry.Right(r)], applicant, account) != 0) return true;
        }
        return _hasInterest(assetId, life, account);
    }

    function _hasInterest(bytes32 assetId, bytes32 life, address party) private view returns (bool) {
        if (_everLicensed[assetId][party] || _activePledgesOf[life][party] != 0) return true;
        address[] storage preds = _predecessors[party];
        uint256 n = preds.length;
        for (uint256 i; i < n; ++i) {
            if (_hasInterest(assetId, life, preds[i])) return true;
        }
        return false;
    }
}

/**
 * @title DataRegistry
 * @notice Implementation of {IDataRegistry}: data property rights registration, rights in shares,
 * licences, lineage, pledges, disputes, succession and supervision. The single entry point: pledge
 * and dispute calls are forwarded by DELEGATECALL to the {DataRegistryExtension} this contract
 * deploys (see {DataRegistryStorage}), so every event comes from this address.
 */
contract DataRegistry is IDataRegistry, DataRegistryStorage {
    bytes32 private constant _REGISTER_TYPEHASH = keccak256(
        "Register(bytes32 contentHash,bytes32 metadataHash,string metadataURI,uint8 category,uint8 level,uint8 kind,"
        "bytes32 consentRef,bytes32[] parents,uint256[] parentLicences,address applicant,uint256 nonce,uint256 deadline)"
    );

    /// @inheritdoc IDataRegistry
    uint64 public constant TOTAL_SHARES = _TOTAL_SHARES;

    /// @notice The extension that runs pledges and disputes on this contract's storage.
    address public immutable extension;

    /**
     * @param admin Receives DEFAULT_ADMIN_ROLE (and grants the other roles).
     * @param certificatePrefix Prefix of certificate numbers, e.g. "DR".
     * @param noticePeriod_ Public notice window for new applications, in seconds.
     */
    constructor(address admin, string memory certificatePrefix, uint40 noticePeriod_) {
        if (admin == address(0)) revert RegistryZeroAddress();
        extension = address(new DataRegistryExtension());
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _certificatePrefix = certificatePrefix;
        _noticePeriod = noticePeriod_;
        emit NoticePeriodSet(noticePeriod_, admin);
    }

    // ------------------------------------------------------------------ registration

    /// @inheritdoc IDataRegistry
    function register(Registration calldata registration) external returns (bytes32 assetId) {
        return _register(registration, msg.sender, msg.sender);
    }

    /// @inheritdoc IDataRegistry
    function registerBatch(Registration[] calldata registrations) external {
        uint256 n = registrations.length;
        if (n == 0) revert RegistryEmptyBatch();
        for (uint256 i; i < n; ++i) {
            _register(registrations[i], msg.sender, msg.sender);
        }
    }

    /// @inheritdoc IDataRegistry
    function registerFor(
        Registration calldata registration,
        address applicant,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 assetId) {
        if (block.timestamp > deadline) revert RegistryExpiredSignature(deadline);
        bytes32 digest = _hashTypedDataV4(_registerStructHash(registration, applicant, _useNonce(applicant), deadline));
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        if (err != ECDSA.RecoverError.NoError) revert RegistryInvalidSigner(applicant, address(0));
        if (recovered != applicant) revert RegistryInvalidSigner(applicant, recovered);
        return _register(registration, applicant, msg.sender);
    }

    /// @inheritdoc IDataRegistry
    function certify(bytes32 assetId) external onlyRole(REGISTRAR_ROLE) {
        AssetHead storage head = _heads[assetId];
        if (head.status != Status.Applied) revert RegistryWrongStatus(assetId, head.status);
        if (block.timestamp < head.noticeEndsAt) revert RegistryNoticePeriodOpen(assetId, head.noticeEndsAt);
        AssetState storage state = _states[assetId];
        if (state.regulatorFrozen || state.openDisputes != 0) revert RegistryAssetFrozen(assetId);
        uint64 serial = ++_counters.serials;
        uint40 certifiedAt = uint40(block.timestamp);
        head.status = Status.Certified;
        state.serial = serial;
        state.certifiedAt = certifiedAt;
        bytes10 code = _verificationCode(assetId);
        _assetByCode[code] = assetId;
        emit AssetCertified(assetId, msg.sender, code, serial, _yearOf(certifiedAt), certifiedAt);
    }

    /// @inheritdoc IDataRegistry
    function reject(bytes32 assetId, string calldata reason) external onlyRole(REGISTRAR_ROLE) {
        AssetHead storage head = _heads[assetId];
        if (head.status != Status.Applied) revert RegistryWrongStatus(assetId, head.status);
        if (bytes(reason).length == 0) revert RegistryEmptyReason();
        head.status = Status.Rejected;
        emit ApplicationRejected(assetId, msg.sender, reason);
    }

    /// @inheritdoc IDataRegistry
    function revokeCertificate(bytes32 assetId, string calldata reason) external onlyRole(REGISTRAR_ROLE) {
        AssetHead storage head = _heads[assetId];
        if (head.status != Status.Certified) revert RegistryWrongStatus(assetId, head.status);
        if (bytes(reason).length == 0) revert RegistryEmptyReason();
        head.status = Status.Revoked;
        emit CertificateRevoked(assetId, msg.sender, reason);
    }

    // ------------------------------------------------------------------ rights

    /// @inheritdoc IDataRegistry
    /// @dev A transfer whose `to` resolves to `from` itself is allowed and moves nothing (the event is
    /// still emitted). The event's `to` is the credited holder key, `resolveParty(to)`.
    function transferRight(bytes32 assetId, Right right, address from, address to, uint64 shares) external {
        (AssetHead storage head, AssetState storage state) = _requireOperable(assetId);
        if (to == address(0)) revert RegistryZeroAddress();
        _requireHolderAuthority(from);
        address credited = _resolve(to);
        RightBook storage book = _books[_lifeKey(assetId, state.epoch)][right];
        address applicant = head.applicant;
        _requireAvailable(assetId, right, book, applicant, from, shares);
        _move(book, applicant, from, credited, shares);
        emit RightTransferred(assetId, right, from, credited, shares, msg.sender);
    }

    /// @inheritdoc IDataRegistry
    /// @dev A link that would make some successor chain longer than MAX_SUCCESSION_DEPTH hops is
    /// refused with {RegistrySuccessionCycle} too: such a chain could not be resolved.
    function recordSuccession(address predecessor, address successor, SuccessionKind kind, bytes32 basisHash)
        external
        onlyRole(REGISTRAR_ROLE)
    {
        if (predecessor == address(0) || successor == address(0)) revert RegistryZeroAddress();
        if (predecessor == successor) revert RegistrySuccessionCycle(predecessor, successor);
        PartyRecord storage pred = _parties[predecessor];
        if (pred.successor != address(0)) revert RegistryAlreadySucceeded(predecessor, pred.successor);
        // (1) walk up from the successor: reaching the predecessor would close a cycle.
        uint256 hops;
        address cursor = successor;
        while (true) {
            address next = _parties[cursor].successor;
            if (next == address(0)) break;
            if (next == predecessor) revert RegistrySuccessionCycle(predecessor, successor);
            cursor = next;
            ++hops;
        }
        // (2) the longest chain through the new link must stay within MAX_SUCCESSION_DEPTH.
        uint256 height = uint256(pred.height) + 1;
        if (height + hops > MAX_SUCCESSION_DEPTH) revert RegistrySuccessionCycle(predecessor, successor);
        // (3) link, then raise the heights above.
        pred.successor = successor;
        _predecessors[successor].push(predecessor);
        cursor = successor;
        while (cursor != address(0)) {
            PartyRecord storage node = _parties[cursor];
            if (node.height >= height) break;
            node.height = uint8(height);
            ++height;
            cursor = node.successor;
        }
        emit SuccessionRecorded(predecessor, successor, kind, basisHash, msg.sender);
    }

    // ------------------------------------------------------------------ licences

    /// @inheritdoc IDataRegistry
    function grantLicence(LicenceTerms calldata terms) external returns (uint256 licenceId) {
        return _grantLicence(msg.sender, terms);
    }

    /// @inheritdoc IDataRegistry
    function grantLicenceFor(address grantor, LicenceTerms calldata terms)
        external
        onlyRole(EXCHANGE_ROLE)
        returns (uint256 licenceId)
    {
        return _grantLicence(grantor, terms);
    }

    /// @inheritdoc IDataRegistry
    function revokeLicence(uint256 licenceId, string calldata reason) external {
        LicenceRecord storage licence = _licence(licenceId);
        if (licence.revoked) revert RegistryLicenceRevoked(licenceId);
        if (
            _resolve(licence.grantor) != msg.sender && !hasRole(REGISTRAR_ROLE, msg.sender)
                && !hasRole(ARBITRATOR_ROLE, msg.sender)
        ) revert RegistryNotGrantor(licenceId, msg.sender);
        if (bytes(reason).length == 0) revert RegistryEmptyReason();
        licence.revoked = true;
        emit LicenceRevoked(licenceId, licence.assetId, msg.sender, reason);
    }

    // ------------------------------------------------------------------ pledges and disputes (extension)

    // forgefmt: disable-start
    // The forwarders keep their parameter names as comments (the extension reads the calldata);
    // forge fmt would put every such comment on a line of its own.
    /// @inheritdoc IDataRegistry
    function pledge(
        bytes32, /* assetId */
        Right, /* right */
        address, /* from */
        address, /* pledgee */
        uint64, /* shares */
        bytes32 /* termsHash */
    ) external returns (uint256 /* pledgeId */) {
        _forward();
    }

    /// @inheritdoc IDataRegistry
    function releasePledge(uint256 /* pledgeId */) external {
        _forward();
    }

    /// @inheritdoc IDataRegistry
    function enforcePledge(uint256 /* pledgeId */) external {
        _forward();
    }

    /// @inheritdoc IDataRegistry
    function fileDispute(bytes32, /* assetId */ bytes32 /* evidenceHash */ )
        external
        returns (uint256 /* disputeId */)
    {
        _forward();
    }

    /// @inheritdoc IDataRegistry
    function resolveDispute(
        uint256, /* disputeId */
        Ruling, /* ruling */
        bytes32, /* rulingHash */
        RightTransfer[] calldata /* transfers */
    ) external {
        _forward();
    }

        // forgefmt: disable-end

    // ------------------------------------------------------------------ supervision

    /// @inheritdoc IDataRegistry
    function freeze(bytes32 assetId, bytes32 reasonHash) external onlyRole(REGULATOR_ROLE) {
        if (_heads[assetId].status == Status.None) revert RegistryUnknownAsset(assetId);
        AssetState storage state = _states[assetId];
        if (state.regulatorFrozen) revert RegistryAlreadyFrozen(assetId);
        state.regulatorFrozen = true;
        emit AssetFrozen(assetId, msg.sender, reasonHash);
    }

    /// @inheritdoc IDataRegistry
    function unfreeze(bytes32 assetId, bytes32 reasonHash) external onlyRole(REGULATOR_ROLE) {
        if (_heads[assetId].status == Status.None) revert RegistryUnknownAsset(assetId);
        AssetState storage state = _states[assetId];
        if (!state.regulatorFrozen) revert RegistryNotFrozen(assetId);
        state.regulatorFrozen = false;
        emit AssetUnfrozen(assetId, msg.sender, reasonHash);
    }

    /// @inheritdoc IDataRegistry
    function setRecognizedRegistry(uint256 chainId, address registry, bool recognized)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        if (registry == address(0)) revert RegistryZeroAddress();
        _recognized[chainId][registry] = recognized;
        emit RegistryRecognized(chainId, registry, recognized, msg.sender);
    }

    /// @inheritdoc IDataRegistry
    function setNoticePeriod(uint40 noticePeriod_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _noticePeriod = noticePeriod_;
        emit NoticePeriodSet(noticePeriod_, msg.sender);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IDataRegistry
    function getAsset(bytes32 assetId) external view returns (Asset memory asset) {
        AssetHead storage head = _heads[assetId];
        AssetState storage state = _states[assetId];
        asset.applicant = head.applicant;
        asset.category = head.category;
        asset.level = head.level;
        asset.kind = head.kind;
        asset.status = head.status;
        asset.noticeEndsAt = head.noticeEndsAt;
        asset.metadataHash = _metadataHashes[assetId];
        asset.consentRef = _consentRefs[assetId];
        asset.serial = state.serial;
        asset.certifiedAt = state.certifiedAt;
        asset.openDisputes = state.openDisputes;
        asset.regulatorFrozen = state.regulatorFrozen;
    }

    /// @inheritdoc IDataRegistry
    function sharesOf(bytes32 assetId, Right right, address holder) external view returns (uint64) {
        (RightBook storage book, address applicant) = _currentBook(assetId, right);
        return _balanceOf(book, applicant, holder);
    }

    /// @inheritdoc IDataRegistry
    function effectiveSharesOf(bytes32 assetId, Right right, address party) external view returns (uint64) {
        (RightBook storage book, address applicant) = _currentBook(assetId, right);
        return _effectiveShares(book, applicant, party);
    }

    /// @inheritdoc IDataRegistry
    function pledgedSharesOf(bytes32 assetId, Right right, address holder) external view returns (uint64) {
        (RightBook storage book,) = _currentBook(assetId, right);
        return book.holdings[holder].pledged;
    }

    /// @inheritdoc IDataRegistry
    /// @dev Order: the applicant first (if it holds any share), then the other holder keys in list
    /// order: a key is appended when its balance becomes non-zero; a key whose balance drops to zero
    /// is replaced by the last key of the list (swap and pop).
    function holdersOf(bytes32 assetId, Right right) external view returns (address[] memory, uint64[] memory) {
        (RightBook storage book, address applicant) = _currentBook(assetId, right);
        uint256 listed = book.holderCount;
        uint64 applicantShares = applicant == address(0) ? 0 : TOTAL_SHARES - book.distributed;
        uint256 offset = applicantShares > 0 ? 1 : 0;
        address[] memory holders = new address[](listed + offset);
        uint64[] memory shares = new uint64[](listed + offset);
        if (offset == 1) {
            holders[0] = applicant;
            shares[0] = applicantShares;
        }
        for (uint256 i; i < listed; ++i) {
            address holder = book.holderAt[i];
            holders[i + offset] = holder;
            shares[i + offset] = book.holdings[holder].balance;
        }
        return (holders, shares);
    }

    /// @inheritdoc IDataRegistry
    function activePledgeCount(bytes32 assetId) external view returns (uint256) {
        return _states[assetId].activePledges;
    }

    /// @inheritdoc IDataRegistry
    function isFrozen(bytes32 assetId) external view returns (bool) {
        AssetState storage state = _states[assetId];
        return state.regulatorFrozen || state.openDisputes != 0;
    }

    /// @inheritdoc IDataRegistry
    function getLicence(uint256 licenceId) external view returns (Licence memory licence) {
        LicenceRecord storage l = _licence(licenceId);
        licence.terms = LicenceTerms({
            assetId: l.assetId,
            licensee: l.licensee,
            purposeHash: l.purposeHash,
            startsAt: l.startsAt,
            expiresAt: l.expiresAt,
            termsHash: l.termsHash,
            revenueShareBps: l.revenueShareBps,
            derivativesAllowed: l.derivativesAllowed
        });
        licence.grantor = l.grantor;
        licence.revoked = l.revoked;
    }

    /// @inheritdoc IDataRegistry
    /// @dev A licence granted in an earlier life of its asset (before a re-application) is never valid.
    function isLicenceValid(uint256 licenceId) external view returns (bool) {
        if (licenceId == 0 || licenceId > _counters.licences) return false;
        LicenceRecord storage l = _licences[licenceId];
        return _isValid(l, _states[l.assetId].epoch);
    }

    /// @inheritdoc IDataRegistry
    function mayUse(bytes32 assetId, address party, bytes32 purposeHash) external view returns (bool) {
        AssetHead storage head = _heads[assetId];
        if (head.status != Status.Certified || party == address(0)) return false;
        uint32 epoch = _states[assetId].epoch;
        RightBook storage book = _books[_lifeKey(assetId, epoch)][_licensingRight(head.kind)];
        if (_effectiveShares(book, head.applicant, party) != 0) return true;
        return _holdsLicence(assetId, epoch, party, purposeHash);
    }

    /// @inheritdoc IDataRegistry
    function parentsOf(bytes32 assetId)
        external
        view
        returns (bytes32[] memory parents, uint16[] memory revenueShareBps)
    {
        uint256 n = _heads[assetId].parentCount;
        parents = new bytes32[](n);
        revenueShareBps = new uint16[](n);
        uint256 packed = _parentShares[assetId];
        bytes32[16] storage stored = _parents[assetId];
        for (uint256 i; i < n; ++i) {
            parents[i] = stored[i];
            revenueShareBps[i] = uint16(packed >> (16 * i));
        }
    }

    /// @inheritdoc IDataRegistry
    /// @dev Each child once, in the order of the first {DerivationRecorded} naming `assetId` as parent.
    function childrenOf(bytes32 assetId) external view returns (bytes32[] memory) {
        return _children[assetId];
    }

    /// @inheritdoc IDataRegistry
    /// @dev `active` is false for a pledge made in an earlier life of its asset.
    function getPledge(uint256 pledgeId) external view returns (Pledge memory) {
        if (pledgeId == 0 || pledgeId > _counters.pledges) revert RegistryUnknownPledge(pledgeId);
        PledgeRecord storage p = _pledges[pledgeId];
        return Pledge({
            assetId: p.assetId,
            right: p.right,
            pledgor: p.pledgor,
            pledgee: p.pledgee,
            shares: p.shares,
            termsHash: p.termsHash,
            active: p.active && p.epoch == _states[p.assetId].epoch
        });
    }

    /// @inheritdoc IDataRegistry
    function getDispute(uint256 disputeId) external view returns (Dispute memory) {
        if (disputeId == 0 || disputeId > _counters.disputes) revert RegistryUnknownDispute(disputeId);
        DisputeRecord storage d = _disputes[disputeId];
        return Dispute({
            assetId: d.assetId,
            claimant: d.claimant,
            evidenceHash: d.evidenceHash,
            ruling: d.ruling,
            rulingHash: d.rulingHash
        });
    }

    /// @inheritdoc IDataRegistry
    function verificationCode(bytes32 assetId) external view returns (bytes10) {
        return _verificationCode(assetId);
    }

    /// @inheritdoc IDataRegistry
    function assetByCode(bytes10 code) external view returns (bytes32) {
        return _assetByCode[code];
    }

    /// @inheritdoc IDataRegistry
    function certificateNumber(bytes32 assetId) external view returns (string memory) {
        AssetState storage state = _states[assetId];
        uint64 serial = state.serial;
        if (serial == 0) return "";
        bytes memory digits = bytes(Strings.toString(serial));
        while (digits.length < 6) {
            digits = bytes.concat("0", digits);
        }
        return string.concat(_certificatePrefix, "-", Strings.toString(_yearOf(state.certifiedAt)), "-", string(digits));
    }

    /// @inheritdoc IDataRegistry
    function successorOf(address party) external view returns (address) {
        return _parties[party].successor;
    }

    /// @inheritdoc IDataRegistry
    function resolveParty(address party) external view returns (address) {
        return _resolve(party);
    }

    /// @inheritdoc IDataRegistry
    function predecessorsOf(address party) external view returns (address[] memory) {
        return _predecessors[party];
    }

    /// @inheritdoc IDataRegistry
    function isRecognizedRegistry(uint256 chainId, address registry) external view returns (bool) {
        return _recognized[chainId][registry];
    }

    /// @inheritdoc IDataRegistry
    function noticePeriod() external view returns (uint40) {
        return _noticePeriod;
    }

    /// @inheritdoc IDataRegistry
    function nonces(address applicant) public view override(IDataRegistry, Nonces) returns (uint256) {
        return super.nonces(applicant);
    }

    /// @notice The EIP-712 domain separator of this registry (name "DataRegistry", version "1").
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice ERC-165: AccessControl's interfaces and {IDataRegistry}.
    function supportsInterface(bytes4 interfaceId) public view override returns (bool) {
        return interfaceId == type(IDataRegistry).interfaceId || super.supportsInterface(interfaceId);
    }

    // ------------------------------------------------------------------ internals: registration

    function _register(Registration calldata r, address applicant, address submitter)
        private
        returns (bytes32 assetId)
    {
        // (1) validate the application itself.
        assetId = r.contentHash;
        if (assetId == bytes32(0)) revert RegistryZeroHash("contentHash");
        bytes32 metadataHash = r.metadataHash;
        if (metadataHash == bytes32(0)) revert RegistryZeroHash("metadataHash");
        Category category = r.category;
        bytes32 consentRef = r.consentRef;
        if (category == Category.Personal) {
            if (consentRef == bytes32(0)) revert RegistryConsentRequired(assetId);
        } else if (consentRef != bytes32(0)) {
            revert RegistryConsentNotAllowed(assetId);
        }
        uint256 parentCount = r.parents.length;
        if (parentCount != r.parentLicences.length) {
            revert RegistryParentsMismatch(parentCount, r.parentLicences.length);
        }
        if (parentCount > MAX_PARENTS) revert RegistryTooManyParents(parentCount, MAX_PARENTS);
        // (2) a new asset, or a new life for a rejected or revoked one.
        AssetHead storage head = _heads[assetId];
        Status prior = head.status;
        bool reapplied = prior != Status.None;
        if (reapplied) {
            if (prior == Status.Applied || prior == Status.Certified) revert RegistryAssetExists(assetId, prior);
            _startNewLife(assetId, head);
        }
        // (3) write the head and the metadata hash (and the consent reference of personal data).
        uint40 noticeEndsAt = _writeHead(head, r, applicant);
        _metadataHashes[assetId] = metadataHash;
        if (category == Category.Personal) _consentRefs[assetId] = consentRef;
        _emitApplied(r, applicant, submitter, noticeEndsAt);
        // (4) lineage.
        if (parentCount != 0) _recordParents(assetId, r, applicant, reapplied);
    }

    /// @dev Write the head of a new application with one SSTORE, in the layout of {AssetHead}
    /// (assigning the struct would write it member by member).
    function _writeHead(AssetHead storage head, Registration calldata r, address applicant)
        private
        returns (uint40 noticeEndsAt)
    {
        noticeEndsAt = uint40(block.timestamp) + _noticePeriod;
        uint256 packed = uint256(uint160(applicant)) | (uint256(r.category) << 160) | (uint256(r.level) << 168)
            | (uint256(r.kind) << 176) | (uint256(Status.Applied) << 184) | (uint256(noticeEndsAt) << 192)
            | (r.parents.length << 232);
        assembly ("memory-safe") {
            sstore(head.slot, packed)
        }
    }

    function _emitApplied(Registration calldata r, address applicant, address submitter, uint40 noticeEndsAt) private {
        emit AssetApplied(
            r.contentHash,
            applicant,
            submitter,
            r.metadataHash,
            r.metadataURI,
            r.category,
            r.level,
            r.kind,
            r.consentRef,
            noticeEndsAt
        );
    }

    /// @dev Reset a rejected or revoked asset for a new application: next epoch, state slot cleared,
    /// consent reference cleared, the previous life's parents remembered for {childrenOf}.
    function _startNewLife(bytes32 assetId, AssetHead storage head) private {
        AssetState storage state = _states[assetId];
        if (state.regulatorFrozen || state.openDisputes != 0) revert RegistryAssetFrozen(assetId);
        _states[assetId] = AssetState({
            serial: 0, certifiedAt: 0, openDisputes: 0, regulatorFrozen: false, activePledges: 0, epoch: state.epoch + 1
        });
        if (head.category == Category.Personal) delete _consentRefs[assetId];
        uint256 n = head.parentCount;
        bytes32[] storage former = _formerParents[assetId];
        for (uint256 i; i < n; ++i) {
            bytes32 parentId = _parents[assetId][i];
            if (!_contains(former, parentId)) former.push(parentId);
        }
    }

    function _recordParents(bytes32 assetId, Registration calldata r, address applicant, bool reapplied) private {
        uint256 n = r.parents.length;
        uint256 packed;
        uint256 total;
        for (uint256 i; i < n; ++i) {
            bytes32 parentId = r.parents[i];
            for (uint256 j; j < i; ++j) {
                if (r.parents[j] == parentId) revert RegistryInvalidParent(assetId, parentId);
            }
            uint256 licenceId = r.parentLicences[i];
            uint16 bps = _derivationShare(assetId, parentId, licenceId, applicant);
            total += bps;
            if (total > _MAX_BPS) revert RegistryRevenueShareTooHigh(total);
            _parents[assetId][i] = parentId;
            packed |= uint256(bps) << (16 * i);
            _parentShares[assetId] = packed;
            if (!reapplied || !_contains(_formerParents[assetId], parentId)) _children[parentId].push(assetId);
            emit DerivationRecorded(assetId, parentId, licenceId, bps);
        }
    }

    /// @dev The revenue share owed to `parentId`, after checking that the applicant may derive from it.
    function _derivationShare(bytes32 assetId, bytes32 parentId, uint256 licenceId, address applicant)
        private
        view
        returns (uint16)
    {
        AssetHead storage parent = _heads[parentId];
        AssetState storage state = _states[parentId];
        if (
            parentId == assetId || parent.status != Status.Certified || state.regulatorFrozen || state.openDisputes != 0
        ) revert RegistryInvalidParent(assetId, parentId);
        if (licenceId == 0) {
            RightBook storage book = _books[_lifeKey(parentId, state.epoch)][_licensingRight(parent.kind)];
            if (_effectiveShares(book, parent.applicant, applicant) == 0) {
                revert RegistryDerivativeNotPermitted(parentId, 0, applicant);
            }
            return 0;
        }
        LicenceRecord storage licence = _licence(licenceId);
        if (
            licence.assetId != parentId || !licence.derivativesAllowed || !_isValid(licence, state.epoch)
                || _resolve(licence.licensee) != applicant
        ) revert RegistryDerivativeNotPermitted(parentId, licenceId, applicant);
        return licence.revenueShareBps;
    }

    function _registerStructHash(Registration calldata r, address applicant, uint256 nonce, uint256 deadline)
        private
        pure
        returns (bytes32)
    {
        return keccak256(
            bytes.concat(
                abi.encode(
                    _REGISTER_TYPEHASH,
                    r.contentHash,
                    r.metadataHash,
                    keccak256(bytes(r.metadataURI)),
                    r.category,
                    r.level
                ),
                abi.encode(
                    r.kind,
                    r.consentRef,
                    keccak256(abi.encodePacked(r.parents)),
                    keccak256(abi.encodePacked(r.parentLicences)),
                    applicant,
                    nonce,
                    deadline
                )
            )
        );
    }

    // ------------------------------------------------------------------ internals: licences

    function _grantLicence(address grantor, LicenceTerms calldata terms) private returns (uint256 licenceId) {
        bytes32 assetId = terms.assetId;
        (AssetHead storage head, AssetState storage state) = _requireOperable(assetId);
        address licensee = terms.licensee;
        if (licensee == address(0)) revert RegistryZeroAddress();
        if (terms.startsAt >= terms.expiresAt) revert RegistryInvalidTerm(terms.startsAt, terms.expiresAt);
        if (terms.revenueShareBps > _MAX_BPS) revert RegistryInvalidBps(terms.revenueShareBps);
        uint32 epoch = state.epoch;
        RightBook storage book = _books[_lifeKey(assetId, epoch)][_licensingRight(head.kind)];
        if (_effectiveShares(book, head.applicant, grantor) == 0) revert RegistryNotLicensingHolder(assetId, grantor);
        licenceId = ++_counters.licences;
        _licences[licenceId] = LicenceRecord({
            assetId: assetId,
            licensee: licensee,
            startsAt: terms.startsAt,
            expiresAt: terms.expiresAt,
            revenueShareBps: terms.revenueShareBps,
            purposeHash: terms.purposeHash,
            termsHash: terms.termsHash,
            grantor: grantor,
            revoked: false,
            derivativesAllowed: terms.derivativesAllowed,
            epoch: epoch
        });
        _licenceIndex[_licenceKey(assetId, licensee, terms.purposeHash)].push(licenceId);
        if (!_everLicensed[assetId][licensee]) _everLicensed[assetId][licensee] = true;
        _emitLicenceGranted(licenceId, grantor, terms);
    }

    function _emitLicenceGranted(uint256 licenceId, address grantor, LicenceTerms calldata terms) private {
        emit LicenceGranted(
            licenceId,
            terms.assetId,
            terms.licensee,
            grantor,
            terms.purposeHash,
            terms.startsAt,
            terms.expiresAt,
            terms.termsHash,
            terms.revenueShareBps,
            terms.derivativesAllowed
        );
    }

    /// @dev Whether `party` or a party it succeeds holds a valid licence for exactly `purposeHash`.
    function _holdsLicence(bytes32 assetId, uint32 epoch, address party, bytes32 purposeHash)
        private
        view
        returns (bool)
    {
        uint256[] storage ids = _licenceIndex[_licenceKey(assetId, party, purposeHash)];
        uint256 n = ids.length;
        for (uint256 i; i < n; ++i) {
            if (_isValid(_licences[ids[i]], epoch)) return true;
        }
        address[] storage preds = _predecessors[party];
        n = preds.length;
        for (uint256 i; i < n; ++i) {
            if (_holdsLicence(assetId, epoch, preds[i], purposeHash)) return true;
        }
        return false;
    }

    function _isValid(LicenceRecord storage l, uint32 epoch) private view returns (bool) {
        return !l.revoked && l.epoch == epoch && l.startsAt <= block.timestamp && block.timestamp < l.expiresAt;
    }

    function _licence(uint256 licenceId) private view returns (LicenceRecord storage) {
        if (licenceId == 0 || licenceId > _counters.licences) revert RegistryUnknownLicence(licenceId);
        return _licences[licenceId];
    }

    // ------------------------------------------------------------------ internals: helpers

    /// @dev Run the current call in the extension, on this contract's storage, and return its result.
    function _forward() private {
        address target = extension;
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), target, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) { revert(0, returndatasize()) }
            return(0, returndatasize())
        }
    }

    function _currentBook(bytes32 assetId, Right right)
        private
        view
        returns (RightBook storage book, address applicant)
    {
        book = _books[_lifeKey(assetId, _states[assetId].epoch)][right];
        applicant = _heads[assetId].applicant;
    }

    function _verificationCode(bytes32 assetId) private view returns (bytes10) {
        return bytes10(keccak256(abi.encode(block.chainid, address(this), assetId)));
    }

    function _licenceKey(bytes32 assetId, address licensee, bytes32 purposeHash) private pure returns (bytes32) {
        return keccak256(abi.encode(assetId, licensee, purposeHash));
    }

    function _licensingRight(Kind kind) private pure returns (Right) {
        return kind == Kind.Resource ? Right.Processing : Right.Operation;
    }

    function _contains(bytes32[] storage list, bytes32 value) private view returns (bool) {
        uint256 n = list.length;
        for (uint256 i; i < n; ++i) {
            if (list[i] == value) return true;
        }
        return false;
    }

    /// @dev Gregorian year of a unix time (civil-from-days, H. Hinnant), for times >= 1970.
    function _yearOf(uint256 timestamp) private pure returns (uint16) {
        uint256 z = timestamp / 86_400 + 719_468;
        uint256 era = z / 146_097;
        uint256 doe = z - era * 146_097;
        uint256 yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        uint256 mp = (5 * doy + 2) / 153;
        uint256 year = yoe + era * 400;
        if (mp >= 10) ++year; // January and February count in the next civil year
        return uint16(year);
    }
}
