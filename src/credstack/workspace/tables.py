"""Reading the table of a bulk upload: CSV and XLSX files, and the API's JSON batches, into columns and
rows, bounded (size, rows, columns, line length, unpacked workbook, shared strings) before anything is held.
Pure of the database: ``bulk/check.py`` turns a table into a job."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_ROWS = 100_000  # a bulk file (issue 12: 100,000 rows in flat memory, benchmarks/bulk.py)
MAX_COLUMNS = 200
MAX_LINE_CHARS = 1024 * 1024  # of a CSV file
MAX_XLSX_XML_BYTES = 256 * 1024 * 1024  # a workbook, unpacked
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_XML_TEXT_BYTES = 64 * 1024  # one cell's text (or one tag) in a workbook's XML
NAME_COLUMNS = ("name", "full name", "fullname", "recipient", "recipient name", "recipient_name", "learner")
EMAIL_COLUMNS = ("email", "e-mail", "email address", "mail", "recipient email", "recipient_email")
SCORE_COLUMNS = ("score", "grade", "result")

JSON_KIND = "application/json"  # a batch sent to the API: a list of recipients, read as JSON
FIXED_COLUMNS = ("name", "email", "score")


class FileProblem(ValueError):
    """The file as a whole cannot be read (not the rows in it)."""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _cell(v) -> str:
    if v is None:
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def recipients_json(recipients: Iterable[dict]) -> bytes:
    """A batch of recipients (``name``, ``email``, optional ``score`` and ``fields``) as the bytes a job
    stores: canonical JSON, so the same batch sent twice has the same hash and issues nothing twice."""
    keep = [
        {
            "name": r["name"],
            "email": r["email"],
            "score": r.get("score") or "",
            "fields": r.get("fields") or {},
        }
        for r in recipients
    ]
    return json.dumps(keep, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _json_table(data: bytes, filename: str) -> Table:
    """A stored API batch as a table: the fixed columns, then every merge field in name order."""
    try:
        recipients = json.loads(data)
    except ValueError as exc:
        raise FileProblem(_("%(file)s is not valid JSON: %(error)s") % {"file": filename, "error": exc})
    if not isinstance(recipients, list) or not all(isinstance(r, dict) for r in recipients):
        raise FileProblem(_("%(file)s must be a list of recipients") % {"file": filename})
    if len(recipients) > MAX_ROWS:
        raise FileProblem(
            _("%(file)s has more than %(rows)s rows; split it into smaller batches")
            % {"file": filename, "rows": f"{MAX_ROWS:,}"}
        )
    extra = sorted({k for r in recipients for k in (r.get("fields") or {})} - set(FIXED_COLUMNS))
    rows = [
        [
            str(r.get("name") or ""),
            str(r.get("email") or ""),
            str(r.get("score") or ""),
            *(str((r.get("fields") or {}).get(k, "")) for k in extra),
        ]
        for r in recipients
    ]
    if not rows:
        raise FileProblem(_("%(file)s is empty") % {"file": filename})
    return Table([*FIXED_COLUMNS, *extra], rows)


def _lines(stream: io.TextIOWrapper, filename: str) -> Iterator[str]:
    """The lines of a CSV file, none longer than MAX_LINE_CHARS: a line of a million commas is a million
    fields before any of them could be refused."""
    while line := stream.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise FileProblem(
                _("%(file)s has a line longer than %(chars)s characters")
                % {"file": filename, "chars": f"{MAX_LINE_CHARS:,}"}
            )
        yield line


def _check_workbook_size(data: bytes, filename: str) -> None:
    """Refuse, before openpyxl reads it, a workbook that unpacks to more than MAX_XLSX_XML_BYTES, holds
    more shared strings than MAX_SHARED_STRINGS_BYTES (openpyxl keeps them all), or has one text longer
    than MAX_XML_TEXT_BYTES (openpyxl keeps a cell's text whole: 200 MB of "a" in one cell packs into
    200 KB and took 420 MB to read). A member's declared size is a true bound: zipfile stops there."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_XLSX_XML_BYTES:
                raise FileProblem(
                    _(
                        "%(file)s unpacks to %(size)s MB; at most %(limit)s MB are read: split it into smaller files"
                    )
                    % {
                        "file": filename,
                        "size": f"{total / 1e6:.0f}",
                        "limit": f"{MAX_XLSX_XML_BYTES / 1e6:.0f}",
                    }
                )
            for member in members:
                name = member.filename.lower()
                if name.endswith("sharedstrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
                    raise FileProblem(
                        _(
                            "%(file)s holds %(size)s MB of text; at most %(limit)s MB are read: "
                            "split it into smaller files"
                        )
                        % {
                            "file": filename,
                            "size": f"{member.file_size / 1e6:.0f}",
                            "limit": f"{MAX_SHARED_STRINGS_BYTES / 1e6:.0f}",
                        }
                    )
                if name.endswith(".xml"):
                    with archive.open(member) as part:
                        _check_text_runs(part, filename)
    except FileProblem:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise FileProblem(
            _("%(file)s cannot be read as an Excel workbook (.xlsx)") % {"file": filename}
        ) from None


def _check_text_runs(part, filename: str) -> None:
    """No run of more than MAX_XML_TEXT_BYTES between two "<" in this XML part (read 1 MB at a time)."""
    run = 0  # bytes since the last "<"
    while chunk := part.read(1024 * 1024):
        pieces = chunk.split(b"<")
        longest = max(run + len(pieces[0]), max(map(len, pieces[1:-1]), default=0))
        run = run + len(chunk) if len(pieces) == 1 else len(pieces[-1])
        if max(longest, run) > MAX_XML_TEXT_BYTES:
            raise FileProblem(
                _(
                    "%(file)s has a cell or value longer than %(bytes)s bytes; a cell holds at most 500 characters"
                )
                % {"file": filename, "bytes": f"{MAX_XML_TEXT_BYTES:,}"}
            )


def read_table(data: bytes, kind: str, filename: str = "file") -> Table:
    if kind == JSON_KIND:
        return _json_table(data, filename)
    if kind == "text/csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileProblem(
                _("%(file)s is not UTF-8 text (byte %(byte)d); save it as 'CSV UTF-8' and upload again")
                % {"file": filename, "byte": exc.start + 1}
            )
        if "\x00" in text:
            raise FileProblem(_("%(file)s contains NUL bytes: it is not a CSV file") % {"file": filename})
        sample = text[:8192]
        del text  # read below as a stream of lines: an io.StringIO of the text held four bytes a character
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        reader = csv.reader(_lines(stream, filename), dialect)
        try:
            rows = []
            for i, row in enumerate(reader):
                if i > MAX_ROWS:
                    raise FileProblem(
                        _("%(file)s has more than %(rows)s rows; split it into smaller files")
                        % {"file": filename, "rows": f"{MAX_ROWS:,}"}
                    )
                if len(row) > MAX_COLUMNS and (i == 0 or any(c.strip() for c in row[MAX_COLUMNS:])):
                    raise FileProblem(
                        _("%(file)s has more than %(columns)d columns")
                        % {"file": filename, "columns": MAX_COLUMNS}
                    )
                rows.append(row[:MAX_COLUMNS])
        except csv.Error as exc:
            raise FileProblem(_("%(file)s is not valid CSV: %(error)s") % {"file": filename, "error": exc})
    else:
        import openpyxl  # openpyxl: loaded only for spreadsheets

        _check_workbook_size(data, filename)
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise FileProblem(_("%(file)s cannot be read as an Excel workbook (.xlsx)") % {"file": filename})
        ws = wb.worksheets[0]
        # A sheet's declared size is the file's word, not a fact: "A1:XFD8002" over 8,000 empty rows
        # made every row 16,384 cells (45 s and 1.1 GB for a 26 KB file). Forget the declared size,
        # read the header row, then only the header's columns of each row, as a stream.
        ws.reset_dimensions()
        first = next(ws.iter_rows(max_row=1, values_only=True), ())
        width = min(len(first), MAX_COLUMNS)
        while width and _cell(first[width - 1]).strip() == "":
            width -= 1
        rows = [[_cell(v) for v in first[:width]]]
        for i, row in enumerate(ws.iter_rows(min_row=2, max_col=max(width, 1), values_only=True), 1):
            if i > MAX_ROWS:
                raise FileProblem(
                    _("%(file)s has more than %(rows)s rows; split it into smaller files")
                    % {"file": filename, "rows": f"{MAX_ROWS:,}"}
                )
            rows.append([_cell(v) for v in row])
        wb.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise FileProblem(_("%(file)s is empty") % {"file": filename})
    header = [c.strip() for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem(
            _("%(file)s: the first row must name the columns (e.g. name, email)") % {"file": filename}
        )
    seen = set()
    for i, col in enumerate(header, 1):
        if not col:
            raise FileProblem(
                _("%(file)s: column %(number)d has no name in the first row")
                % {"file": filename, "number": i}
            )
        if col.lower() in seen:
            raise FileProblem(
                _("%(file)s: the column name %(column)s appears twice in the first row")
                % {"file": filename, "column": repr(col)}
            )
        seen.add(col.lower())
    body = [r for r in rows[1:]]
    return Table(header, body)


def guess_mapping(columns: list[str]) -> dict[str, str]:
    lower = {c.lower().strip(): c for c in columns}

    def pick(cands):
        return next((lower[c] for c in cands if c in lower), "")

    return {"name": pick(NAME_COLUMNS), "email": pick(EMAIL_COLUMNS), "score": pick(SCORE_COLUMNS)}


def merge_key(column: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_]+", "_", column.strip()).strip("_").lower() or "column"
    return ("c_" + key if key[0].isdigit() else key)[:64]
