"""Revoke, suspend, reinstate or resend many credentials: the ticked ones, or every credential matching
the list's filter (all pages). Large selections run as a task; each credential still goes through
``credstack.credentials.actions`` and leaves its own audit entry."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues
from credstack.achievements.models import Achievement
from credstack.credentials import actions as cred_actions
from credstack.credentials.models import Credential
from credstack.organizations import audit
from credstack.organizations.actors import as_actor
from credstack.organizations.models import Organization

from .queries import filtered

ACTIONS = ("revoke", "suspend", "reinstate", "resend", "renew")
FILTER_KEYS = ("q", "achievement", "state", "from", "to")
CHUNK = 200


def sync_limit() -> int:
    """Selections up to this size run in the request; larger ones as a background task."""
    return int(getattr(settings, "CREDSTACK_BULK_ACTION_SYNC_LIMIT", 100))


def filter_params(data) -> dict:
    return {k: str(data.get(k)).strip()[:200] for k in FILTER_KEYS if str(data.get(k) or "").strip()}


CONFIRM_SALT = "credstack.workspace.bulk-action"
CONFIRM_MAX_AGE = 3600


def make_cutoff(org) -> tuple[str, int]:
    """A signed, expiring token of the newest credential row at the moment the issuer sees the count."""
    upto = (
        Credential.objects.filter(organization=org).order_by("-id").values_list("id", flat=True).first() or 0
    )
    return signing.dumps({"org": org.pk, "upto": upto}, salt=CONFIRM_SALT), upto


def parse_cutoff(org, token: str) -> int | None:
    try:
        data = signing.loads(token or "", salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return data["upto"] if data.get("org") == org.pk else None


def matching(org, params: dict, upto: int):
    """The organization's credentials matching the list filter, up to the newest one when the issuer
    saw the count: credentials issued after the confirmation page are never touched."""
    qs, _ = filtered(org, params)
    return qs.filter(id__lte=upto)


def apply(org, actor, action: str, reason: str, credentials) -> tuple[int, int]:
    """Apply ``action`` to each credential; returns (done, skipped because their state forbids it)."""
    done = skipped = 0
    for credential in credentials:
        try:
            if action == "resend":
                cred_actions.resend_credential(credential, actor=actor)
            elif action == "renew":  # those not due (see ``renewable``) are skipped
                cred_actions.renew_as_issued(credential, actor=actor)
            else:
                getattr(cred_actions, f"{action}_credential")(credential, reason=reason, actor=actor)
            done += 1  # the action left the credential's audit entry
        except (cred_actions.CredentialStateError, ValidationError):
            skipped += 1
    return done, skipped


def apply_matching(org, actor, action: str, reason: str, params: dict, upto: int) -> tuple[int, int]:
    """Every matching credential, a chunk at a time (ids first, so the rows changed by the action do
    not shift the pages under our feet)."""
    ids = list(matching(org, params, upto).order_by("id").values_list("id", flat=True))
    done = skipped = 0
    for start in range(0, len(ids), CHUNK):
        chunk = Credential.objects.filter(organization=org, id__in=ids[start : start + CHUNK]).order_by("id")
        d, s = apply(org, actor, action, reason, chunk)
        done, skipped = done + d, skipped + s
    return done, skipped


def describe(org, params: dict) -> list[str]:
    """The filter in words, for the confirmation page."""
    parts = []
    if params.get("q"):
        parts.append(_("search “%(q)s”") % {"q": params["q"]})
    if params.get("achievement"):
        a = Achievement.objects.filter(organization=org, public_id=params["achievement"]).first()
        parts.append(_("achievement %(name)s") % {"name": a.name if a else _("(unknown)")})
    if params.get("state"):
        parts.append(_("state %(state)s") % {"state": params["state"]})
    if params.get("from"):
        parts.append(_("issued from %(date)s") % {"date": params["from"]})
    if params.get("to"):
        parts.append(_("issued to %(date)s") % {"date": params["to"]})
    return parts or [_("no filter: every credential of the organization")]


def queue_matching(org, actor, action: str, reason: str, params: dict, upto: int, count: int) -> None:
    """Run ``action`` over the matching credentials in the background (too many to do in the request);
    the audit log says it was queued now, and each credential and a summary when it is done."""
    who = as_actor(actor)
    with transaction.atomic():
        with translation.override("en"):  # the audit log keeps one language
            words = "; ".join(describe(org, params))
        audit.record(org, who, "credentials.bulk_queued", words, f"{action}: {count} credential(s)")
        user_id = who.user.pk if who.user_or_none else None
        transaction.on_commit(lambda: run_bulk_action.enqueue(org.pk, user_id, action, reason, params, upto))


@task(queue_name=taskqueues.BULK)
def run_bulk_action(
    org_id: int, actor_id: int | None, action: str, reason: str, params: dict, upto: int
) -> str:

    org = Organization.objects.get(pk=org_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    done, skipped = apply_matching(org, actor, action, reason, params, upto)
    summary = f"{action}: {done} done, {skipped} skipped (their state does not allow it)"
    audit.record(org, actor, "credentials.bulk_finished", "; ".join(describe(org, params)), summary)
    return summary
