"""Views and API handlers write nothing to the ORM: every write goes through an app's ``actions.py``.

The check parses (with ``ast``, no import) every module under ``src/credstack`` named ``views.py``,
``*_views.py``, ``api.py``, ``*_api.py``, ``pages.py`` or ``v1.py``, or inside a ``views/`` package, and reports each write as
``file:line``.

What counts as a write (the heuristic; it is precise on purpose, so ``dict.update`` or a PIL
``image.save(buffer)`` never trip it). A call of ``save``, ``delete``, ``create``, ``update``,
``bulk_create``, ``bulk_update``, ``get_or_create`` or ``update_or_create`` is flagged when its receiver
is ORM-shaped:

1. the receiver chain goes through a manager (``.objects``, ``._default_manager``, ``._base_manager``):
   ``Course.objects.create(...)``, ``Design.objects.filter(pk=1).update(...)``;
2. the receiver chain contains a queryset call (``.filter(``, ``.exclude(``, ``.all(``,
   ``.select_related(`` ...): ``course.lessons.filter(...).delete()``;
3. the receiver chain starts at a model instance the view holds, that is a name bound (by ``=``, ``for``
   or ``with``) in the same function to ``get_object_or_404(...)``/``get_list_or_404(...)``, to an
   expression of kind 1 or 2, to a row reached from another such name through a queryset call, or to a
   call of a helper in the same module whose ``return`` gives one of these; ``request.user``,
   ``request.organization``, ``request.membership`` and ``request.api_key`` are model instances too.
   Every write method is flagged on them except ``update``, which is flagged only with kind 1 or 2
   (``course.settings.update({...})`` is a dict);
4. ``.save(`` on a form: a name bound to a call of a class whose name ends in ``Form``/``FormSet``, or a
   name ending in ``form``/``formset`` (``form.save()`` on a ModelForm writes the row);
5. ``audit.record(...)`` (or a bare ``record`` imported from an ``audit`` module): the audit row belongs
   inside the action's transaction.

Django's own session handling (any chain through ``.session``) is not a write of ours.

Modules owned by engineers who have not moved their writes yet are listed in ``KNOWN`` as
(file, stripped source line) pairs; the test also fails when a listed write no longer exists, so the
list only shrinks until it is empty.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "credstack"

WRITE_METHODS = frozenset(
    {"save", "delete", "create", "update", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
)
MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
QUERYSET_CALLS = frozenset(
    {
        "filter",
        "exclude",
        "all",
        "select_related",
        "prefetch_related",
        "order_by",
        "annotate",
        "only",
        "defer",
        "distinct",
        "select_for_update",
        "using",
        "none",
        "first",
        "last",
        "get",
        "latest",
        "earliest",
    }
)
# Queryset calls that, applied to a name that is *not* known to be a model, say nothing (``dict.get``).
AMBIGUOUS_QUERYSET_CALLS = frozenset({"get", "all", "first", "last", "none", "using"})
FETCHERS = frozenset({"get_object_or_404", "get_list_or_404", "aget_object_or_404", "aget_list_or_404"})
REQUEST_MODELS = frozenset({"user", "organization", "membership", "api_key"})

# Known writes left in view and API modules, as (file, line text): none. A write that has to stay for a
# while goes here with a comment saying why; an entry that no longer matches a write fails the test.
KNOWN: list[tuple[str, str]] = []


def is_view_module(path: Path) -> bool:
    name = path.name
    return (
        name in {"views.py", "api.py", "pages.py", "v1.py"}
        or name.endswith("_views.py")
        or name.endswith("_api.py")
        or path.parent.name == "views"  # a views.py split into a package views/, one module per page
    )


def _chain(node: ast.AST) -> list[ast.AST]:
    """The receiver chain of an expression, outermost first: ``a.b(x).c`` -> [a.b(x).c, a.b(x), a.b, a]."""
    out = [node]
    while True:
        if isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return out
        out.append(node)


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


class _Checker:
    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.record_names = self._imported_record_names()
        self.model_helpers: set[str] = set()
        # A helper may return another helper's result: iterate to a fixed point.
        functions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        changed = True
        while changed:
            changed = False
            for fn in functions:
                if fn.name in self.model_helpers:
                    continue
                names = self._model_names(fn)
                for ret in (n for n in ast.walk(fn) if isinstance(n, ast.Return) and n.value is not None):
                    if self._is_model_expr(ret.value, names):
                        self.model_helpers.add(fn.name)
                        changed = True
                        break

    def _imported_record_names(self) -> set[str]:
        names = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "audit":
                names.update(a.asname or a.name for a in node.names if a.name == "record")
        return names

    # --- what a name holds -------------------------------------------------------------------------
    def _is_orm_chain(self, node: ast.AST, names: set[str]) -> bool:
        """Kinds 1 and 2: the chain goes through a manager or a queryset call."""
        chain = _chain(node)
        rooted_at_model = self._rooted_at_model(chain, names)
        for link in chain:
            if isinstance(link, ast.Attribute) and link.attr in MANAGERS:
                return True
            if isinstance(link, ast.Call) and _called_name(link) in QUERYSET_CALLS:
                if rooted_at_model or _called_name(link) not in AMBIGUOUS_QUERYSET_CALLS:
                    return True
        return False

    def _rooted_at_model(self, chain: list[ast.AST], names: set[str]) -> bool:
        root = chain[-1]
        if isinstance(root, ast.Name):
            if root.id in names:
                return True
            if root.id == "request" and len(chain) >= 2:
                first = chain[-2]
                return isinstance(first, ast.Attribute) and first.attr in REQUEST_MODELS
        return any(isinstance(link, ast.Call) and self._is_fetch_call(link) for link in chain)

    def _is_fetch_call(self, call: ast.Call) -> bool:
        name = _called_name(call)
        if isinstance(call.func, ast.Name):
            return name in FETCHERS or name in self.model_helpers
        return name in FETCHERS

    def _is_model_expr(self, node: ast.AST, names: set[str]) -> bool:
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, ast.Call) and self._is_fetch_call(node):
            return True
        return self._is_orm_chain(node, names) or (isinstance(node, ast.Name) and node.id in names)

    def _model_names(self, fn: ast.AST) -> set[str]:
        names: set[str] = set()
        changed = True
        while changed:
            changed = False
            for node in ast.walk(fn):
                targets: list[ast.AST] = []
                value = None
                if isinstance(node, ast.Assign):
                    targets, value = node.targets, node.value
                elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and node.value is not None:
                    targets, value = [node.target], node.value
                elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                    targets, value = [node.target], node.iter
                elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                    targets, value = [node.optional_vars], node.context_expr
                if value is None or not self._is_model_expr(value, names):
                    continue
                for target in targets:
                    for leaf in ast.walk(target):
                        if isinstance(leaf, ast.Name) and leaf.id not in names:
                            names.add(leaf.id)
                            changed = True
        return names

    def _form_names(self, fn: ast.AST) -> set[str]:
        names = set()
        for node in ast.walk(fn):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                callee = _called_name(node.value)
                if callee.endswith("Form") or callee.endswith("FormSet"):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        return names

    # --- the writes ----------------------------------------------------------------------------------
    def writes(self) -> list[int]:
        lines: set[int] = set()
        scopes = [n for n in ast.walk(self.tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for fn in [self.tree, *scopes]:
            names = self._model_names(fn) if fn is not self.tree else set()
            forms = self._form_names(fn)
            for call in ast.walk(fn):
                if isinstance(call, ast.Call) and self._is_write(call, names, forms):
                    lines.add(call.lineno)
        return sorted(lines)

    def _is_write(self, call: ast.Call, names: set[str], forms: set[str]) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in self.record_names
        if not isinstance(func, ast.Attribute):
            return False
        receiver = func.value
        if func.attr == "record" and isinstance(receiver, ast.Name) and receiver.id == "audit":
            return True
        if func.attr not in WRITE_METHODS:
            return False
        chain = _chain(receiver)
        if any(isinstance(link, ast.Attribute) and link.attr == "session" for link in chain):
            return False  # Django's session handling
        if self._is_orm_chain(receiver, names):
            return True
        if func.attr != "update" and self._rooted_at_model(chain, names):
            return True
        if func.attr == "save" and isinstance(receiver, ast.Name):
            lowered = receiver.id.lower()
            return receiver.id in forms or lowered.endswith("form") or lowered.endswith("formset")
        return False


def writes_in_source(source: str) -> list[int]:
    """Line numbers of the ORM writes in one module's source."""
    return _Checker(ast.parse(source)).writes()


def all_writes() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if not is_view_module(path):
            continue
        source = path.read_text()
        lines = source.splitlines()
        rel = str(path.relative_to(SRC.parent))
        for lineno in writes_in_source(source):
            found.append((rel, lineno, lines[lineno - 1].strip()))
    return found


def against_known(found, known) -> tuple[list[str], list[str]]:
    """(writes not in ``known`` as "file:line: text", entries of ``known`` that match no write)."""
    left = Counter(known)
    unexpected = []
    for rel, lineno, text in found:
        if left[(rel, text)] > 0:
            left[(rel, text)] -= 1
        else:
            unexpected.append(f"{rel}:{lineno}: {text}")
    stale = sorted(f"{rel}: {text}" for (rel, text), n in left.items() for _ in range(n))
    return unexpected, stale


def test_views_and_api_modules_write_nothing_to_the_orm():
    unexpected, stale = against_known(all_writes(), KNOWN)
    assert not unexpected, (
        "ORM writes in views/API modules (move them into the app's actions.py):\n" + "\n".join(unexpected)
    )
    assert not stale, "KNOWN lists writes that no longer exist; delete these entries:\n" + "\n".join(stale)


def test_the_allowlist_only_shrinks():
    found = [("credstack/x/views.py", 3, "row.delete()"), ("credstack/x/views.py", 9, "row.delete()")]
    # one allowed, a second identical write on another line is new
    assert against_known(found, [("credstack/x/views.py", "row.delete()")]) == (
        ["credstack/x/views.py:9: row.delete()"],
        [],
    )
    # an allowed write that was moved into an action must leave the list
    assert against_known(found[:1], [("credstack/x/views.py", "row.delete()")] * 2) == (
        [],
        ["credstack/x/views.py: row.delete()"],
    )


SAMPLE_VIEW = """
from django.shortcuts import get_object_or_404
from credstack.organizations import audit
from .forms import CourseForm
from .models import Course


def _course(request, public_id):
    return get_object_or_404(Course, organization=request.organization, public_id=public_id)


def edit(request, public_id):
    course = _course(request, public_id)
    course.title = "x"
    course.save()                                                   # 15: instance from a helper
    Course.objects.filter(pk=course.pk).update(title="y")           # 16: manager chain
    course.lessons.filter(position=1).delete()                      # 17: queryset call
    course.lessons.create(title="z")                                # 18: related manager of an instance
    form = CourseForm(request.POST, instance=course)
    form.save()                                                     # 20: ModelForm
    audit.record(request.organization, request.user, "x", course)   # 21: the audit row
    request.user.save(update_fields=["last_login"])                 # 22: request.user
    Course.objects.get_or_create(slug="a")                          # 23
    for lesson in Course.objects.filter(pk=1):
        lesson.delete()                                             # 25: loop over a queryset


def harmless(request, image):
    context = {"a": 1}
    context.update({"b": 2})
    course = _course(request, "x")
    course.settings.update({"c": 3})
    image.save(buffer, format="PNG")
    request.session.save()
    request.session.update({"k": 1})
    cache = {}
    cache.get("x").update(y=1)
    return context
"""


def test_the_check_flags_a_view_that_writes_and_nothing_else():
    assert writes_in_source(SAMPLE_VIEW) == [15, 16, 17, 18, 20, 21, 22, 23, 25]


def test_the_check_reads_the_modules_it_should():
    names = {p.name for p in SRC.rglob("*.py") if is_view_module(p)}
    assert {"views.py", "api.py", "v1.py", "pages.py"} <= names
    assert any(n.endswith("_views.py") for n in names) and any(n.endswith("_api.py") for n in names)
    assert any(
        p.parent.name == "views" and p.name != "__init__.py" for p in SRC.rglob("*.py") if is_view_module(p)
    )
    assert not is_view_module(Path("credstack/courses/actions.py"))
    assert not is_view_module(Path("credstack/courses/reviews.py"))
