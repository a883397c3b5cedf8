"""The middle stages of the one issuance pipeline (decision 0066): load the versions a batch is issued
with, reserve its status slots and compose its documents per organization (``compose_group``), and
insert the signed credentials with their events, audit and outbox rows (``insert_group``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.conf import settings

from credstack.achievements.actions import current_version
from credstack.achievements.models import Achievement
from credstack.organizations import audit, signing
from credstack.organizations.actions import active_key
from credstack.organizations.actors import Actor, as_actor
from credstack.organizations.models import Organization
from credstack.outbox import actions as outbox
from credstack.vc import ob3
from credstack.vc import status as vc_status

from .. import status_lists
from ..carried import carried
from ..models import Credential, CredentialEvent
from ..signals import ISSUED
from .requests import Checked, IssueRequest

log = logging.getLogger("credstack.credentials.actions")  # log lines keep the name they had before the split


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# Reserves status slots for requests of one organization: (org, requests) -> one (list, index) each.
Reserve = Callable[[Organization, list[IssueRequest]], list[tuple]]


@dataclass
class Version:
    """What credentials of one achievement are issued with, loaded once per batch."""

    achievement: Achievement
    version: object
    snapshot: dict
    extra: dict
    valid_for_months: int | None
    design_version: object | None


def load_versions(todo: list[Checked]) -> dict[tuple, Version]:
    """The achievement version and design version of each request, one query for every achievement
    the batch names (as stored now: the caller's instances may be stale) plus ``current_version``."""
    fresh_ids = {
        c.result.request.achievement.pk
        for c in todo
        if c.result.request.achievement_version is None or c.result.request.design_version is None
    }
    fresh = (
        Achievement.objects.select_related("organization", "design__current").in_bulk(fresh_ids)
        if fresh_ids
        else {}
    )
    out: dict[tuple, Version] = {}
    for c in todo:
        req = c.result.request
        vkey = version_key(req)
        if vkey in out:
            continue
        achievement = req.achievement if req.achievement_version is not None else fresh[req.achievement.pk]
        version = req.achievement_version or current_version(achievement)
        snapshot = dict(version.data)  # type: ignore[attr-defined]
        extra = snapshot.pop("extra", {}) or {}
        valid_for_months = snapshot.pop("valid_for_months", None)
        design_version = req.design_version
        if design_version is None:
            design = fresh[req.achievement.pk].design
            design_version = design.current if design is not None else None
        out[vkey] = Version(achievement, version, snapshot, extra, valid_for_months, design_version)
    return out


def version_key(req: IssueRequest) -> tuple:
    return (
        req.achievement.pk,
        getattr(req.achievement_version, "pk", None),
        getattr(req.design_version, "pk", None),
    )


def issuing_language(achievement_language: str | None, org: Organization) -> str | None:
    """The language a credential's text is in (decision 0056): the achievement's ``inLanguage`` when it
    is a well-formed tag, else the organization's language for learners, else none declared."""
    for tag in (achievement_language, org.language):
        if tag and ob3.LANGUAGE_TAG.fullmatch(tag):
            return tag
    return None


@dataclass
class Group:
    """The part of a batch for one organization, composed: one signer, its credentials and documents."""

    org: Organization
    checked: list[Checked]
    signer: signing.Signer
    now: datetime
    credentials: list[Credential]
    unsigned: list[dict]
    signing: signing.Signing | None = None


def compose_group(
    group: list[Checked], versions: dict[tuple, Version], now: datetime, reserve: Reserve | None
) -> Group:
    org = versions[version_key(group[0].result.request)].achievement.organization
    signer = signing.Signer(active_key(org))
    # the batch's slots in one step: inside the caller's transaction (a rollback gives them back), or
    # by the caller's ``reserve`` (the bulk job records each on its row, decision 0066)
    wanted = [c for c in group if not c.slot]
    if wanted:
        requests = [c.result.request for c in wanted]
        slots = reserve(org, requests) if reserve else status_lists.allocate_slots(org, len(wanted))
        for c, slot in zip(wanted, slots, strict=True):
            c.slot = slot
    credentials: list[Credential] = []
    unsigned: list[dict] = []
    # the organization's own domain, if it has one, carries the new credentials' links (decision 0049)
    origin = "" if org.public_origin == settings.CREDSTACK_BASE_URL else org.public_origin
    # granted, still valid endorsements of the issuer and of the batch's achievements (decision 0062)
    endorsed = carried(org.pk, {versions[version_key(c.result.request)].achievement.pk for c in group})
    fitted: dict[int, tuple[list[dict], list[dict]]] = {}
    for c in group:
        req = c.result.request
        v = versions[version_key(req)]
        actor = as_actor(req.actor)
        valid_until = req.valid_until
        if valid_until is None and v.valid_for_months:
            valid_until = add_months(now, v.valid_for_months)
        status_list, index = cast(tuple, c.slot)  # reserved above when the request brought none
        credential = Credential(
            organization=org,
            achievement=v.achievement,
            recipient_name=c.name,
            recipient_email=c.email,
            status_list=status_list,
            status_index=index,
            issued_at=now,
            valid_until=valid_until,
            source=req.source,
            idempotency_key=req.idempotency_key or None,
            created_by=actor.user_or_none,
            # the versions are models of the achievements and designs apps, typed `object` in requests
            achievement_version=cast(Any, v.version),
            design_version=cast(Any, v.design_version),
            merge_fields=dict(req.merge_fields or {}),
            base_url=origin,
        )
        document = ob3.compose(
            issuer=org.profile(),
            achievement=v.snapshot,
            recipient_email=c.email,
            recipient_name=c.name,
            credential_id=credential.uri,
            valid_from=now,
            valid_until=valid_until,
            result=req.result,
            evidence=req.evidence,
            activity_start=req.activity_start,
            activity_end=req.activity_end,
            status_entries=[vc_status.entry(status_list.url(p), index, p) for p in vc_status.ISSUED_PURPOSES],
            language=issuing_language(v.extra.get("inLanguage"), org),
        )
        document["credentialSubject"]["achievement"].update(v.extra)
        if v.achievement.pk not in fitted:
            fitted[v.achievement.pk] = endorsed.fit(v.achievement.pk)
        of_achievement, of_issuer = fitted[v.achievement.pk]
        if of_achievement:
            document["credentialSubject"]["achievement"]["endorsement"] = of_achievement
        if of_issuer:
            document["issuer"]["endorsement"] = of_issuer
        credentials.append(credential)
        unsigned.append(document)
    return Group(org, group, signer, now, credentials, unsigned)


def insert_group(g: Group) -> None:
    """The group's signed credentials, their events, audit and outbox rows: call inside a transaction."""
    org, credentials, group = g.org, g.credentials, g.checked
    Credential.objects.bulk_create(credentials)
    CredentialEvent.objects.bulk_create(
        CredentialEvent(
            credential=cred, kind="issued", actor=cred.created_by, note=f"via {c.result.request.source}"
        )
        for cred, c in zip(credentials, group, strict=True)
    )
    audited: dict[tuple, tuple[Actor, list[Credential]]] = {}
    for cred, c in zip(credentials, group, strict=True):
        req = c.result.request
        actor = as_actor(req.actor)
        if req.audit if req.audit is not None else actor.kind != "system":
            who = (actor.kind, actor.label, getattr(actor.user_or_none, "pk", None))
            audited.setdefault(who, (actor, []))[1].append(cred)
    for actor, creds in audited.values():
        audit.record_many(
            org, actor, "credential.issued", [(cred.public_id, cred.recipient_email) for cred in creds]
        )
    # email, webhooks, pathways: rows of this transaction, delivered after it (decision 0036)
    outbox.emit_many(
        ISSUED,
        [
            ({"credential": cred.pk, "organization": org.pk}, f"{ISSUED}:{cred.public_id}")
            for cred in credentials
        ],
    )
    # bulk_create sends no post_save, and no page cache invalidation is needed: nothing is cached for an
    # id that does not exist yet (pagecache stores no answer, and creates no token, for an unknown id)
    for cred, c in zip(credentials, group, strict=True):
        c.result.credential = cred
    log.info("credentials issued: %d (%s)", len(credentials), org.slug)
