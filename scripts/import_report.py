#!/usr/bin/env python3
"""How tangled is credstack? Prints the figures issue 10 tracks.

- module pairs that import each other (at module level, and counting deferred imports too),
- app pairs that import each other (an app = the first package under ``credstack``),
- imports deferred into functions (``import`` statements not at module level),
- private names (``_name``) imported from another credstack module,
- source files over 400 lines.

Reads the source with ``ast`` (imports nothing of credstack). Run from the repository root:
``python scripts/import_report.py [--verbose]``.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "credstack"
LONG_FILE = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files() -> dict[str, Path]:
    files = {}
    for path in sorted((ROOT / PACKAGE).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        files[module_name(path)] = path
    return files


def app_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def imports_of(module: str, path: Path, modules: set[str]) -> list[tuple[str, bool, int]]:
    """(imported credstack module, at module level?, line) for every import in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    is_package = path.name == "__init__.py"
    found: list[tuple[str, bool, int]] = []

    def resolve(name: str) -> str | None:
        # the longest known module that is a prefix of `name`
        while name:
            if name in modules:
                return name
            name = name.rpartition(".")[0]
        return None

    def visit(node: ast.AST, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = top_level and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    target = resolve(alias.name)
                    if target:
                        found.append((target, top_level, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = module.split(".")
                    base = base if is_package else base[:-1]
                    base = base[: len(base) - (child.level - 1)]
                    origin = ".".join(base + ([child.module] if child.module else []))
                else:
                    origin = child.module or ""
                if not origin.startswith(PACKAGE):
                    continue
                for alias in child.names:
                    target = resolve(f"{origin}.{alias.name}") or resolve(origin)
                    if target:
                        found.append((target, top_level, child.lineno))
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                continue  # typing-only imports do not run
            else:
                visit(child, nested)

    visit(tree, True)
    return [(target, top, line) for target, top, line in found if target != module]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def private_imports(module: str, path: Path, modules: set[str]) -> list[str]:
    """``from credstack.x import _name`` (or a relative import of one) where x is another module."""
    found = []
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        if not origin.startswith(PACKAGE) or origin == module:
            continue
        for alias in node.names:
            if (
                alias.name.startswith("_")
                and not alias.name.startswith("__")
                and f"{origin}.{alias.name}" not in modules
            ):
                found.append(f"{module} <- {origin}.{alias.name}")
    return found


def mutual_pairs(edges: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((a, b) for a, targets in edges.items() for b in targets if a < b and a in edges.get(b, ()))


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv or "-v" in argv
    files = source_files()
    modules = set(files)
    top_edges: dict[str, set[str]] = defaultdict(set)
    all_edges: dict[str, set[str]] = defaultdict(set)
    app_edges: dict[str, set[str]] = defaultdict(set)
    deferred: set[tuple[str, int]] = set()  # (module, line): one per import statement
    for module, path in files.items():
        for target, top_level, line in imports_of(module, path, modules):
            all_edges[module].add(target)
            if top_level:
                top_edges[module].add(target)
            else:
                deferred.add((module, line))
            if app_of(module) != app_of(target):
                app_edges[app_of(module)].add(app_of(target))
    private = [name for module, path in files.items() for name in private_imports(module, path, modules)]
    long_files = sorted(
        (n, str(p.relative_to(ROOT.parent)))
        for p in files.values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LONG_FILE
    )

    module_pairs = mutual_pairs(all_edges)
    top_pairs = mutual_pairs(top_edges)
    app_pairs = mutual_pairs(app_edges)
    print(f"module pairs importing each other:            {len(module_pairs)}")
    print(f"  of which both ways at module level:         {len(top_pairs)}")
    print(f"app pairs importing each other:               {len(app_pairs)}")
    print(f"function-level credstack import statements: {len(deferred)}")
    print(f"private names imported across modules:        {len(private)}")
    print(f"files over {LONG_FILE} lines:                        {len(long_files)}")
    if verbose:
        print("\nmodule pairs:")
        for a, b in module_pairs:
            print(f"  {a} <-> {b}")
        print("\napp pairs:")
        for a, b in app_pairs:
            print(f"  {a} <-> {b}")
        print("\nprivate names imported across modules:")
        for line in private:
            print(f"  {line}")
        print("\nfiles over the limit:")
        for n, name in reversed(long_files):
            print(f"  {n:5d} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
