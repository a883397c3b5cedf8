"""Pathways in the workspace: /w/<org_slug>/pathways/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from credstack.achievements.models import Achievement
from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, can, member_required

from . import actions, queries
from .forms import PathwayForm
from .models import Pathway


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "message_dict") else {"__all__": exc.messages}


def _apply_errors(form, exc):
    for field, msgs in _errors(exc).items():
        for m in msgs:
            form.add_error(field if field in form.fields else None, m)


@member_required(Role.VIEWER)
def pathway_list(request, org_slug):
    pathways = Pathway.objects.filter(organization=request.organization).select_related("achievement")
    rows = [
        {
            "pathway": p,
            "components": list(p.components.select_related("achievement")),
            "needed": actions.needed_count(p),
            "awarded": p.awards.count(),
        }
        for p in pathways
    ]
    return render(request, "pathways/list.html", {"rows": rows})


@member_required(Role.ADMIN)
def pathway_new(request, org_slug):
    form = PathwayForm(
        request.POST or None,
        organization=request.organization,
        initial={"rule": "all", "revocation_policy": "suspend"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pathway = actions.create_pathway(
                achievement=data["achievement"],
                components=form.ordered_components(),
                rule=data["rule"],
                required_count=data["required_count"],
                ordered=data["ordered"],
                window_days=data["window_days"],
                revocation_policy=data["revocation_policy"],
                actor=Actor.for_user(request.user),
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Pathway created. Learners who already qualify are being awarded."))
            return redirect("pathways:detail", org_slug, pathway.public_id)
    return render(request, "pathways/form.html", {"form": form, "title": _("New pathway")})


@member_required(Role.VIEWER)
def pathway_detail(request, org_slug, public_id):
    pathway = get_object_or_404(
        Pathway.objects.select_related("achievement"), organization=request.organization, public_id=public_id
    )
    editable = can(request.membership, "manage_achievements")
    components = [c.achievement for c in pathway.components.select_related("achievement")]
    form = PathwayForm(
        request.POST or None,
        organization=request.organization,
        exclude_achievement=pathway.achievement,
        initial={
            "achievement": pathway.achievement,
            "components": components,
            "rule": pathway.rule,
            "required_count": pathway.required_count,
            "ordered": pathway.ordered,
            "window_days": pathway.window_days,
            "revocation_policy": pathway.revocation_policy,
            "order": "\n".join(a.slug for a in components),
        },
    )
    form.fields["achievement"].disabled = True
    if request.method == "POST":
        if not editable:
            return redirect("pathways:detail", org_slug, public_id)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_pathway(
                    pathway,
                    components=form.ordered_components(),
                    rule=data["rule"],
                    required_count=data["required_count"],
                    ordered=data["ordered"],
                    window_days=data["window_days"],
                    revocation_policy=data["revocation_policy"],
                    actor=Actor.for_user(request.user),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Pathway saved. Learners who now qualify are being awarded."))
                return redirect("pathways:detail", org_slug, public_id)
    return render(
        request,
        "pathways/detail.html",
        {
            "pathway": pathway,
            "components": components,
            "needed": actions.needed_count(pathway),
            "overview": queries.pathway_overview(pathway),
            "associations": _named_associations(pathway),
            "form": form,
            "editable": editable,
        },
    )


def _named_associations(pathway: Pathway) -> list[dict]:
    names = {a.uri: a.name for a in Achievement.objects.filter(organization=pathway.organization)}
    return [
        {
            "type": a["associationType"],
            "source": names.get(a["sourceId"], a["sourceId"]),
            "target": names.get(a["targetId"], a["targetId"]),
        }
        for a in actions.clr_associations(pathway)
    ]
