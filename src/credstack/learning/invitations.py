"""Reading the educator's list of learners to invite (pure: no database)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from credstack.credentials.validation import clean_email, clean_name

MAX_INVITATIONS = 1000


@dataclass
class InvitationRow:
    line: int
    email: str
    name: str


def parse_invitations(text: str) -> list[InvitationRow]:
    """One learner a line: ``email``, ``email, name``, ``name, email`` or ``Name <email>``. Raises ValidationError listing
    every bad line (line number, what is wrong); nothing is sent unless every line is good."""
    rows: list[InvitationRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, raw in enumerate((text or "").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if "<" in line and line.endswith(">"):
            name, _, email = line[:-1].rpartition("<")
        elif "," in line or ";" in line or "\t" in line:
            email, _, name = line.replace(";", ",").replace("\t", ",").partition(",")
            if "@" not in email and "@" in name:  # "name, email"
                email, name = name, email
        else:
            email, name = line, ""
        name, email = name.strip().strip('"'), email.strip()
        try:
            email = clean_email(email, "email").lower()
            name = clean_name(name, "name") if name else ""
        except ValidationError as exc:
            detail = "; ".join(f"{k} {' '.join(v)}" for k, v in exc.message_dict.items())
            errors.append(f"line {n}: {detail}")
            continue
        if email in seen:
            errors.append(f"line {n}: {email} is already on line {seen[email]}")
            continue
        seen[email] = n
        rows.append(InvitationRow(n, email, name))
    if len(rows) > MAX_INVITATIONS:
        errors.append(f"{len(rows)} learners at once; at most {MAX_INVITATIONS} per invitation")
    if not rows and not errors:
        errors.append("give at least one email address")
    if errors:
        raise ValidationError({"emails": errors})
    return rows
