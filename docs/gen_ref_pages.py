"""Write one API page per public module of ``provenance`` at docs build time (mkdocs-gen-files).

A module is public when no part of its dotted path starts with ``_`` (``provenance._cli``,
``provenance.evidence._fetch`` and ``__main__`` are left out; a package's page comes from its
``__init__.py``). The pages and ``reference/SUMMARY.md`` (read by mkdocs-literate-nav) exist only
in the build, so moving or splitting a module needs no edit here.
"""

from __future__ import annotations

from pathlib import Path

import mkdocs_gen_files

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "provenance"

nav = mkdocs_gen_files.Nav()
for source in sorted(PACKAGE.rglob("*.py")):
    parts = list(source.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if any(part.startswith("_") for part in parts):
        continue
    page = Path("reference", *parts).with_suffix(".md")
    nav[tuple(parts)] = Path(*parts).with_suffix(".md").as_posix()
    with mkdocs_gen_files.open(page, "w") as out:
        out.write(f"::: {'.'.join(parts)}\n")
    mkdocs_gen_files.set_edit_path(page, source.relative_to(ROOT))

with mkdocs_gen_files.open("reference/SUMMARY.md", "w") as summary:
    summary.writelines(nav.build_literate_nav())
