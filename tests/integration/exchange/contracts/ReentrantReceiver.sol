// SPDX-License-Identifier: Apache-2.0
// Test-only: a payee whose receive() re-enters the exchange (withdraw again, or settle a trade).
pragma solidity 0.8.30;

interface IExchangeLike {
    function withdraw(address currency) external returns (uint256);
    function settle(uint256 tradeId) external;
    function order(uint256 listingId) external payable returns (uint256);
    function cancel(uint256 tradeId) external;
}

contract ReentrantReceiver {
    enum Mode {
        None,
        Withdraw,
        Settle
    }

    IExchangeLike public immutable exchange;
    Mode public mode;
    uint256 public targetTrade;
    bool public swallow; // true: catch the failed re-entry and let the outer call finish
    uint256 public attempts;
    bool public reentrySucceeded;
    bytes public lastError;

    constructor(IExchangeLike exchange_) {
        exchange = exchange_;
    }

    function configure(Mode mode_, uint256 tradeId, bool swallow_) external {
        mode = mode_;
        targetTrade = tradeId;
        swallow = swallow_;
    }

    function withdrawFrom(address currency) external returns (uint256) {
        return exchange.withdraw(currency);
    }

    function buy(uint256 listingId) external payable returns (uint256) {
        return exchange.order{value: msg.value}(listingId);
    }

    function cancelTrade(uint256 tradeId) external {
        exchange.cancel(tradeId);
    }

    receive() external payable {
        if (mode == Mode.None) return;
        attempts += 1;
        bytes memory data = mode == Mode.Withdraw
            ? abi.encodeCall(IExchangeLike.withdraw, (address(0)))
            : abi.encodeCall(IExchangeLike.settle, (targetTrade));
        (bool ok, bytes memory ret) = address(exchange).call(data);
        if (ok) {
            reentrySucceeded = true;
            return;
        }
        lastError = ret;
        if (!swallow) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}
