"""Learners: the course profile of an address or a portal account, its name, profiles gathered into one
when an account gains addresses or absorbs another, the address followed when one is removed, erasure."""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.credentials.validation import clean_email, clean_name
from credstack.portal.models import AccountEmail

from ..merging import merge_learners
from ..models import Enrolment, Learner, LessonProgress, ReviewItem
from ..queries import LearningError

log = logging.getLogger("credstack.learning.actions")  # log lines keep the name they had before the split


def learner_for(email: str, name: str = "") -> Learner:
    """The learner for an address: the course profile of the portal account holding it, if one does
    (decision 0023), else one of its own (an invited learner who has not signed in yet)."""
    email = clean_email(email, "email").lower()
    name = clean_name(name, "name") if name and name.strip() else ""
    address = AccountEmail.objects.select_related("account").filter(normalized=email).first()
    if address is not None:
        learner = learner_for_account(address.account)
    else:
        try:
            with transaction.atomic():
                learner, _created = Learner.objects.get_or_create(email=email, defaults={"name": name})
        except IntegrityError:
            learner = Learner.objects.get(email=email)
    if name:
        set_name(learner, name)
    return learner


def set_name(learner: Learner, name: str) -> Learner:
    """Give the learner a name (as it will appear on credentials) if they have none yet."""
    name = clean_name(name, "name") if name and name.strip() else ""
    if name and not learner.name:
        Learner.objects.filter(pk=learner.pk).update(name=name)
        learner.name = name
    return learner


def learner_for_account(account) -> Learner:
    """The account's course profile: linked on first use. Learners kept under the account's addresses
    before it had them (invitations, an LMS launch) join it; with none, a new one takes the account's first
    address."""
    learner = Learner.objects.filter(account=account).first()
    if learner is not None:
        return learner
    consolidate(account)
    learner = Learner.objects.filter(account=account).first()
    if learner is not None:
        return learner
    for address in account.emails.values_list("normalized", flat=True):
        try:
            with transaction.atomic():
                return Learner.objects.create(email=address, account=account)
        except IntegrityError:  # created at the same time, or the address's old profile is linked elsewhere
            learner = Learner.objects.filter(account=account).first()
            if learner is not None:
                return learner
    raise LearningError(_("No course profile could be made for this account."))


def consolidate(account, source_account=None, moved_emails=()) -> Learner | None:
    """Gather the account's course progress into one learner: the learner of ``source_account`` (merged into
    ``account``, its addresses ``moved_emails``) and learners under the account's addresses that no account
    holds yet. The account's own learner stays the one; without one, the learner of its first own address.
    Returns the account's learner (``None`` when there is no progress to gather)."""
    with transaction.atomic():
        emails = list(account.emails.values_list("normalized", flat=True))
        pks = set(
            Learner.objects.annotate(email_l=Lower("email"))
            .filter(account__isnull=True, merged_into__isnull=True, email_l__in=emails)
            .values_list("pk", flat=True)
        )
        if source_account is not None:
            pks |= set(Learner.objects.filter(account=source_account).values_list("pk", flat=True))
        others = sorted(
            Learner.objects.select_for_update().filter(pk__in=pks),
            key=lambda o: (
                o.account_id == getattr(source_account, "pk", None) or o.email.lower() in moved_emails,
                emails.index(o.email.lower()) if o.email.lower() in emails else len(emails),
                o.pk,
            ),
        )
        target = Learner.objects.select_for_update().filter(account=account).first()
        if target is None and others:
            target = others.pop(0)
            Learner.objects.filter(pk=target.pk).update(account=account)
            target.account = account
        now = timezone.now()
        for other in others:
            merge_learners(
                other,
                target,
                Learner=Learner,
                Enrolment=Enrolment,
                LessonProgress=LessonProgress,
                ReviewItem=ReviewItem,
                now=now,
            )
    return target


def follow_removed_address(account, removed: str) -> Learner | None:
    """The holder removed ``removed`` from their account: if it was their course profile's address (where
    credentials of their courses go), take the account's first remaining address instead. A learner merged
    into this one that is kept under that address (for audit) swaps addresses with it."""
    with transaction.atomic():
        learner = Learner.objects.select_for_update().filter(account=account).first()
        if learner is None or learner.email.lower() != removed:
            return learner
        remaining = list(account.emails.order_by("pk").values_list("normalized", flat=True))
        if not remaining:
            return learner
        new = remaining[0]
        holder = (
            Learner.objects.select_for_update()
            .annotate(email_l=Lower("email"))
            .filter(email_l=new)
            .exclude(pk=learner.pk)
            .first()
        )
        if holder is not None and holder.merged_into_id != learner.pk:
            log.warning("learner %s: %s is held by another profile; address kept", learner.pk, new)
            return learner
        if holder is not None:  # the merged profile keeps the removed address instead (unique emails)
            Learner.objects.filter(pk=holder.pk).update(email=f"swap-{holder.pk}@invalid")
        Learner.objects.filter(pk=learner.pk).update(email=new)
        if holder is not None:
            Learner.objects.filter(pk=holder.pk).update(email=removed)
        learner.email = new
    return learner


def erase_for_account(account, normalized_emails: list[str]) -> int:
    """Delete the course progress of an account being erased (decision 0017/0023): its learner, the
    learners merged into it and those under its addresses. Issued credentials stay. Returns learners
    deleted."""
    ids = set(Learner.objects.filter(account=account).values_list("pk", flat=True))
    ids |= set(
        Learner.objects.annotate(email_l=Lower("email"))
        .filter(email_l__in=normalized_emails)
        .values_list("pk", flat=True)
    )
    frontier = set(ids)
    while frontier:
        frontier = set(Learner.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    deleted = Learner.objects.filter(pk__in=ids)
    count = deleted.count()
    deleted.delete()
    return count
