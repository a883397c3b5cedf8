"""Workspace pages for the team: members, roles and invitations."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from credstack.organizations import audit
from credstack.organizations.models import Invitation, Membership, Role
from credstack.organizations.permissions import member_required

from .forms import InviteForm

# ---- members --------------------------------------------------------------------------------


@member_required(Role.VIEWER)
def members(request, org_slug):
    org = request.organization
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not request.membership.at_least(Role.ADMIN):
            return HttpResponse("Only owners and admins invite members.", status=403)
        if form.is_valid():
            role = form.cleaned_data["role"]
            if role == Role.OWNER and request.membership.role != Role.OWNER:
                form.add_error("role", "only an owner can invite another owner")
            else:
                email = form.cleaned_data["email"]
                invitation = Invitation.objects.create(
                    organization=org,
                    email=email,
                    role=role,
                    token=secrets.token_urlsafe(32),
                    invited_by=request.user,
                )
                _send_invitation(request, invitation)
                audit.record(org, request.user, "member.invited", email, role)
                messages.success(request, f"Invitation sent to {email}.")
                return redirect("workspace-members", org.slug)
    return render(
        request,
        "workspace/members.html",
        {
            "form": form,
            "memberships": Membership.objects.filter(organization=org)
            .select_related("user")
            .order_by("created_at"),
            "invitations": Invitation.objects.filter(organization=org, accepted_at=None).order_by(
                "-created_at"
            ),
            "roles": Role.choices,
        },
    )


def _send_invitation(request, invitation):
    from django.conf import settings
    from django.core.mail import send_mail

    link = settings.CREDSTACK_BASE_URL + reverse("workspace-invitation", args=[invitation.token])
    send_mail(
        f"Join {invitation.organization.name} on credstack",
        f"{request.user.email or request.user.username} invites you to {invitation.organization.name} "
        f"as {invitation.get_role_display().lower()}.\n\nAccept: {link}\n",
        None,
        [invitation.email],
    )


@member_required(Role.ADMIN)
@require_POST
def member_change(request, org_slug, member_id):
    org = request.organization
    membership = get_object_or_404(Membership, organization=org, pk=member_id)
    action = request.POST.get("action")
    acting_owner = request.membership.role == Role.OWNER
    if membership.role == Role.OWNER and not acting_owner:
        return HttpResponse("Only an owner can change another owner.", status=403)
    owners = Membership.objects.filter(organization=org, role=Role.OWNER).count()
    if action == "remove":
        if membership.role == Role.OWNER and owners == 1:
            messages.error(request, "An organization keeps at least one owner.")
        else:
            membership.delete()
            audit.record(
                org, request.user, "member.removed", membership.user.email or membership.user.username
            )
            messages.success(request, "Member removed.")
    else:
        role = request.POST.get("role")
        if role not in Role.values or (role == Role.OWNER and not acting_owner):
            return HttpResponse("That role cannot be given here.", status=403)
        if membership.role == Role.OWNER and role != Role.OWNER and owners == 1:
            messages.error(request, "An organization keeps at least one owner.")
        else:
            old = membership.role
            membership.role = role
            membership.save(update_fields=["role"])
            audit.record(org, request.user, "member.role_changed", membership.user.email, f"{old} -> {role}")
            messages.success(request, "Role changed.")
    return redirect("workspace-members", org.slug)


@login_required
def invitation(request, token):
    invitation = get_object_or_404(Invitation, token=token)
    if invitation.accepted_at:
        messages.info(request, "This invitation was already used.")
        return redirect("workspace-home")
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(
        user=request.user, email__iexact=invitation.email, verified=True
    ).exists()
    if request.method == "POST":
        if not verified:
            messages.error(request, f"Sign in with {invitation.email} (verified) to accept this invitation.")
            return redirect("workspace-invitation", token)
        with transaction.atomic():
            Membership.objects.get_or_create(
                organization=invitation.organization, user=request.user, defaults={"role": invitation.role}
            )
            invitation.accepted_at = timezone.now()
            invitation.save(update_fields=["accepted_at"])
            audit.record(
                invitation.organization, request.user, "member.joined", invitation.email, invitation.role
            )
        return redirect("workspace-dashboard", invitation.organization.slug)
    return render(request, "workspace/invitation.html", {"invitation": invitation, "verified": verified})
