// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/**
 * @title ITradeAnchor
 * @notice Batch anchoring of off-chain trade records (交易可记录、可溯源、可取证): an exchange
 * (数据交易场所) builds an OpenZeppelin StandardMerkleTree over the records of a batch and puts
 * only its root on chain, in one transaction per batch.
 *
 * Leaf format (see `provenance.merkle`): each record's value is
 * `recordHash = keccak256(RFC 8785 canonical JSON of the record)`; the tree's leaf encoding is
 * `["bytes32"]`, so the leaf is `keccak256(bytes.concat(keccak256(abi.encode(recordHash))))`
 * and inner nodes hash the sorted pair (OpenZeppelin `MerkleProof`).
 *
 * Storage is one slot per batch (batch id => root), which keeps an anchor near 50k gas at
 * any batch size. Everything else about a batch (exchange, record count, metadata hash,
 * time) is in the `BatchAnchored` event, which the evidence layer proves from the receipt.
 */
interface ITradeAnchor {
    // ------------------------------------------------------------------ events

    /**
     * @notice A batch of `recordCount` records was anchored under `batchId`.
     * @param batchId the exchange's identifier of the batch (non-zero, unique in this contract)
     * @param root the Merkle root of the batch (StandardMerkleTree, leaf encoding ["bytes32"])
     * @param exchange the account holding ANCHORER_ROLE that anchored the batch
     * @param recordCount how many records the exchange declares in the batch (tree leaves)
     * @param metadataHash hash of the exchange's batch metadata document (zero if none)
     * @param anchoredAt the block timestamp of the anchoring
     */
    event BatchAnchored(
        bytes32 indexed batchId,
        bytes32 indexed root,
        address indexed exchange,
        uint64 recordCount,
        bytes32 metadataHash,
        uint40 anchoredAt
    );

    // ------------------------------------------------------------------ errors

    /// @notice The batch id is zero, which is reserved for "no batch".
    /// @param batchId the rejected batch id
    error AnchorInvalidBatchId(bytes32 batchId);

    /// @notice The Merkle root is zero, which no tree produces.
    /// @param batchId the batch being anchored
    /// @param root the rejected root
    error AnchorInvalidRoot(bytes32 batchId, bytes32 root);

    /// @notice A batch must hold at least one record.
    /// @param batchId the batch being anchored
    /// @param recordCount the rejected count
    error AnchorEmptyBatch(bytes32 batchId, uint64 recordCount);

    /// @notice The batch id was anchored before (a retried or duplicated batch).
    /// @param batchId the batch id
    /// @param root the root already anchored under that id
    error AnchorBatchExists(bytes32 batchId, bytes32 root);

    /// @notice No batch was anchored under this id.
    /// @param batchId the unknown batch id
    error AnchorUnknownBatch(bytes32 batchId);

    /// @notice The admin account given to the constructor is the zero address.
    /// @param admin the rejected admin
    error AnchorInvalidAdmin(address admin);

    // ------------------------------------------------------------------ functions

    /**
     * @notice The role allowed to anchor batches: `keccak256("ANCHORER_ROLE")`.
     * @return role the role identifier
     */
    function ANCHORER_ROLE() external view returns (bytes32 role);

    /**
     * @notice Anchor the Merkle root of a batch of off-chain trade records.
     * @dev Requirements:
     * - the caller holds ANCHORER_ROLE (else `AccessControlUnauthorizedAccount`);
     * - `batchId` is non-zero and was never anchored (`AnchorInvalidBatchId`, `AnchorBatchExists`);
     * - `root` is non-zero (`AnchorInvalidRoot`) and `recordCount` is positive (`AnchorEmptyBatch`).
     *
     * Emits a {BatchAnchored} event.
     * @param root the Merkle root of the batch
     * @param recordCount the number of records (leaves) in the batch
     * @param batchId the exchange's identifier of the batch
     * @param metadataHash hash of the batch's metadata document (zero if none)
     */
    function anchor(bytes32 root, uint64 recordCount, bytes32 batchId, bytes32 metadataHash) external;

    /**
     * @notice Whether a record is in an anchored batch.
     * @dev The leaf is computed here from `recordHash` (the leaf value), never taken from the
     * caller, so an inner node of the tree cannot pass for a record. Returns false for an
     * unknown batch.
     * @param batchId the batch the record claims to be in
     * @param recordHash the record's value: keccak256 of its RFC 8785 canonical JSON
     * @param proof the sibling hashes from the leaf up to the root (StandardMerkleTree.getProof)
     * @return ok true if the proof leads from the record's leaf to the batch's root
     */
    function verifyRecord(bytes32 batchId, bytes32 recordHash, bytes32[] calldata proof) external view returns (bool ok);

    /**
     * @notice Whether several records are all in an anchored batch (one multiproof).
     * @dev `recordHashes` in the order of the multiproof's `leaves`
     * (StandardMerkleTree.getMultiProof). Returns false for an unknown batch.
     * @param batchId the batch the records claim to be in
     * @param recordHashes the records' values, in multiproof order
     * @param proof the multiproof's sibling hashes
     * @param proofFlags the multiproof's flags
     * @return ok true if the multiproof leads from the records' leaves to the batch's root
     */
    function verifyRecords(
        bytes32 batchId,
        bytes32[] calldata recordHashes,
        bytes32[] calldata proof,
        bool[] calldata proofFlags
    ) external view returns (bool ok);

    /**
     * @notice The Merkle root anchored under a batch id.
     * @dev Reverts with `AnchorUnknownBatch` if nothing was anchored under `batchId`.
     * @param batchId the batch id
     * @return root the batch's Merkle root
     */
    function batchRoot(bytes32 batchId) external view returns (bytes32 root);

    /**
     * @notice Whether a batch id has been anchored.
     * @param batchId the batch id
     * @return anchored true once `anchor` succeeded for `batchId`
     */
    function isAnchored(bytes32 batchId) external view returns (bool anchored);

    /**
     * @notice The StandardMerkleTree leaf of a record value.
     * @param recordHash the record's value (keccak256 of its canonical JSON)
     * @return leaf `keccak256(bytes.concat(keccak256(abi.encode(recordHash))))`
     */
    function leafOf(bytes32 recordHash) external pure returns (bytes32 leaf);
}
