// SPDX-License-Identifier: Apache-2.0
// Test-only: answers the registry reads the exchange makes at listing time with whatever asset
// record a test sets, so checks the real registry makes unreachable (personal data without a
// consent reference) can still be exercised.
pragma solidity 0.8.30;

import {IDataRegistry} from "../../../../contracts/IDataRegistry.sol";

contract StubRegistry {
    mapping(bytes32 => IDataRegistry.Asset) private _assets;

    function setAsset(bytes32 assetId, IDataRegistry.Asset calldata asset) external {
        _assets[assetId] = asset;
    }

    function getAsset(bytes32 assetId) external view returns (IDataRegistry.Asset memory) {
        return _assets[assetId];
    }

    function activePledgeCount(bytes32) external pure returns (uint256) {
        return 0;
    }

    function resolveParty(address party) external pure returns (address) {
        return party;
    }

    function effectiveSharesOf(bytes32, IDataRegistry.Right, address) external pure returns (uint64) {
        return 1_000_000;
    }
}
