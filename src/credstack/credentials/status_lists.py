"""Bitstring Status List bookkeeping: slots for new credentials, bits for state changes.

Every change re-signs the affected list credential inside the same transaction, so what
``/status/<id>/<purpose>`` serves is always the signed truth.
"""

from __future__ import annotations

import json

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from credstack.organizations import signing
from credstack.organizations.actions import active_key
from credstack.organizations.models import Organization
from credstack.vc import status as vc_status

from .models import StatusList


def _bits_field(purpose: str) -> str:
    if purpose not in StatusList.PURPOSES:
        raise ValueError(f"unknown status purpose {purpose!r}")
    return f"{purpose}_bits"


def _sign_list(status_list: StatusList, purpose: str) -> str:
    org = status_list.organization
    key = active_key(org)
    # a list is signed under the DID of the credentials it serves (a verifier wants the same issuer)
    did = status_list.issuer or org.path_did
    bits = vc_status.StatusBits.from_bytes(bytes(getattr(status_list, _bits_field(purpose))))
    unsigned = vc_status.list_credential(
        status_list.url(purpose), did, purpose, bits.encode(), timezone.now()
    )
    signed = signing.sign(unsigned, key, controller=did)
    return json.dumps(signed, ensure_ascii=False, separators=(",", ":"))


def _publish(status_list: StatusList, *purposes: str) -> None:
    for purpose in purposes:
        setattr(status_list, f"{purpose}_document", _sign_list(status_list, purpose))
    status_list.save(update_fields=[f"{p}_document" for p in purposes] + ["updated_at"])


def allocate_slots(org: Organization, count: int = 1) -> list[tuple[StatusList, int]]:
    """Reserve ``count`` status indexes (consecutive slots of a list, one UPDATE per list touched).

    Called inside the caller's transaction (``issue_credentials`` does), the reservation commits or rolls
    back with the credentials: no index is consumed without its credential. Called outside one, it is a
    short transaction of its own, and an index the caller then does not use stays unused (bits 0).
    """
    taken: list[tuple[StatusList, int]] = []
    # the lists of the organization's current DID ("": its path DID), decision 0049
    issuer = "" if org.did == org.path_did else org.did
    while len(taken) < count:
        with transaction.atomic():
            status_list = (
                StatusList.objects.select_for_update()
                .filter(organization=org, issuer=issuer, next_slot__lt=F("size"))
                .order_by("id")
                .first()
            )
            if status_list is None:
                status_list = StatusList.objects.create(organization=org, issuer=issuer)
                _publish(status_list, *StatusList.PURPOSES)
            first = status_list.next_slot
            n = min(count - len(taken), status_list.size - first)
            StatusList.objects.filter(pk=status_list.pk).update(next_slot=first + n)
            taken.extend((status_list, status_list.index_of_slot(s)) for s in range(first, first + n))
    return taken


def set_bit(status_list_id: int, index: int, purpose: str, value: bool) -> None:
    """Set one status bit and re-sign that list. Call inside the caller's transaction."""
    field = _bits_field(purpose)
    status_list = StatusList.objects.select_for_update().select_related("organization").get(pk=status_list_id)
    bits = vc_status.StatusBits.from_bytes(bytes(getattr(status_list, field)))
    bits.set(index, value)
    setattr(status_list, field, bits.to_bytes())
    status_list.save(update_fields=[field, "updated_at"])
    _publish(status_list, purpose)


def republish(org: Organization) -> int:
    """Sign every status list of ``org`` again with its active key (after a compromised key was
    replaced, decision 0054). Call inside the caller's transaction. Returns the number of lists."""
    lists = list(
        StatusList.objects.select_for_update().select_related("organization").filter(organization=org)
    )
    for status_list in lists:
        _publish(status_list, *StatusList.PURPOSES)
    return len(lists)
