""" "Already held": a recipient's active, unexpired credential of an achievement, for the dry run of a
bulk upload and for the requests that say ``duplicates="refuse"``."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.db.models.functions import Lower
from django.utils import timezone

from credstack.achievements.models import Achievement

from ..models import Credential
from .requests import AlreadyHeld, Checked


def _held(achievement: Achievement):
    """Credentials that count as "already held": active and not expired."""
    return (
        Credential.objects.filter(achievement=achievement, state=Credential.State.ACTIVE)
        .exclude(valid_until__lte=timezone.now())
        .select_related("achievement")
        .order_by("-issued_at", "-id")
    )


def held_credential(achievement: Achievement, email: str) -> Credential | None:
    """The newest active, unexpired credential for ``achievement`` held by ``email``, or None."""
    return _held(achievement).filter(recipient_email__iexact=email).first()


class Held(NamedTuple):
    """What a bulk dry run says of a credential already held."""

    public_id: str
    issued_at: datetime


def held_credentials(achievement: Achievement) -> dict[str, Held]:
    """Every holder of ``achievement`` (lower-cased email -> their newest active credential), for a
    bulk upload's dry run: the same rule as ``issue_credential``'s. Tuples, not model objects: a file
    sent again over 100,000 holders held 270 MB of them (benchmarks/bulk.py, decision 0048)."""
    held: dict[str, Held] = {}
    rows = _held(achievement).values_list("recipient_email", "public_id", "issued_at")
    for email, public_id, issued_at in rows.iterator(chunk_size=2000):
        held.setdefault(email.lower(), Held(public_id, issued_at))
    return held


def refuse_held(todo: list[Checked]) -> list[Checked]:
    """Requests that say ``duplicates="refuse"`` for a recipient who already holds an active credential
    of the achievement get ``AlreadyHeld`` (after the idempotency keys: a retry returns its credential,
    not a refusal). One query per achievement the batch names (ids only), and one for the credentials
    held, when a recipient holds one."""
    asking = [c for c in todo if c.result.request.duplicates == "refuse"]
    if not asking:
        return todo
    emails: dict[int, set[str]] = {}
    achievements: dict[int, Achievement] = {}
    for c in asking:
        achievement = c.result.request.achievement
        achievements[achievement.pk] = achievement
        emails.setdefault(achievement.pk, set()).add(c.email.lower())
    newest: dict[int, dict[str, int]] = {}
    for pk, wanted in emails.items():
        found = newest.setdefault(pk, {})
        # not joined with the achievement: joined, SQLite walks every credential of the achievement
        # instead of the lower-cased email index (3.6 ms at 2,000 holders, and growing; decision 0068)
        for credential_pk, email in (
            _held(achievements[pk])
            .select_related(None)
            .annotate(email=Lower("recipient_email"))
            .filter(email__in=wanted)
            .values_list("pk", "email")
        ):
            found.setdefault(email, credential_pk)  # the newest first
    wanted_pks = [credential_pk for found in newest.values() for credential_pk in found.values()]
    loaded = Credential.objects.in_bulk(wanted_pks) if wanted_pks else {}
    holders: dict[int, dict[str, Credential]] = {}
    for pk, found in newest.items():
        for email, credential_pk in found.items():
            credential = loaded.get(credential_pk)
            if credential is not None:  # not deleted meanwhile
                credential.achievement = achievements[pk]  # what AlreadyHeld names
                holders.setdefault(pk, {})[email] = credential
    left = []
    for c in todo:
        held = holders.get(c.result.request.achievement.pk, {}).get(c.email.lower())
        if c.result.request.duplicates == "refuse" and held is not None:
            c.result.error = AlreadyHeld(held)
        else:
            left.append(c)
    return left
