"""Function-level imports only where a comment says why (issue 10), in the feature apps and the JSON API.

An ``import`` inside a function hides a dependency from the reader and from import-linter's module-level
picture; most were there to dodge an import cycle that the layers now rule out. One that must stay (a real
cycle, an optional library loaded on demand, models imported in ``AppConfig.ready()``) carries a comment on
its line saying why. ``noqa`` and ``type: ignore`` markers alone are no reason."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "credstack"
SCOPE = [
    "accounts",
    "api",
    "awarding",
    "courses",
    "integrations",
    "learning",
    "lti",
    "pathways",
    "portal",
    "webhooks",
    "xapi",
]
MARKERS = re.compile(r"noqa(:\s*[A-Z]+\d+(,\s*[A-Z]+\d+)*)?|type:\s*ignore(\[[^\]]*\])?")


def _reason(lines: list[str], node: ast.stmt) -> bool:
    """A comment with words in it on one of the statement's lines."""
    for line in lines[node.lineno - 1 : node.end_lineno]:
        if "#" in line:
            comment = MARKERS.sub("", line.split("#", 1)[1])
            if re.search(r"[A-Za-z]{2,}", comment):
                return True
    return False


def _deferred(path: Path, root: Path = SRC.parent) -> list[str]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    found = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                if in_function and not _reason(lines, child):
                    found.append(
                        f"{path.relative_to(root)}:{child.lineno}: {lines[child.lineno - 1].strip()}"
                    )
            else:
                visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(text, str(path)), False)
    return found


def _files(app: str) -> list[Path]:
    return [p for p in sorted((SRC / app).rglob("*.py")) if "migrations" not in p.parts]


@pytest.mark.parametrize("app", SCOPE)
def test_every_function_level_import_says_why(app):
    assert _files(app), f"no source files under credstack/{app}: is the scope out of date?"
    found = [line for path in _files(app) for line in _deferred(path)]
    assert not found, (
        "move these imports to the top of the module, or say on the import line why one must stay in "
        "the function (a real cycle, an optional library loaded on demand, models in AppConfig.ready()):\n"
        + "\n".join(found)
    )


def test_an_uncommented_function_level_import_is_found(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import json\n\n"
        "def a():\n    from os import path  # noqa: F401\n\n"
        "def b():\n    from os import sep  # the reason it stays here\n\n"
        "def c():\n    if True:\n        import sys\n",
        encoding="utf-8",
    )
    found = _deferred(sample, root=tmp_path)
    assert [line.split(": ", 1)[1] for line in found] == ["from os import path  # noqa: F401", "import sys"]
