"""Skills frameworks in the workspace: import one, search its skills, align them to an achievement,
and see how many credentials carry each skill."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from credstack.achievements import actions
from credstack.achievements.models import Achievement, Skill, SkillFramework
from credstack.achievements.queries import search_skills, skills_report
from credstack.credentials.validation import error_text
from credstack.organizations.permissions import Role, member_required

MAX_UPLOAD = 50 * 1024 * 1024


@member_required(Role.VIEWER)
@require_safe
def skills(request, org_slug):
    org = request.organization
    q = request.GET.get("q", "").strip()[:200]
    framework = request.GET.get("framework", "")
    return render(
        request,
        "workspace/skills.html",
        {
            "frameworks": SkillFramework.objects.filter(organization=org)
            .annotate(n=Count("skills"))
            .order_by("name"),
            "kinds": SkillFramework.Kind.choices,
            "q": q,
            "framework": framework,
            "results": search_skills(org, q, framework) if q or framework else [],
            "achievements": Achievement.objects.filter(organization=org, archived=False).order_by("name"),
            "report": skills_report(org),
        },
    )


@member_required(Role.ADMIN)
@require_POST
def skills_import(request, org_slug):
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("file: choose the framework's file"))
    elif upload.size > MAX_UPLOAD:
        messages.error(
            request,
            _("file: %(name)s is larger than %(mb)s MB")
            % {"name": upload.name, "mb": MAX_UPLOAD // 1024 // 1024},
        )
    else:
        try:
            framework = actions.import_framework(
                request.organization,
                kind=request.POST.get("kind", ""),
                data=upload.read(),
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            count = framework.skills.count()
            messages.success(
                request,
                ngettext("Imported %(name)s: %(n)d skill.", "Imported %(name)s: %(n)d skills.", count)
                % {"name": framework.name, "n": count},
            )
    return redirect("workspace-skills", org_slug)


@member_required(Role.ADMIN)
@require_POST
def skills_align(request, org_slug):
    org = request.organization
    achievement = get_object_or_404(
        Achievement, organization=org, public_id=request.POST.get("achievement", "")
    )
    ids = [i for i in request.POST.getlist("skills")[:200] if i.isdigit()]
    chosen = list(Skill.objects.filter(framework__organization=org, pk__in=ids).select_related("framework"))
    if not chosen:
        messages.error(request, _("skills: tick at least one skill"))
        return redirect("workspace-skills", org_slug)
    _aligned, added = actions.align_skills(achievement, chosen, actor=request.user)
    had = len(chosen) - added
    added_text = ngettext("%(n)d skill added", "%(n)d skills added", added) % {"n": added}
    if had:
        added_text = _("%(added)s, %(n)d it already had") % {"added": added_text, "n": had}
    messages.success(
        request,
        _("%(achievement)s: %(added)s. Credentials issued from now on carry them.")
        % {"achievement": achievement.name, "added": added_text},
    )
    return redirect("workspace-achievement", org_slug, achievement.public_id)
