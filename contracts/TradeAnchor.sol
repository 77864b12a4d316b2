// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ITradeAnchor} from "./ITradeAnchor.sol";

/**
 * @title TradeAnchor
 * @notice Anchors Merkle roots of batches of off-chain trade records; see {ITradeAnchor}.
 *
 * Roles: DEFAULT_ADMIN_ROLE (granted to `admin` at deployment) grants and revokes
 * ANCHORER_ROLE; ANCHORER_ROLE (the exchange) anchors batches. Verification is open to all.
 */
contract TradeAnchor is ITradeAnchor, AccessControl {
    /// @inheritdoc ITradeAnchor
    bytes32 public constant ANCHORER_ROLE = keccak256("ANCHORER_ROLE");

    /// @dev One slot per batch: the root anchored under each batch id (zero: not anchored).
    mapping(bytes32 batchId => bytes32 root) private _roots;

    /// @param admin the account that receives DEFAULT_ADMIN_ROLE and grants ANCHORER_ROLE
    constructor(address admin) {
        if (admin == address(0)) revert AnchorInvalidAdmin(admin);
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc ITradeAnchor
    function anchor(bytes32 root, uint64 recordCount, bytes32 batchId, bytes32 metadataHash)
        external
        onlyRole(ANCHORER_ROLE)
    {
        // (1): reject what no honest batch looks like
        if (batchId == bytes32(0)) revert AnchorInvalidBatchId(batchId);
        if (root == bytes32(0)) revert AnchorInvalidRoot(batchId, root);
        if (recordCount == 0) revert AnchorEmptyBatch(batchId, recordCount);
        // (2): a batch id is anchored once; a retry learns the root already there
        bytes32 existing = _roots[batchId];
        if (existing != bytes32(0)) revert AnchorBatchExists(batchId, existing);
        // (3): store the root, then tell the world
        _roots[batchId] = root;
        emit BatchAnchored(batchId, root, msg.sender, recordCount, metadataHash, uint40(block.timestamp));
    }

    /// @inheritdoc ITradeAnchor
    function verifyRecord(bytes32 batchId, bytes32 recordHash, bytes32[] calldata proof)
        external
        view
        returns (bool ok)
    {
        bytes32 root = _roots[batchId];
        if (root == bytes32(0)) return false;
        return MerkleProof.verifyCalldata(proof, root, _leaf(recordHash));
    }

    /// @inheritdoc ITradeAnchor
    function verifyRecords(
        bytes32 batchId,
        bytes32[] calldata recordHashes,
        bytes32[] calldata proof,
        bool[] calldata proofFlags
    ) external view returns (bool ok) {
        bytes32 root = _roots[batchId];
        if (root == bytes32(0)) return false;
        if (recordHashes.length + proof.length != proofFlags.length + 1) return false;
        bytes32[] memory leaves = new bytes32[](recordHashes.length);
        for (uint256 i = 0; i < recordHashes.length; ++i) {
            leaves[i] = _leaf(recordHashes[i]);
        }
        return MerkleProof.multiProofVerifyCalldata(proof, proofFlags, root, leaves);
    }

    /// @inheritdoc ITradeAnchor
    function batchRoot(bytes32 batchId) external view returns (bytes32 root) {
        root = _roots[batchId];
        if (root == bytes32(0)) revert AnchorUnknownBatch(batchId);
    }

    /// @inheritdoc ITradeAnchor
    function isAnchored(bytes32 batchId) external view returns (bool anchored) {
        return _roots[batchId] != bytes32(0);
    }

    /// @inheritdoc ITradeAnchor
    function leafOf(bytes32 recordHash) external pure returns (bytes32 leaf) {
        return _leaf(recordHash);
    }

    /// @notice ERC-165: AccessControl's interfaces and ITradeAnchor.
    /// @param interfaceId the interface identifier to test
    /// @return supported true if this contract implements `interfaceId`
    function supportsInterface(bytes4 interfaceId) public view override returns (bool supported) {
        return interfaceId == type(ITradeAnchor).interfaceId || super.supportsInterface(interfaceId);
    }

    /// @dev The StandardMerkleTree leaf of a `bytes32` value: double keccak of its ABI encoding.
    function _leaf(bytes32 recordHash) private pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(recordHash))));
    }
}
