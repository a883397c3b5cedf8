"""Who receives and who sees a credential: the email sent again, and the holder's choice of a public or
a private page."""

from __future__ import annotations

from django.db import transaction

from credstack.organizations import audit
from credstack.organizations.actors import as_actor
from credstack.organizations.models import Organization

from .. import pagecache, signals
from ..models import Credential


def resend_credential(credential: Credential, *, actor=None) -> None:
    """Email the credential's links to the recipient again, through the delivery app (branded
    templates, open/click tracking; it receives ``signals.resend_requested``); a DELIVERED event follows."""
    with transaction.atomic():
        cred = Credential.objects.select_related("organization").get(pk=credential.pk)
        if not signals.resend_requested.send(sender=Credential, credential=cred):
            raise RuntimeError("no installed app sends credential emails (add credstack.delivery)")
        audit.record(
            cred.organization,
            as_actor(actor),
            "credential.resend",
            cred.public_id,
            f"to {cred.recipient_email}",
        )


# ---- visibility (the holder decides whether the public page shows who they are) -------------------


def set_visibility(credential: Credential, public: bool, *, actor=None) -> Credential:
    """Public: anyone with the link sees the page; private: strangers see nothing personal.
    Changing it leaves an audit row for the issuing organization; setting it as it is changes nothing."""
    who = as_actor(actor)
    with transaction.atomic():
        cred = Credential.objects.select_for_update().select_related("organization").get(pk=credential.pk)
        if cred.is_public != public:
            cred.is_public = public
            cred.save(update_fields=["is_public"])
            audit.record(
                cred.organization,
                who,
                "credential.visibility",
                cred.public_id,
                "public" if public else "private",
            )
    return cred


def make_private(credentials, *, actor=None, why: str = "") -> int:
    """Make every credential of ``credentials`` (a queryset) private at once, e.g. when the holder
    deletes their portal account; one audit row per organization concerned. Returns how many changed."""
    who = as_actor(actor)
    with transaction.atomic():
        ids = list(credentials.filter(is_public=True).values_list("id", flat=True))
        changed = Credential.objects.filter(id__in=ids).update(is_public=False)
        # update() sends no post_save: the cached public pages of these credentials end at the commit
        pagecache.credentials_changed(
            Credential.objects.filter(id__in=ids).values_list("public_id", flat=True)
        )
        by_org: dict[int, int] = {}
        for org_id in Credential.objects.filter(id__in=ids).values_list("organization_id", flat=True):
            by_org[org_id] = by_org.get(org_id, 0) + 1
        for org in Organization.objects.filter(pk__in=by_org):
            detail = f"{by_org[org.pk]} credential(s)" + (f": {why}" if why else "")
            audit.record(org, who, "credentials.made_private", "", detail)
    return changed
