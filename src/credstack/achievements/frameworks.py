"""Reading skills frameworks as their publishers distribute them, with errors that say where.

- **CASE** (1EdTech Competencies and Academic Standards Exchange): a package, JSON with ``CFDocument``
  and ``CFItems`` (each with ``identifier``, ``uri``, ``fullStatement``, ``humanCodingScheme``).
- **ESCO** skills: the CSV from the ESCO download page (``conceptUri``, ``preferredLabel``,
  ``description``; other columns are ignored).
- **O*NET**: any tab-separated file of its database with ``Element ID`` and ``Element Name`` columns
  (``Content Model Reference.txt``, ``Skills.txt``...); repeated elements are read once.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_BYTES = 50 * 1024 * 1024
MAX_SKILLS = 100_000
ONET_URL = "https://www.onetonline.org/find/descriptor/browse/{code}"


class FrameworkError(ValueError):
    """The file cannot be read as the framework it claims to be: ``where`` (a row, a field) and why."""

    def __init__(self, where: str, why: str):
        super().__init__(f"{where}: {why}")
        self.where, self.why = where, why


@dataclass
class ParsedSkill:
    code: str
    name: str
    url: str
    description: str = ""


@dataclass
class Parsed:
    name: str
    url: str = ""
    skills: list[ParsedSkill] = field(default_factory=list)


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise FrameworkError(
            _("file"),
            _("is %(size)s MB; at most %(limit)s MB")
            % {"size": len(data) // 1024 // 1024, "limit": MAX_BYTES // 1024 // 1024},
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FrameworkError(_("file"), _("is not UTF-8 text (byte %(n)s)") % {"n": exc.start}) from None


def _clean(value: object, limit: int) -> str:
    text = " ".join(str(value or "").split())  # control characters and runs of spaces become one space
    return text[:limit]


def _check_count(skills: list[ParsedSkill]) -> None:
    if not skills:
        raise FrameworkError(_("file"), _("has no skills"))
    if len(skills) > MAX_SKILLS:
        raise FrameworkError(
            _("file"), _("has %(n)s skills; at most %(limit)s") % {"n": len(skills), "limit": MAX_SKILLS}
        )


def parse_case(data: bytes) -> Parsed:
    try:
        package = json.loads(_text(data))
    except json.JSONDecodeError as exc:
        raise FrameworkError(
            _("line %(n)s") % {"n": exc.lineno}, _("not JSON (%(error)s)") % {"error": exc.msg}
        ) from None
    if not isinstance(package, dict) or not isinstance(package.get("CFItems"), list):
        raise FrameworkError("CFItems", _("missing: a CASE package has a CFDocument and a list of CFItems"))
    document: dict = package["CFDocument"] if isinstance(package.get("CFDocument"), dict) else {}
    skills: list[ParsedSkill] = []
    for n, item in enumerate(package["CFItems"], 1):
        if not isinstance(item, dict):
            raise FrameworkError(f"CFItems[{n}]", _("is not an object"))
        statement = _clean(item.get("abbreviatedStatement") or item.get("fullStatement"), 500)
        uri = _clean(item.get("uri"), 2000)
        code = _clean(item.get("humanCodingScheme") or item.get("identifier"), 200)
        if not statement:
            raise FrameworkError(f"CFItems[{n}]", _("has no fullStatement"))
        if not uri.startswith(("https://", "http://")):
            raise FrameworkError(f"CFItems[{n}] ({statement[:40]})", _("has no uri"))
        if not code:
            raise FrameworkError(f"CFItems[{n}] ({statement[:40]})", _("has no identifier"))
        description = _clean(item.get("fullStatement"), 4000) if item.get("abbreviatedStatement") else ""
        skills.append(ParsedSkill(code=code, name=statement, url=uri, description=description))
    _check_count(skills)
    name = _clean(document.get("title"), 200) or "CASE framework"
    return Parsed(name=name, url=_clean(document.get("uri"), 2000), skills=_unique(skills))


def parse_esco(data: bytes) -> Parsed:
    rows = csv.DictReader(io.StringIO(_text(data)))
    columns = set(rows.fieldnames or [])
    if not {"conceptUri", "preferredLabel"} <= columns:
        raise FrameworkError(
            _("header"), _("the ESCO skills CSV needs the columns conceptUri and preferredLabel")
        )
    skills: list[ParsedSkill] = []
    for n, row in enumerate(rows, 2):
        uri, label = _clean(row.get("conceptUri"), 2000), _clean(row.get("preferredLabel"), 500)
        if not label:
            raise FrameworkError(_("row %(n)s") % {"n": n}, _("preferredLabel is empty"))
        if not uri.startswith(("http://", "https://")):
            raise FrameworkError(
                _("row %(n)s (%(label)s)") % {"n": n, "label": label[:40]},
                _("conceptUri %(uri)s is not a URL") % {"uri": repr(uri[:60])},
            )
        code = uri.rstrip("/").rsplit("/", 1)[-1][:200]
        skills.append(
            ParsedSkill(code=code, name=label, url=uri, description=_clean(row.get("description"), 4000))
        )
    _check_count(skills)
    return Parsed(name="ESCO skills", url="https://esco.ec.europa.eu/", skills=_unique(skills))


def parse_onet(data: bytes) -> Parsed:
    rows = csv.DictReader(io.StringIO(_text(data)), delimiter="\t")
    columns = set(rows.fieldnames or [])
    if not {"Element ID", "Element Name"} <= columns:
        raise FrameworkError(
            _("header"), _("an O*NET file needs the tab-separated columns Element ID and Element Name")
        )
    skills: list[ParsedSkill] = []
    for n, row in enumerate(rows, 2):
        code, name = _clean(row.get("Element ID"), 200), _clean(row.get("Element Name"), 500)
        if not code or not name:
            raise FrameworkError(
                _("row %(n)s") % {"n": n}, _("Element ID and Element Name must not be empty")
            )
        skills.append(
            ParsedSkill(
                code=code,
                name=name,
                url=ONET_URL.format(code=code),
                description=_clean(row.get("Description"), 4000),
            )
        )
    _check_count(skills)
    return Parsed(name="O*NET", url="https://www.onetcenter.org/content.html", skills=_unique(skills))


def _unique(skills: list[ParsedSkill]) -> list[ParsedSkill]:
    """The first of each code (O*NET repeats elements once per occupation)."""
    seen: dict[str, ParsedSkill] = {}
    for skill in skills:
        seen.setdefault(skill.code, skill)
    return list(seen.values())


PARSERS = {"case": parse_case, "esco": parse_esco, "onet": parse_onet}
