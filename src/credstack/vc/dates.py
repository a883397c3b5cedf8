"""XML Schema dateTime values as Verifiable Credentials use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# XML Schema 1.1 dateTime; a value without a time zone is read as UTC (as Digital Bazaar's verifier does).
_DATETIME = re.compile(
    r"(?P<year>-?(?:[1-9][0-9]{3,}|0[0-9]{3}))-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])"
    r"T(?P<hour>[01][0-9]|2[0-3]|24):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])(?P<fraction>\.[0-9]+)?"
    r"(?P<tz>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
)


def format_datetime(value: datetime) -> str:
    """``value`` as ``YYYY-MM-DDThh:mm:ssZ`` in UTC, without fractions (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> datetime:
    """The current time in UTC, whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def parse_datetime(value: object) -> datetime | None:
    """An aware datetime for an XML Schema dateTime string, or None if it is not one."""
    if not isinstance(value, str):
        return None
    match = _DATETIME.fullmatch(value)
    if not match:
        return None
    parts = match.groupdict()
    year = int(parts["year"])
    if not 1 <= year <= 9999:
        return None
    hour = int(parts["hour"])
    fraction = parts["fraction"] or ""
    if hour == 24 and not (parts["minute"] == parts["second"] == "00" and set(fraction[1:]) <= {"0"}):
        return None
    try:
        result = datetime(
            year,
            int(parts["month"]),
            int(parts["day"]),
            hour % 24,
            int(parts["minute"]),
            int(parts["second"]),
            int((fraction[1:] + "000000")[:6] or 0),
            tzinfo=UTC,
        )
        if hour == 24:
            result += timedelta(days=1)
        tz = parts["tz"]
        if tz and tz != "Z":
            sign = 1 if tz[0] == "+" else -1
            result -= sign * timedelta(hours=int(tz[1:3]), minutes=int(tz[4:6]))
    except (ValueError, OverflowError):
        return None
    return result
