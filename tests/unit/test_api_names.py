"""Public names: none shadows a builtin, and a read never shares a name or stem with a write.

Reads are nouns (``listing``, ``offer``, ``pledge``, ``dispute``), writes are verbs
(``list_asset``, ``make_offer``, ``create_pledge``, ``dispute_trade``). These tests walk every
public module of the package, so a new method that breaks the convention fails here.
"""

from __future__ import annotations

import builtins
import importlib
import inspect
import pkgutil
from collections.abc import Iterator

import provenance
from provenance.anchor import Anchor
from provenance.exchange import Exchange
from provenance.registry import Registry

BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))


def _public_modules() -> Iterator[object]:
    for info in pkgutil.walk_packages(provenance.__path__, "provenance."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        yield importlib.import_module(info.name)


def _public_names() -> Iterator[tuple[str, str]]:
    """(where, name) of every public function, class and method defined in the package."""
    for module in _public_modules():
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:  # type: ignore[attr-defined]
                continue
            if inspect.isfunction(obj):
                yield module.__name__, name  # type: ignore[attr-defined]
            elif inspect.isclass(obj):
                yield module.__name__, name  # type: ignore[attr-defined]
                for attr, member in vars(obj).items():
                    if not attr.startswith("_") and (
                        inspect.isfunction(member) or isinstance(member, classmethod | staticmethod | property)
                    ):
                        yield f"{obj.__module__}.{obj.__qualname__}", attr


def test_the_walk_sees_the_clients() -> None:
    names = set(_public_names())
    assert ("provenance.exchange.Exchange", "list_asset") in names
    assert ("provenance.registry.Registry", "create_pledge") in names


def test_no_public_name_shadows_a_builtin() -> None:
    shadowing = sorted(f"{where}.{name}" for where, name in _public_names() if name in BUILTINS)
    assert shadowing == []


def test_a_read_and_a_write_never_share_a_name() -> None:
    # A write's name is a verb phrase; the read of the same thing is the bare noun. The old clashes:
    # Exchange.list (write, shadowing list) beside Exchange.listing; Exchange.offer (write) beside
    # offer_info (read); Registry.pledge (write) beside pledge_info (read); Exchange.dispute (a
    # write) while Registry.dispute is a read.
    for client in (Registry, Exchange, Anchor):
        methods = {n for n in vars(client) if not n.startswith("_")}
        assert not {n for n in methods if n.endswith("_info")}, f"{client.__name__}: a read named *_info"
    assert "dispute" not in vars(Exchange), "Exchange.dispute would be a write named like Registry.dispute (a read)"
    reads = {"listing", "trade", "offer"}
    assert reads <= set(vars(Exchange))
    assert {"list_asset", "make_offer", "dispute_trade"} <= set(vars(Exchange))
    assert {"pledge", "dispute", "create_pledge", "file_dispute"} <= set(vars(Registry))
