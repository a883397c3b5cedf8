"""A credential changed in place: signed again under the same id and status entry, with a new expiry
(``change_expiry``) or one more endorsement (``attach_endorsement``)."""

from __future__ import annotations

import json
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.organizations import audit, signing
from credstack.organizations.actions import active_key
from credstack.organizations.actors import as_actor
from credstack.vc import dates as vc_dates

from ..models import Credential, CredentialEvent
from .state import CredentialStateError, clean_reason, state_changed


def change_expiry(
    credential: Credential, *, valid_until: datetime | None, actor=None, note: str = ""
) -> Credential:
    """Change when a credential expires: it is re-signed under the same id and status entry.

    The credential's URL does not change and serves the re-signed document; see
    docs/decisions/0006-issuer-workspace.md for why (and for what happens to copies already downloaded).
    A new expiry in the past is announced to webhook subscribers by ``announce_expired`` again.
    """
    who = as_actor(actor)
    note = clean_reason(note)
    with transaction.atomic():
        cred = Credential.objects.select_for_update().select_related("organization").get(pk=credential.pk)
        if cred.state == Credential.State.REVOKED:
            raise CredentialStateError(
                _("credential %(id)s is revoked; its expiry cannot change") % {"id": cred.public_id}
            )
        if valid_until is not None:
            valid_until = valid_until.replace(microsecond=0)
            if valid_until <= cred.issued_at:
                raise ValidationError({"valid_until": _("must be after the issue date")})
        old = cred.valid_until
        doc = cred.signed()
        doc.pop("proof", None)
        if valid_until is None:
            doc.pop("validUntil", None)
        else:
            doc["validUntil"] = vc_dates.format_datetime(valid_until)
        key = active_key(cred.organization)
        now = timezone.now().replace(microsecond=0)
        # signed again under the DID it was issued by, whatever the organization's DID is now (0049)
        issuer = doc.get("issuer")
        controller = issuer.get("id") if isinstance(issuer, dict) else issuer
        # raises if it does not verify
        signed = signing.sign(doc, key, created=now, as_list=True, controller=controller or None)
        cred.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        cred.valid_until = valid_until
        cred.expiry_announced_at = None  # the new expiry, when it comes, is announced again
        cred.save(update_fields=["document", "valid_until", "expiry_announced_at"])
        fmt = lambda d: d.date().isoformat() if d else "never"  # noqa: E731
        change = f"{fmt(old)} -> {fmt(valid_until)}" + (f": {note}" if note else "")
        CredentialEvent.objects.create(
            credential=cred, kind=CredentialEvent.Kind.EXPIRY_CHANGED, actor=who.user_or_none, note=change
        )
        audit.record(cred.organization, who, "credential.expiry", cred.public_id, change)
        state_changed(cred, "expiry_changed")
    return cred


def attach_endorsement(credential: Credential, endorsement: dict, *, actor=None) -> Credential:
    """Add a signed ``EndorsementCredential`` to the credential's ``endorsement`` list (Open Badges 3.0):
    the credential is signed again under the same id and status entry, as ``change_expiry`` does."""
    who = as_actor(actor)
    with transaction.atomic():
        cred = Credential.objects.select_for_update().select_related("organization").get(pk=credential.pk)
        doc = cred.signed()
        doc.pop("proof", None)
        doc["endorsement"] = [*doc.get("endorsement", []), endorsement]
        now = timezone.now().replace(microsecond=0)
        signed = signing.sign(doc, active_key(cred.organization), created=now, as_list=True)
        cred.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        cred.save(update_fields=["document"])
        audit.record(cred.organization, who, "credential.endorsed", cred.public_id, endorsement.get("id", ""))
    return cred
