// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title IDataRegistry
 * @notice Data property rights registry (数据产权登记): registration with public notice and
 * certificate (一证一码), three separately held rights (三权分置) in shares, licences with
 * revenue share (授权使用、分享收益), derived-data lineage, pledges, disputes, succession,
 * supervision and cross-registry recognition.
 *
 * The asset id of a registration is the SHA-256 content hash of the data it registers: anyone
 * holding the data can find its record. Every state change emits an event from which the
 * whole state can be rebuilt without calling the contract.
 */
interface IDataRegistry {
    // ------------------------------------------------------------------ types

    /// @notice Data category (分类).
    enum Category {
        Public, // 公共数据
        Enterprise, // 企业数据
        Personal // 个人数据: needs a consent or legal-basis reference
    }

    /// @notice Classification level (分级); core data may not be listed or traded.
    enum Level {
        General, // 一般数据
        Important, // 重要数据
        Core // 核心数据
    }

    /// @notice What is registered: a data resource, or a data product built on resources.
    enum Kind {
        Resource, // licensing follows the processing/use right
        Product // licensing follows the product operation right
    }

    /// @notice Lifecycle of a registration.
    enum Status {
        None, // never applied (or an unknown asset)
        Applied, // in public notice (公示), objections open
        Certified, // certificate issued
        Rejected, // application refused (may be applied for again)
        Revoked // certificate revoked
    }

    /// @notice The three separately held rights (三权分置).
    enum Right {
        Holding, // 数据资源持有权
        Processing, // 数据加工使用权
        Operation // 数据产品经营权
    }

    /// @notice Outcome of a dispute.
    enum Ruling {
        None, // not ruled yet
        Dismissed, // nothing changes, the freeze lifts
        RightsTransferred, // the listed share transfers are carried out
        CertificateRevoked // certificate revoked (or, during notice, the application rejected)
    }

    /// @notice Why one party succeeds another (承继).
    enum SuccessionKind {
        Merger,
        Split,
        Dissolution,
        Bankruptcy,
        Death
    }

    /// @notice An application for registration.
    struct Registration {
        bytes32 contentHash; // SHA-256 of the data; becomes the asset id
        bytes32 metadataHash; // hash of the metadata document
        string metadataURI; // where the metadata document can be fetched
        Category category; // public / enterprise / personal
        Level level; // general / important / core
        Kind kind; // resource / product
        bytes32 consentRef; // consent or legal-basis reference; required (non-zero) for personal data
        bytes32[] parents; // parent asset ids, for derived data (衍生数据)
        uint256[] parentLicences; // per parent: a derivative-permitting licence of the applicant, or 0 if the applicant holds the parent's licensing right
    }

    /// @notice Stored state of an asset.
    struct Asset {
        address applicant; // who applied; initially holds every share of every right
        Category category; // data category
        Level level; // classification level
        Kind kind; // resource or product
        Status status; // lifecycle status
        uint40 noticeEndsAt; // end of the public notice window (unix seconds)
        bytes32 metadataHash; // hash of the metadata document
        bytes32 consentRef; // consent / legal basis reference (zero unless personal)
        uint64 serial; // certificate serial number, 0 before certification
        uint40 certifiedAt; // certification time, 0 before certification
        uint32 openDisputes; // disputes filed and not yet resolved
        bool regulatorFrozen; // frozen by a regulator
    }

    /// @notice Terms of a licence (授权使用).
    struct LicenceTerms {
        bytes32 assetId; // the licensed asset
        address licensee; // who may use it
        bytes32 purposeHash; // hash of the licensed scope or purpose
        uint40 startsAt; // valid from (inclusive, unix seconds)
        uint40 expiresAt; // valid until (exclusive, unix seconds)
        bytes32 termsHash; // hash of the licence contract text
        uint16 revenueShareBps; // share (basis points) of derivative revenue owed to this asset
        bool derivativesAllowed; // whether derived data may be registered under this licence
    }

    /// @notice A stored licence.
    struct Licence {
        LicenceTerms terms; // what was granted
        address grantor; // the right holder that granted it
        bool revoked; // revoked before expiry
    }

    /// @notice A pledge of shares of a right (担保融资).
    struct Pledge {
        bytes32 assetId; // pledged asset
        Right right; // pledged right
        address pledgor; // holder whose shares are pledged
        address pledgee; // creditor
        uint64 shares; // pledged shares
        bytes32 termsHash; // hash of the pledge contract
        bool active; // true until released or enforced
    }

    /// @notice A dispute (objection during notice, or a dispute later).
    struct Dispute {
        bytes32 assetId; // disputed asset
        address claimant; // who filed it
        bytes32 evidenceHash; // hash of the claimant's evidence
        Ruling ruling; // None while open
        bytes32 rulingHash; // hash of the ruling document
    }

    /// @notice A share transfer ordered by a ruling.
    struct RightTransfer {
        Right right; // which right
        address from; // holder key losing shares
        address to; // party receiving shares
        uint64 shares; // how many
    }

    // ------------------------------------------------------------------ events

    /// @notice An application was filed; the notice window runs until `noticeEndsAt`.
    event AssetApplied(
        bytes32 indexed assetId,
        address indexed applicant,
        address indexed submitter,
        bytes32 metadataHash,
        string metadataURI,
        Category category,
        Level level,
        Kind kind,
        bytes32 consentRef,
        uint40 noticeEndsAt
    );

    /// @notice Derived asset `assetId` names `parentId` as a parent under `licenceId` (0: own right).
    event DerivationRecorded(
        bytes32 indexed assetId, bytes32 indexed parentId, uint256 indexed licenceId, uint16 revenueShareBps
    );

    /// @notice A certificate was issued: number `prefix-year-serial`, verification code `code`.
    event AssetCertified(
        bytes32 indexed assetId,
        address indexed registrar,
        bytes10 indexed code,
        uint64 serial,
        uint16 year,
        uint40 certifiedAt
    );

    /// @notice An application was rejected.
    event ApplicationRejected(bytes32 indexed assetId, address indexed by, string reason);

    /// @notice A certificate was revoked.
    event CertificateRevoked(bytes32 indexed assetId, address indexed by, string reason);

    /// @notice `shares` of `right` moved from holder key `from` to `to`; `operator` sent it.
    event RightTransferred(
        bytes32 indexed assetId, Right indexed right, address indexed from, address to, uint64 shares, address operator
    );

    /// @notice A licence was granted.
    event LicenceGranted(
        uint256 indexed licenceId,
        bytes32 indexed assetId,
        address indexed licensee,
        address grantor,
        bytes32 purposeHash,
        uint40 startsAt,
        uint40 expiresAt,
        bytes32 termsHash,
        uint16 revenueShareBps,
        bool derivativesAllowed
    );

    /// @notice A licence was revoked before its expiry.
    event LicenceRevoked(uint256 indexed licenceId, bytes32 indexed assetId, address indexed by, string reason);

    /// @notice Shares were pledged.
    event PledgeCreated(
        uint256 indexed pledgeId,
        bytes32 indexed assetId,
        address indexed pledgor,
        address pledgee,
        Right right,
        uint64 shares,
        bytes32 termsHash
    );

    /// @notice The pledgee released a pledge.
    event PledgeReleased(uint256 indexed pledgeId, bytes32 indexed assetId, address indexed pledgee);

    /// @notice On default, a pledge was enforced: its shares moved to the pledgee (a RightTransferred follows).
    event PledgeEnforced(uint256 indexed pledgeId, bytes32 indexed assetId, address indexed pledgee, address by);

    /// @notice A dispute (or an objection during notice) was filed; the asset is frozen while it is open.
    event DisputeFiled(
        uint256 indexed disputeId, bytes32 indexed assetId, address indexed claimant, bytes32 evidenceHash
    );

    /// @notice A dispute was resolved.
    event DisputeResolved(
        uint256 indexed disputeId,
        bytes32 indexed assetId,
        address indexed arbitrator,
        Ruling ruling,
        bytes32 rulingHash
    );

    /// @notice A regulator froze an asset.
    event AssetFrozen(bytes32 indexed assetId, address indexed regulator, bytes32 reasonHash);

    /// @notice A regulator unfroze an asset.
    event AssetUnfrozen(bytes32 indexed assetId, address indexed regulator, bytes32 reasonHash);

    /// @notice From now on `successor` acts for everything `predecessor` holds.
    event SuccessionRecorded(
        address indexed predecessor,
        address indexed successor,
        SuccessionKind kind,
        bytes32 basisHash,
        address registrar
    );

    /// @notice Certificates of registry (`chainId`, `registry`) are (no longer) recognized here.
    event RegistryRecognized(uint256 indexed chainId, address indexed registry, bool recognized, address admin);

    /// @notice The public notice window for new applications changed.
    event NoticePeriodSet(uint40 noticePeriod, address admin);

    // ------------------------------------------------------------------ errors

    error RegistryZeroAddress();
    error RegistryZeroHash(string field);
    error RegistryAssetExists(bytes32 assetId, Status status);
    error RegistryUnknownAsset(bytes32 assetId);
    error RegistryWrongStatus(bytes32 assetId, Status status);
    error RegistryConsentRequired(bytes32 assetId);
    error RegistryConsentNotAllowed(bytes32 assetId);
    error RegistryParentsMismatch(uint256 parents, uint256 licences);
    error RegistryTooManyParents(uint256 count, uint256 max);
    error RegistryInvalidParent(bytes32 assetId, bytes32 parentId);
    error RegistryDerivativeNotPermitted(bytes32 parentId, uint256 licenceId, address applicant);
    error RegistryRevenueShareTooHigh(uint256 totalBps);
    error RegistryNoticePeriodOpen(bytes32 assetId, uint40 endsAt);
    error RegistryAssetFrozen(bytes32 assetId);
    error RegistryNotCertified(bytes32 assetId, Status status);
    error RegistryUnauthorizedHolder(address account, address holder);
    error RegistryInsufficientShares(bytes32 assetId, Right right, address holder, uint64 available, uint64 requested);
    error RegistryInvalidShares(uint64 shares);
    error RegistryNotLicensingHolder(bytes32 assetId, address account);
    error RegistryInvalidTerm(uint40 startsAt, uint40 expiresAt);
    error RegistryInvalidBps(uint256 bps);
    error RegistryUnknownLicence(uint256 licenceId);
    error RegistryLicenceRevoked(uint256 licenceId);
    error RegistryNotGrantor(uint256 licenceId, address account);
    error RegistryUnknownPledge(uint256 pledgeId);
    error RegistryPledgeInactive(uint256 pledgeId);
    error RegistryNotPledgee(uint256 pledgeId, address account);
    error RegistryUnknownDispute(uint256 disputeId);
    error RegistryDisputeClosed(uint256 disputeId);
    error RegistryNoStanding(bytes32 assetId, address account);
    error RegistryInvalidRuling(uint256 disputeId, Ruling ruling);
    error RegistryAlreadySucceeded(address party, address successor);
    error RegistrySuccessionCycle(address predecessor, address successor);
    error RegistryNotFrozen(bytes32 assetId);
    error RegistryAlreadyFrozen(bytes32 assetId);
    error RegistryEmptyReason();
    error RegistryExpiredSignature(uint256 deadline);
    error RegistryInvalidSigner(address applicant, address recovered);
    error RegistryEmptyBatch();

    // ------------------------------------------------------------------ registration

    /**
     * @notice Apply to register an asset; the caller is the applicant and initially holds every
     * share of the three rights. Opens the public notice window.
     * @dev Requirements: non-zero content hash; consentRef non-zero iff category is Personal;
     * the asset is new, rejected or revoked; every parent certified and not frozen, with a valid
     * derivative-permitting licence of the applicant (or the applicant holds the parent's
     * licensing right); parents' revenue shares sum to at most 10,000 bps.
     * Emits {AssetApplied} and one {DerivationRecorded} per parent.
     * @param registration What is registered.
     * @return assetId The asset id (equal to the content hash).
     */
    function register(Registration calldata registration) external returns (bytes32 assetId);

    /**
     * @notice Apply for many assets in one transaction, the caller applying for each.
     * @dev Same requirements and events as {register}, per entry. Reverts whole if any entry fails.
     * @param registrations The applications.
     */
    function registerBatch(Registration[] calldata registrations) external;

    /**
     * @notice Relay an application signed by `applicant` with EIP-712 (nonce, deadline, bound to
     * this chain and contract).
     * @dev Requirements: `block.timestamp <= deadline`; the signature recovers to `applicant` over
     * the typed `Register` struct with the applicant's current nonce, which is consumed.
     * Emits {AssetApplied} with `submitter` set to the relayer.
     * @param registration What is registered.
     * @param applicant Who applies (the signer).
     * @param deadline Last second at which the signature is valid.
     * @param signature 65-byte ECDSA signature.
     * @return assetId The asset id.
     */
    function registerFor(
        Registration calldata registration,
        address applicant,
        uint256 deadline,
        bytes calldata signature
    ) external returns (bytes32 assetId);

    /**
     * @notice Issue the certificate of an applied asset whose notice window has ended with no open dispute.
     * @dev Requirements: REGISTRAR_ROLE; status Applied; notice window over; not frozen.
     * Emits {AssetCertified}.
     * @param assetId The asset.
     */
    function certify(bytes32 assetId) external;

    /**
     * @notice Reject an application with a reason.
     * @dev Requirements: REGISTRAR_ROLE; status Applied; non-empty reason. Emits {ApplicationRejected}.
     * @param assetId The asset.
     * @param reason Why.
     */
    function reject(bytes32 assetId, string calldata reason) external;

    /**
     * @notice Revoke a certificate with a reason.
     * @dev Requirements: REGISTRAR_ROLE; status Certified; non-empty reason. Emits {CertificateRevoked}.
     * @param assetId The asset.
     * @param reason Why.
     */
    function revokeCertificate(bytes32 assetId, string calldata reason) external;

    // ------------------------------------------------------------------ rights

    /**
     * @notice Transfer `shares` of `right` held under holder key `from` to `to` (流转).
     * @dev Requirements: caller is `from` or its successor; asset certified and not frozen; `from`
     * holds at least `shares` unpledged. Shares credited to `to` go to its successor if it has one.
     * Emits {RightTransferred}.
     * @param assetId The asset.
     * @param right Which right.
     * @param from Holder key whose shares move (usually the caller).
     * @param to Receiving party.
     * @param shares How many of the 1,000,000 shares.
     */
    function transferRight(bytes32 assetId, Right right, address from, address to, uint64 shares) external;

    /**
     * @notice Record that `successor` succeeds `predecessor` in all its rights and licences, in constant gas.
     * @dev Requirements: REGISTRAR_ROLE; distinct non-zero parties; `predecessor` not already
     * succeeded; no cycle. Emits {SuccessionRecorded}.
     * @param predecessor The party that ceased (merged, split, dissolved, bankrupt or deceased).
     * @param successor The party that succeeds it.
     * @param kind Why.
     * @param basisHash Hash of the legal basis document.
     */
    function recordSuccession(address predecessor, address successor, SuccessionKind kind, bytes32 basisHash) external;

    // ------------------------------------------------------------------ licences

    /**
     * @notice Grant a licence; the caller must hold shares of the asset's licensing right
     * (processing/use for resources, product operation for products), directly or by succession.
     * @dev Requirements: asset certified, not frozen; licensee non-zero; startsAt < expiresAt;
     * revenueShareBps <= 10,000. Emits {LicenceGranted}.
     * @param terms The licence terms.
     * @return licenceId The new licence id (from 1).
     */
    function grantLicence(LicenceTerms calldata terms) external returns (uint256 licenceId);

    /**
     * @notice Grant a licence on behalf of `grantor` (used by the exchange at settlement).
     * @dev Requirements: EXCHANGE_ROLE; `grantor` holds the licensing right; as {grantLicence}.
     * Emits {LicenceGranted}.
     * @param grantor The right holder on whose behalf the licence is granted.
     * @param terms The licence terms.
     * @return licenceId The new licence id.
     */
    function grantLicenceFor(address grantor, LicenceTerms calldata terms) external returns (uint256 licenceId);

    /**
     * @notice Revoke a licence before expiry.
     * @dev Requirements: caller is the grantor (or its successor), a registrar or an arbitrator;
     * licence not revoked; non-empty reason. Emits {LicenceRevoked}.
     * @param licenceId The licence.
     * @param reason Why.
     */
    function revokeLicence(uint256 licenceId, string calldata reason) external;

    // ------------------------------------------------------------------ pledges

    /**
     * @notice Pledge shares of a right to a pledgee; they cannot move until released or enforced.
     * @dev Requirements: caller holds the shares unpledged (directly or by succession); asset
     * certified, not frozen. Emits {PledgeCreated}.
     * @param assetId The asset.
     * @param right Which right.
     * @param from Holder key whose shares are pledged.
     * @param pledgee The creditor.
     * @param shares How many shares.
     * @param termsHash Hash of the pledge contract.
     * @return pledgeId The new pledge id (from 1).
     */
    function pledge(bytes32 assetId, Right right, address from, address pledgee, uint64 shares, bytes32 termsHash)
        external
        returns (uint256 pledgeId);

    /**
     * @notice The pledgee releases an active pledge.
     * @dev Requirements: caller is the pledgee or its successor; pledge active. Emits {PledgeReleased}.
     * @param pledgeId The pledge.
     */
    function releasePledge(uint256 pledgeId) external;

    /**
     * @notice On default, move the pledged shares to the pledgee.
     * @dev Requirements: REGISTRAR_ROLE or ARBITRATOR_ROLE; pledge active.
     * Emits {PledgeEnforced} then {RightTransferred}.
     * @param pledgeId The pledge.
     */
    function enforcePledge(uint256 pledgeId) external;

    // ------------------------------------------------------------------ disputes and supervision

    /**
     * @notice File a dispute (an objection while the application is in notice); the asset freezes.
     * @dev Requirements: non-zero evidence hash; standing: anyone during notice, afterwards a
     * holder of any share of any right, a licensee, a pledgee, or a regulator. Emits {DisputeFiled}.
     * @param assetId The asset.
     * @param evidenceHash Hash of the claimant's evidence.
     * @return disputeId The new dispute id (from 1).
     */
    function fileDispute(bytes32 assetId, bytes32 evidenceHash) external returns (uint256 disputeId);

    /**
     * @notice Resolve an open dispute.
     * @dev Requirements: ARBITRATOR_ROLE; dispute open; ruling not None; transfers only with
     * RightsTransferred (they ignore the freeze this dispute caused but not pledges).
     * Emits {DisputeResolved}, then {RightTransferred} per transfer, or {CertificateRevoked} /
     * {ApplicationRejected}.
     * @param disputeId The dispute.
     * @param ruling The outcome.
     * @param rulingHash Hash of the ruling document.
     * @param transfers Share transfers ordered by the ruling.
     */
    function resolveDispute(uint256 disputeId, Ruling ruling, bytes32 rulingHash, RightTransfer[] calldata transfers)
        external;

    /**
     * @notice Freeze an asset (no transfer, licence, pledge or listing).
     * @dev Requirements: REGULATOR_ROLE; not already frozen by a regulator. Emits {AssetFrozen}.
     * @param assetId The asset.
     * @param reasonHash Hash of the order.
     */
    function freeze(bytes32 assetId, bytes32 reasonHash) external;

    /**
     * @notice Lift a regulator's freeze.
     * @dev Requirements: REGULATOR_ROLE; frozen by a regulator. Emits {AssetUnfrozen}.
     * @param assetId The asset.
     * @param reasonHash Hash of the order.
     */
    function unfreeze(bytes32 assetId, bytes32 reasonHash) external;

    /**
     * @notice Recognize (or stop recognizing) another registry's certificates (跨区域互信互认).
     * @dev Requirements: DEFAULT_ADMIN_ROLE; non-zero registry. Emits {RegistryRecognized}.
     * @param chainId The other registry's chain.
     * @param registry The other registry's address.
     * @param recognized Whether its certificates are accepted.
     */
    function setRecognizedRegistry(uint256 chainId, address registry, bool recognized) external;

    /**
     * @notice Set the public notice window for new applications.
     * @dev Requirements: DEFAULT_ADMIN_ROLE. Emits {NoticePeriodSet}.
     * @param noticePeriod Seconds.
     */
    function setNoticePeriod(uint40 noticePeriod) external;

    // ------------------------------------------------------------------ views

    /// @notice Total shares of each right of each asset.
    function TOTAL_SHARES() external view returns (uint64);

    /// @notice Stored state of an asset (zero struct if unknown).
    function getAsset(bytes32 assetId) external view returns (Asset memory);

    /// @notice Shares of `right` held under holder key `holder` (not counting predecessors).
    function sharesOf(bytes32 assetId, Right right, address holder) external view returns (uint64);

    /// @notice Shares held by `party` directly and through every party it succeeds.
    function effectiveSharesOf(bytes32 assetId, Right right, address party) external view returns (uint64);

    /// @notice Shares of `holder` that are pledged.
    function pledgedSharesOf(bytes32 assetId, Right right, address holder) external view returns (uint64);

    /// @notice Holder keys with non-zero shares of `right`, and their shares.
    function holdersOf(bytes32 assetId, Right right) external view returns (address[] memory, uint64[] memory);

    /// @notice Number of active pledges on the asset.
    function activePledgeCount(bytes32 assetId) external view returns (uint256);

    /// @notice Whether the asset is frozen (by a regulator or by an open dispute).
    function isFrozen(bytes32 assetId) external view returns (bool);

    /// @notice A licence.
    function getLicence(uint256 licenceId) external view returns (Licence memory);

    /// @notice Whether the licence exists, is not revoked and `block.timestamp` is within its term.
    function isLicenceValid(uint256 licenceId) external view returns (bool);

    /// @notice Whether `party` may use the asset for `purposeHash` now: it (or a party it succeeds)
    /// holds a valid licence for that purpose or holds the asset's licensing right; the certificate is in force.
    function mayUse(bytes32 assetId, address party, bytes32 purposeHash) external view returns (bool);

    /// @notice Parents of a derived asset and the revenue share recorded for each.
    function parentsOf(bytes32 assetId)
        external
        view
        returns (bytes32[] memory parents, uint16[] memory revenueShareBps);

    /// @notice Assets derived from `assetId`.
    function childrenOf(bytes32 assetId) external view returns (bytes32[] memory);

    /// @notice A pledge.
    function getPledge(uint256 pledgeId) external view returns (Pledge memory);

    /// @notice A dispute.
    function getDispute(uint256 disputeId) external view returns (Dispute memory);

    /// @notice The verification code of an asset's certificate: the first 10 bytes of
    /// keccak256(abi.encode(chainid, registry address, assetId)).
    function verificationCode(bytes32 assetId) external view returns (bytes10);

    /// @notice The asset whose certificate carries `code` (zero if none).
    function assetByCode(bytes10 code) external view returns (bytes32);

    /// @notice Human-readable certificate number `PREFIX-YEAR-SERIAL` (empty before certification).
    function certificateNumber(bytes32 assetId) external view returns (string memory);

    /// @notice The direct successor of `party` (zero if none).
    function successorOf(address party) external view returns (address);

    /// @notice The party that now acts for `party`: follows successions to the end.
    function resolveParty(address party) external view returns (address);

    /// @notice Parties directly succeeded by `party`.
    function predecessorsOf(address party) external view returns (address[] memory);

    /// @notice Whether certificates of registry (`chainId`, `registry`) are recognized.
    function isRecognizedRegistry(uint256 chainId, address registry) external view returns (bool);

    /// @notice The public notice window, in seconds, for new applications.
    function noticePeriod() external view returns (uint40);

    /// @notice The next EIP-712 nonce of `applicant`.
    function nonces(address applicant) external view returns (uint256);
}
