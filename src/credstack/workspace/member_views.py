"""Workspace pages for the team: members, roles and invitations.

Each page parses its form, calls one action of ``credstack.organizations.actions`` and renders; the
actions check the rules (who may invite, change or remove whom) and write the audit log.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credstack.organizations import actions
from credstack.organizations.actors import Actor
from credstack.organizations.models import Invitation, Membership, Role
from credstack.organizations.permissions import member_required
from credstack.ui.refusal import refused

from .forms import InviteForm

# ---- members --------------------------------------------------------------------------------


@member_required(Role.VIEWER)
def members(request, org_slug):
    org = request.organization
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not request.membership.at_least(Role.ADMIN):  # before the form's errors: a viewer learns nothing
            return refused(request, _("Only owners and admins invite members."))
        if form.is_valid():
            email, role = form.cleaned_data["email"], form.cleaned_data["role"]
            try:
                actions.invite_member(org, email, role, Actor.for_user(request.user))
            except actions.NotAllowed as exc:
                if not exc.field:
                    return refused(request, str(exc))
                form.add_error(exc.field, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
                return redirect("workspace-members", org.slug)
    return render(
        request,
        "workspace/members.html",
        {
            "form": form,
            "memberships": Membership.objects.filter(organization=org)
            .select_related("user")
            .order_by("created_at"),
            "invitations": Invitation.objects.filter(
                organization=org, accepted_at=None, withdrawn_at=None
            ).order_by("-created_at"),
            "roles": Role.choices,
        },
    )


@member_required(Role.ADMIN)
@require_POST
def member_change(request, org_slug, member_id):
    org = request.organization
    membership = get_object_or_404(Membership.objects.select_related("user"), organization=org, pk=member_id)
    actor = Actor.for_user(request.user)
    remove = request.POST.get("action") == "remove"
    try:
        if remove:
            actions.remove_member(membership, actor)
        else:
            actions.change_member_role(membership, request.POST.get("role", ""), actor)
    except actions.NotAllowed as exc:
        return refused(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Member removed.") if remove else _("Role changed."))
    return redirect("workspace-members", org.slug)


@member_required(Role.ADMIN)
@require_POST
def invitation_withdraw(request, org_slug, invitation_id):
    invitation = get_object_or_404(Invitation, organization=request.organization, pk=invitation_id)
    try:
        actions.withdraw_invitation(invitation, Actor.for_user(request.user))
    except actions.NotAllowed as exc:
        return refused(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Invitation to %(email)s withdrawn: its link no longer works.") % {"email": invitation.email},
        )
    return redirect("workspace-members", request.organization.slug)


@login_required
def invitation(request, token):
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), token=token)
    if invitation.state == "accepted":
        messages.info(request, _("This invitation was already used."))
        return redirect("workspace-home")
    if invitation.state != "pending":  # expired or withdrawn: the link says so, and nothing else
        return render(
            request,
            "workspace/invitation.html",
            {"invitation": invitation, "closed": actions.INVITATION_CLOSED[invitation.state]},
            status=410,
        )
    if request.method == "POST":
        try:
            actions.accept_invitation(invitation, request.user)
        except actions.NotAllowed as exc:
            messages.error(request, str(exc))
            return redirect("workspace-invitation", token)
        except ValidationError as exc:  # used meanwhile (another tab)
            messages.info(request, " ".join(exc.messages))
            return redirect("workspace-home")
        return redirect("workspace-dashboard", invitation.organization.slug)
    verified = actions.has_verified_email(request.user, invitation.email)
    return render(request, "workspace/invitation.html", {"invitation": invitation, "verified": verified})
