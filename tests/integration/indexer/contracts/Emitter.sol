// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Emitter
/// @notice Test-only: emits events of assorted shapes, one at a time or in bulk, for the indexer's tests
/// and benchmark (one transaction can emit thousands of logs).
contract Emitter {
    event Ping(bytes32 indexed assetId, address indexed party, uint256 value, string note);
    event Pong(uint256 indexed tradeId, bytes32 tag, bool flag, int64 delta, uint64[] xs, bytes blob);
    event Moved(bytes32 indexed assetId, address indexed from, address indexed to, uint64 shares, uint256 nonce);

    function ping(bytes32 assetId, uint256 value, string calldata note) external {
        emit Ping(assetId, msg.sender, value, note);
    }

    function pong(uint256 tradeId, bytes32 tag, bool flag, int64 delta, uint64[] calldata xs, bytes calldata blob)
        external
    {
        emit Pong(tradeId, tag, flag, delta, xs, blob);
    }

    /// @notice Emit `n` Moved events for assets `first .. first+n-1` (mod `assets`), `n` Ping events too if `pings`.
    function bulk(uint256 first, uint256 n, uint256 assets, bool pings) external {
        for (uint256 i = first; i < first + n; ++i) {
            bytes32 id = bytes32(i % assets + 1);
            emit Moved(id, msg.sender, address(uint160(i + 1)), uint64(i), i);
            if (pings) emit Ping(id, msg.sender, i, "");
        }
    }
}
