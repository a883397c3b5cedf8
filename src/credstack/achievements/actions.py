"""Writes for achievements: create and edit (each edit a version when credentials hold the current one),
their badge image; every change leaves an audit row (``organizations.audit``) with its actor."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from credstack.organizations import audit, languages
from credstack.organizations.actors import as_actor
from credstack.organizations.models import Organization

from . import frameworks
from .models import Achievement, AchievementVersion, Skill, SkillFramework

EDITABLE = (
    "name",
    "description",
    "criteria_narrative",
    "criteria_url",
    "image_url",
    "achievement_type",
    "tags",
    "alignments",
    "valid_for_months",
    "credits",
    "field_of_study",
    "language",
    "design",
    "archived",
)


@transaction.atomic
def create_achievement(
    *,
    organization: Organization,
    slug: str,
    name: str,
    description: str,
    criteria_narrative: str,
    actor=None,
    badge: tuple[str, bytes] | None = None,
    **fields,
) -> Achievement:
    """``badge``: (content type, bytes) of an image already checked by ``ui.uploads``."""
    achievement = Achievement(
        organization=organization,
        slug=slug,
        name=name,
        description=description,
        criteria_narrative=criteria_narrative,
        **fields,
    )
    achievement.full_clean()
    achievement.save()
    _save_badge(achievement, badge)  # before the first version: the badge URL is part of it
    AchievementVersion.objects.create(
        achievement=achievement, number=1, data=_normal(achievement.snapshot()), created_by=_user(actor)
    )
    audit.record(organization, actor, "achievement.created", achievement.slug, achievement.name)
    return achievement


def _save_badge(achievement: Achievement, badge: tuple[str, bytes] | None) -> None:
    if badge:
        kind, data = badge[0], badge[1]
        ext = "svg" if kind == "image/svg+xml" else "png"
        name = f"{achievement.public_id}-{hashlib.sha256(data).hexdigest()[:12]}.{ext}"
        achievement.badge_image.save(name, ContentFile(data), save=True)


def _user(actor):
    return as_actor(actor).user_or_none


def _normal(data: dict) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def current_version(achievement: Achievement, *, actor=None) -> AchievementVersion:
    """The version new credentials get, brought up to date with the achievement's fields.

    If the fields changed (through any code path) and credentials hold the latest version, a new
    version is started; if nobody holds it yet, it is updated in place."""
    snapshot = _normal(achievement.snapshot())
    version = AchievementVersion.objects.filter(achievement=achievement).order_by("-number").first()
    if version is None:
        version, _created = AchievementVersion.objects.get_or_create(
            achievement=achievement, number=1, defaults={"data": snapshot, "created_by": _user(actor)}
        )
        return version
    if version.data == snapshot:
        return version
    if version.credentials.exists():
        try:
            with transaction.atomic():
                return AchievementVersion.objects.create(
                    achievement=achievement, number=version.number + 1, data=snapshot, created_by=_user(actor)
                )
        except IntegrityError:  # a concurrent issuance started it
            return AchievementVersion.objects.get(achievement=achievement, number=version.number + 1)
    AchievementVersion.objects.filter(pk=version.pk).update(data=snapshot)
    version.data = snapshot
    return version


@transaction.atomic
def update_achievement(
    achievement: Achievement, *, actor=None, badge: tuple[str, bytes] | None = None, **changes
) -> tuple[Achievement, bool]:
    """Edit an achievement. If credentials were issued with the current version, the edit starts a
    new version (they keep theirs); otherwise the current version is updated in place.

    Returns (achievement, new_version_created)."""

    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    unknown = set(changes) - set(EDITABLE) - {"badge_image", "archived"}
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    for field, value in changes.items():
        setattr(achievement, field, value)
    achievement.full_clean()
    achievement.save()
    _save_badge(achievement, badge)
    before = AchievementVersion.objects.filter(achievement=achievement).order_by("-number").first()
    version = current_version(achievement, actor=actor)
    new_version = before is not None and version.pk != before.pk
    audit.record(
        achievement.organization,
        actor,
        "achievement.updated",
        achievement.slug,
        "new version" if new_version else "",
    )
    return achievement, new_version


# ---------------------------------------------------------------- skills frameworks


def import_framework(organization: Organization, *, kind: str, data: bytes, actor=None) -> SkillFramework:
    """Import (or import again, updating) a skills framework from its publisher's file.

    Raises ``ValidationError({"file": "<where>: <why>"})`` for a file that cannot be read; nothing is
    stored then. Importing the same framework again updates its skills by code and removes those the
    file no longer has (achievements keep the alignments they copied)."""
    parser = frameworks.PARSERS.get(kind)
    if parser is None:
        raise ValidationError(
            {
                "kind": _("unknown framework kind %(kind)s; one of: %(kinds)s")
                % {"kind": repr(kind), "kinds": ", ".join(frameworks.PARSERS)}
            }
        )
    try:
        parsed = parser(data)
    except frameworks.FrameworkError as exc:
        raise ValidationError({"file": str(exc)}) from None
    with transaction.atomic():
        framework, _created = SkillFramework.objects.update_or_create(
            organization=organization, kind=kind, name=parsed.name, defaults={"url": parsed.url}
        )
        known = dict(framework.skills.values_list("code", "pk"))
        fresh, changed = [], []
        for s in parsed.skills:
            row = Skill(
                framework=framework,
                code=s.code,
                name=s.name,
                url=s.url,
                description=s.description,
                search_text=f"{s.name} {s.code} {s.description}".casefold(),
            )
            if s.code in known:
                row.pk = known[s.code]
                changed.append(row)
            else:
                fresh.append(row)
        Skill.objects.bulk_create(fresh, batch_size=2000)
        Skill.objects.bulk_update(changed, ["name", "url", "description", "search_text"], batch_size=2000)
        gone = set(known) - {s.code for s in parsed.skills}
        framework.skills.filter(code__in=gone).delete()
        audit.record(
            organization,
            as_actor(actor),
            "skills.imported",
            framework.public_id,
            f"{framework.name}: {len(parsed.skills)} skills ({len(fresh)} new, {len(gone)} removed)",
        )
    return framework


def align_skills(achievement: Achievement, skills: list[Skill], *, actor=None) -> tuple[Achievement, int]:
    """Add ``skills`` (of the achievement's organization) to its alignments; returns how many were new.
    Credentials issued from now on carry them (a new version when credentials hold the current one)."""
    if any(s.framework.organization_id != achievement.organization_id for s in skills):
        raise ValidationError({"skills": _("a skill of another organization's framework")})
    with transaction.atomic():
        achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)  # not a stale copy
        current = list(achievement.alignments or [])
        have = {a.get("url") for a in current}
        added = [s.alignment() for s in skills if s.url not in have]
        if not added:
            return achievement, 0
        achievement, _changed = update_achievement(achievement, alignments=current + added, actor=actor)
    return achievement, len(added)


TRANSLATED_FIELDS = ("name", "description")


@transaction.atomic
def set_translations(achievement: Achievement, translations: dict, *, actor=None) -> Achievement:
    """Set the achievement's name and description in other languages (issue 17): ``{"de": {"name": ...,
    "description": ...}}``. Shown to viewers in their language on its pages; the credentials issued keep
    the text they were signed with (decision 0056), so no new version starts. Empty entries are dropped;
    a language credstack does not speak, or a field other than name and description, is refused."""
    clean: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for code, entry in (translations or {}).items():
        if languages.supported(code) != code:
            errors[str(code)] = _("credstack has no language %(code)s") % {"code": code}
            continue
        if not isinstance(entry, dict) or set(entry) - set(TRANSLATED_FIELDS):
            errors[code] = _("only a name and a description are translated")
            continue
        kept = {f: str(entry.get(f) or "").strip() for f in TRANSLATED_FIELDS}
        if len(kept["name"]) > 200:
            errors[code] = _("the name is longer than 200 characters")
            continue
        if any(kept.values()):
            clean[code] = {f: v for f, v in kept.items() if v}
    if errors:
        raise ValidationError({"translations": [f"{code}: {message}" for code, message in errors.items()]})
    achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
    if achievement.translations != clean:
        achievement.translations = clean
        achievement.save(update_fields=["translations", "updated_at"])
        audit.record(
            achievement.organization,
            actor,
            "achievement.translated",
            achievement.slug,
            ", ".join(sorted(clean)),
        )
    return achievement
