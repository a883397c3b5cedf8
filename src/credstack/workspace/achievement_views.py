from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from credstack.achievements import actions
from credstack.achievements.actions import TRANSLATED_FIELDS, set_translations
from credstack.achievements.models import Achievement
from credstack.organizations import languages
from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.render import badge_svg

from .forms import AchievementForm


@member_required(Role.VIEWER)
@require_safe
def achievement_list(request, org_slug):
    items = (
        Achievement.objects.filter(organization=request.organization)
        .annotate(n=Count("credentials"))
        .order_by("archived", "name")
    )
    return render(request, "workspace/achievements.html", {"items": items})


def _initial(a: Achievement) -> dict:
    return {
        "name": a.name,
        "slug": a.slug,
        "achievement_type": a.achievement_type,
        "description": a.description,
        "criteria_narrative": a.criteria_narrative,
        "criteria_url": a.criteria_url,
        "tags": ", ".join(a.tags or []),
        "alignments": "\n".join(
            " | ".join(x for x in (al.get("name", ""), al.get("url", ""), al.get("framework", "")) if x)
            for al in a.alignments or []
        ),
        "credits": a.credits,
        "field_of_study": a.field_of_study,
        "language": a.language,
        "valid_for_months": a.valid_for_months,
        "design": a.design.public_id if a.design else "",
        "archived": a.archived,
    }


@member_required(Role.ADMIN)
def achievement_new(request, org_slug):
    org = request.organization
    form = AchievementForm(request.POST or None, request.FILES or None, organization=org)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        badge = d.pop("badge_image")
        a = actions.create_achievement(organization=org, actor=request.user, badge=badge, **d)
        messages.success(
            request, gettext("%(name)s created. Issue it now, or design its certificate.") % {"name": a.name}
        )
        return redirect("workspace-achievement", org.slug, a.public_id)
    return render(request, "workspace/achievement_form.html", {"form": form, "new": True})


@member_required(Role.ADMIN)
def achievement_edit(request, org_slug, public_id):
    org = request.organization
    a = get_object_or_404(Achievement, organization=org, public_id=public_id)
    form = AchievementForm(
        request.POST or None, request.FILES or None, organization=org, instance=a, initial=_initial(a)
    )
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        badge = d.pop("badge_image")
        d.pop("slug", None)
        a, new_version = actions.update_achievement(a, actor=request.user, badge=badge, **d)
        messages.success(
            request,
            gettext(
                "Saved as a new version: credentials already issued keep the version they were issued with."
            )
            if new_version
            else gettext("Saved."),
        )
        return redirect("workspace-achievement", org.slug, a.public_id)
    return render(request, "workspace/achievement_form.html", {"form": form, "a": a})


@member_required(Role.VIEWER)
@require_safe
def achievement_detail(request, org_slug, public_id):
    a = get_object_or_404(
        Achievement.objects.select_related("design"), organization=request.organization, public_id=public_id
    )
    versions = a.versions.annotate(n=Count("credential")) if False else a.versions.all().order_by("-number")
    translation_rows = [
        {"code": code, "name": name, "values": (a.translations or {}).get(code, {})}
        for code, name in settings.LANGUAGES
        if code != (languages.supported(a.language) or settings.LANGUAGE_CODE)
    ]
    return render(
        request,
        "workspace/achievement.html",
        {
            "a": a,
            "versions": versions,
            "n_credentials": a.credentials.count(),
            "translation_rows": translation_rows,
        },
    )


@member_required(Role.ADMIN)
@require_POST
def achievement_translations(request, org_slug, public_id):
    """Save the achievement's name and description in other languages (issue 17)."""
    a = get_object_or_404(Achievement, organization=request.organization, public_id=public_id)
    translations = {
        code: {field: request.POST.get(f"{code}-{field}", "") for field in TRANSLATED_FIELDS}
        for code, _name in settings.LANGUAGES
        if any(f"{code}-{field}" in request.POST for field in TRANSLATED_FIELDS)
    }
    try:
        set_translations(a, translations, actor=Actor.for_user(request.user))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, gettext("Translations saved."))
    return redirect(reverse("workspace-achievement", args=[org_slug, public_id]) + "#translations")


@member_required(Role.VIEWER)
@require_safe
def achievement_badge_preview(request, org_slug, public_id):
    """The badge generated from the brand (used when none is uploaded)."""
    a = get_object_or_404(Achievement, organization=request.organization, public_id=public_id)
    svg = badge_svg(a.name, request.organization.brand_color, issuer=request.organization.name, size=240)
    return HttpResponse(svg, content_type="image/svg+xml")
