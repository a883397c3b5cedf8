"""A leaked signing key (decision 0054): a new key, the status lists signed again at once, and every
credential the old key signed signed again in the background (``resign_compromised_task``)."""

from __future__ import annotations

import logging
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from credstack.organizations import audit, signing
from credstack.organizations.actions import active_key, rotate_key
from credstack.organizations.actors import Actor, as_actor
from credstack.organizations.models import Organization, SigningKey
from credstack.outbox import actions as outbox

from .. import pagecache, status_lists
from ..models import Credential
from .issue import signing_processes
from .state import clean_reason

log = logging.getLogger("credstack.credentials.actions")  # log lines keep the name they had before the split


KEY_COMPROMISED = "organization.key_compromised"
RESIGN_BATCH = 200


def rotate_compromised_key(org: Organization, *, reason: str, actor=None) -> SigningKey:
    """The organization's active key leaked: a new key signs from now on, the old one leaves the DID
    document (nothing it signed verifies any more), the status lists are signed again at once, and
    every credential the old key signed is signed again by the new one, in batches, by a background
    task (``resign_compromised``), which the periodic job resumes if it stops. Returns the new key."""
    who = as_actor(actor)
    reason = clean_reason(reason, required=_("say what happened to the key (it goes in the audit log)"))
    with transaction.atomic():
        old = active_key(org)
        key = rotate_key(org, actor=who, compromised=True, reason=reason)
        lists = status_lists.republish(org)
        audit.record(
            org,
            who,
            "credential.resign_started",
            old.fragment,
            f"status lists signed again: {lists}; credentials follow in the background",
        )
        outbox.emit(
            KEY_COMPROMISED, {"organization": org.pk, "key": old.pk}, key=f"{KEY_COMPROMISED}:{old.pk}"
        )
    log.warning(
        "signing key %s of %s marked compromised; %s signs from now on", old.fragment, org.slug, key.fragment
    )
    return key


def _signed_by(key: SigningKey):
    """Credentials of the key's organization whose proof names the key (the documents are compact JSON)."""
    return Credential.objects.filter(
        organization_id=cast(int, key.organization_id),  # a compromised key is an organization's
        document__contains=f'"verificationMethod":"{key.verification_method}"',
    )


def resign_batch(key: SigningKey, size: int = RESIGN_BATCH) -> int:
    """Sign again, with the organization's active key, up to ``size`` credentials still signed by the
    compromised ``key``: one transaction, one signer, same ids and status entries. Returns how many."""
    with transaction.atomic():
        creds = list(_signed_by(key).select_for_update().order_by("id")[:size])
        if not creds:
            return 0
        signer = signing.Signer(active_key(cast(Organization, key.organization)))
        unsigned = []
        for cred in creds:
            doc = cred.signed()
            doc.pop("proof", None)
            unsigned.append(doc)
        now = timezone.now().replace(microsecond=0)
        # compact JSON, each signature checked (in the signing processes for a large batch)
        signed = signer.submit(unsigned, created=now, as_list=True, processes=signing_processes()).result()
        for cred, document in zip(creds, signed, strict=True):
            cred.document = document
        Credential.objects.bulk_update(creds, ["document"])
        note = f"signed again by {signer.key.fragment}: {key.fragment} was compromised"
        audit.record_many(
            key.organization,
            Actor.system("key compromise re-signing"),
            "credential.resigned",
            [(cred.public_id, note) for cred in creds],
        )
        pagecache.credentials_changed([cred.public_id for cred in creds])
    return len(creds)


def resign_compromised(key_id: int, size: int = RESIGN_BATCH) -> int:
    """Every credential the compromised key signed, signed again (batches of ``size``); safe to run
    twice and to resume: each batch takes what is still signed by the old key. Returns how many."""
    key = SigningKey.objects.select_related("organization").get(pk=key_id)
    if key.compromised_at is None:
        raise ValueError(f"key {key} is not marked compromised")
    total = 0
    while n := resign_batch(key, size):
        total += n
    with transaction.atomic():
        if SigningKey.objects.filter(pk=key.pk, resigned_at=None).update(resigned_at=timezone.now()):
            audit.record(
                key.organization,
                Actor.system("key compromise re-signing"),
                "credential.resign_finished",
                key.fragment,
                f"every credential {key.fragment} had signed is signed again",
            )
    log.info("key %s: %d credentials signed again", key, total)
    return total


@task()
def resign_compromised_task(key_id: int) -> int:
    """``resign_compromised`` run later: queued by the outbox consumer of ``rotate_compromised_key``."""
    return resign_compromised(key_id)


def key_compromised_effect(payload: dict, key: str) -> None:
    """Outbox consumer of KEY_COMPROMISED: queue the re-signing (idempotent: the task is)."""
    resign_compromised_task.enqueue(payload["key"])


def resume_resigning() -> int:
    """Periodic: finish the re-signing of any compromised key whose task stopped before the end."""
    pending = list(
        SigningKey.objects.filter(compromised_at__isnull=False, resigned_at=None).values_list("pk", flat=True)
    )
    return sum(resign_compromised(pk) for pk in pending)
