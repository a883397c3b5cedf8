"""The layers of docs/architecture.md, checked by import-linter (contracts in pyproject.toml)."""

import ast
import io
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold():
    """A lower layer importing a higher one, two apps of one layer importing each other, Django in the
    pure cores, or an `ignore_imports` entry that no longer matches (delete it) fails here."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # check this checkout's source, not an install
    result = subprocess.run(
        [str(lint_imports), "--no-logo", "--no-cache", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# ---- imports deferred into functions ---------------------------------------------------------------

SRC = ROOT / "src" / "credstack"
# Every module of src/credstack (migrations aside) is checked below.
SCOPE = ("",)
_NOQA = re.compile(r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?", re.IGNORECASE)


def _files_in_scope() -> list[Path]:
    files = set()
    for part in SCOPE:
        path = SRC / part
        files |= {path} if path.suffix == ".py" else set(path.rglob("*.py"))
    return sorted(f for f in files if "migrations" not in f.parts)


def _explained_lines(source: str) -> set[int]:
    """Lines with a comment that says something (a bare ``# noqa: F401`` says nothing)."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and re.search(r"\w", _NOQA.sub("", token.string.lstrip("#"))):
            lines.add(token.start[0])
    return lines


def _is_credstack(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").split(".")[0] == "credstack"
    return any(alias.name.split(".")[0] == "credstack" for alias in node.names)


def unexplained_deferred_imports(path: Path, root: Path = ROOT) -> list[str]:
    """``file:line`` of every import inside a function with no comment on its lines."""
    source = path.read_text(encoding="utf-8")
    explained = _explained_lines(source)
    found = set()
    for func in ast.walk(ast.parse(source, str(path))):
        if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        for node in ast.walk(func):
            if isinstance(node, ast.Import | ast.ImportFrom):
                if not explained & set(range(node.lineno, (node.end_lineno or node.lineno) + 1)):
                    found.add(f"{path.relative_to(root)}:{node.lineno}")
    return sorted(found)


def test_a_function_level_import_says_why():
    """An import inside a function hides a dependency from the layer contracts and from the reader: hoist it to the top of the module, or, where it must stay (a real cycle, a heavy library
    loaded on demand, the models before Django has loaded them), say why in a comment on its line."""
    offenders = [hit for path in _files_in_scope() for hit in unexplained_deferred_imports(path)]
    assert offenders == [], "deferred imports without a reason:\n" + "\n".join(offenders)


def test_the_deferred_import_check_finds_what_it_should(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "from credstack import ids\n"
        "def a():\n    from credstack.vc import ob3\n"
        "def b():\n    from . import x  # noqa: F401\n"
        "def c():\n    import credstack.render  # heavy: loaded for PDFs only\n"
        "def d():\n    from credstack.render import (  # a cycle\n        badge,\n    )\n"
        "def e():\n    import json\n"
        "def g():\n    import openpyxl  # loaded for spreadsheets only\n"
        "f = lambda: __import__('x')\n",
        encoding="utf-8",
    )
    assert unexplained_deferred_imports(module, root=tmp_path) == ["m.py:13", "m.py:3", "m.py:5"]
