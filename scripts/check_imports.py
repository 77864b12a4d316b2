#!/usr/bin/env python3
"""Fail if the ``provenance`` package has an import cycle; print each cycle found.

Every import counts, including those inside functions (a lazy import still ties two
modules together); only ``if TYPE_CHECKING:`` imports are left out. Cycles are the
strongly connected components of the module graph built by grimp (the graph behind
import-linter), so one line is printed per tangle, with the modules in it.

    .venv/bin/python scripts/check_imports.py
"""

from __future__ import annotations

import sys

import grimp


def cycles(package: str = "provenance") -> list[list[str]]:
    """The strongly connected components of more than one module (or a module importing itself)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    # Tarjan's algorithm, iterative so that a deep package cannot hit the recursion limit.
    for root, root_edges in edges.items():
        if root in index:
            continue
        work = [(root, iter(root_edges))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in edges.get(node, ()):
                    found.append(sorted(component))
    return found


def main() -> int:
    found = cycles()
    for component in found:
        print("import cycle: " + " <-> ".join(component))
    if found:
        print(f"{len(found)} import cycle(s) in provenance", file=sys.stderr)
        return 1
    print("no import cycles in provenance")
    return 0


if __name__ == "__main__":
    sys.exit(main())
