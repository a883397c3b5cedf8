"""CSV exports that are safe to open in a spreadsheet: a cell that starts with = + - @ (or a tab or
carriage return) is prefixed with an apostrophe so it is shown as text, never run as a formula (OWASP
"CSV injection")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS):
        # numbers like -3 stay numbers
        try:
            float(text)
            return text
        except ValueError:
            return "'" + text
    return text


def csv_text(header: list[str], rows: Iterable[Iterable]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(c) for c in row])
    return out.getvalue()
