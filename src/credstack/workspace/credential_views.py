"""Workspace pages for issued credentials: the list, one credential, its actions, bulk actions, CSV."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from credstack.achievements.models import Achievement
from credstack.credentials import actions as cred_actions
from credstack.credentials.models import Credential
from credstack.credentials.validation import error_text, expiry_date
from credstack.delivery.actions import delivery_state
from credstack.organizations.models import Role
from credstack.organizations.permissions import member_required
from credstack.ui.exports import csv_text

from . import bulk_actions
from .queries import PAGE_SIZE, credential_history, credential_page

# ---- credentials ---------------------------------------------------------------------------------


@member_required(Role.VIEWER)
@require_safe
def credentials(request, org_slug):
    org = request.organization
    page = credential_page(org, request.GET)
    context = {
        "page": page,
        "achievements": Achievement.objects.filter(organization=org).order_by("name"),
        "states": Credential.State.choices,
        "q": request.GET,
        "page_size": PAGE_SIZE,
        "filter_hidden": bulk_actions.filter_params(request.GET),
    }
    template = (
        "workspace/_credential_rows.html"
        if request.headers.get("HX-Request")
        else "workspace/credentials.html"
    )
    return render(request, template, context)


def _credential(request, public_id) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related(
            "achievement", "replaced_by", "achievement_version", "design_version__design"
        ),
        organization=request.organization,
        public_id=public_id,
    )


@member_required(Role.VIEWER)
def credential_detail(request, org_slug, public_id):
    credential = _credential(request, public_id)
    replaces = Credential.objects.filter(replaced_by=credential).first()
    return render(
        request,
        "workspace/credential.html",
        {
            "c": credential,
            "history": credential_history(credential),
            "replaces": replaces,
            "renewable": cred_actions.renewable(credential),
            "renewed": credential.revocation_reason.startswith(cred_actions.RENEWED),
            "delivery": delivery_state(credential),
            "deliveries": credential.deliveries.order_by("-created_at", "-id")[:20],
        },
    )


ACTIONS = {"revoke", "suspend", "reinstate", "correct", "expiry", "resend", "renew"}
# the changes everyone checking the credential sees: a confirmation page first, showing how its public
# page will read
CONFIRMED = {"revoke", "suspend"}


def public_preview(credential: Credential, action: str, reason: str) -> dict:
    """The credential's public state line as it will read after ``action`` (an unsaved copy)."""
    preview = copy.copy(credential)
    if action == "revoke":
        preview.state, preview.revoked_at = Credential.State.REVOKED, timezone.now()
        preview.revocation_reason = reason.strip()
        state = "revoked"
    else:
        preview.state, state = Credential.State.SUSPENDED, "suspended"
    return {"preview": preview, "preview_state": state, "preview_org": credential.organization}


@member_required(Role.ISSUER)
@require_POST
def credential_action(request, org_slug, public_id, action):
    if action not in ACTIONS:
        raise Http404
    credential = _credential(request, public_id)
    reason = request.POST.get("reason", "")
    if action in CONFIRMED and request.POST.get("confirmed") != "1":
        if action == "revoke" and not reason.strip():
            messages.error(request, _("reason: a reason is required to revoke"))
            return redirect("workspace-credential", org_slug, public_id)
        return render(
            request,
            "workspace/credential_action_confirm.html",
            {
                "c": credential,
                "action": action,
                "reason": reason.strip(),
                **public_preview(credential, action, reason),
            },
        )
    try:
        if action == "revoke":
            cred_actions.revoke_credential(credential, reason=reason, actor=request.user)
            messages.success(request, _("Revoked. Verifiers now see it as revoked."))
        elif action == "suspend":
            cred_actions.suspend_credential(credential, reason=reason, actor=request.user)
            messages.success(request, _("Suspended."))
        elif action == "reinstate":
            cred_actions.reinstate_credential(credential, reason=reason, actor=request.user)
            messages.success(request, _("Reinstated."))
        elif action == "correct":
            new = cred_actions.correct_credential(
                credential,
                recipient_name=request.POST.get("recipient_name"),
                recipient_email=request.POST.get("recipient_email"),
                reason=reason,
                actor=request.user,
            )
            messages.success(request, _("Corrected: this new credential replaces the old one."))
            return redirect("workspace-credential", org_slug, new.public_id)
        elif action == "expiry":
            when = expiry_date(request.POST.get("valid_until", ""))
            cred_actions.change_expiry(credential, valid_until=when, actor=request.user, note=reason)
            messages.success(request, _("Expiry changed; the credential was re-signed."))
        elif action == "renew":
            new = cred_actions.renew_as_issued(credential, actor=request.user)
            messages.success(request, _("Renewed: this new credential replaces the old one."))
            return redirect("workspace-credential", org_slug, new.public_id)
        elif action == "resend":
            cred_actions.resend_credential(credential, actor=request.user)
            messages.success(
                request,
                _("The email is being sent again to %(email)s.") % {"email": credential.recipient_email},
            )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("workspace-credential", org_slug, public_id)
    except cred_actions.CredentialStateError as exc:
        messages.error(request, str(exc))
        return redirect("workspace-credential", org_slug, public_id)
    return redirect("workspace-credential", org_slug, public_id)


def verb(action: str) -> str:
    """The bulk action's name as its confirmation page and message say it, in the page's language."""
    names = {
        "revoke": _("Revoke"),
        "suspend": _("Suspend"),
        "reinstate": _("Reinstate"),
        "resend": _("Resend"),
        "renew": _("Renew"),
    }
    return names.get(action, action.capitalize())


@member_required(Role.ISSUER)
@require_POST
def credentials_bulk_action(request, org_slug):
    org = request.organization
    action = request.POST.get("action")
    ids = request.POST.getlist("ids")[:1000]
    reason = request.POST.get("reason", "").strip()[:500]
    every = request.POST.get("all_matching") == "1"
    back = request.POST.get("next") or reverse("workspace-credentials", args=[org_slug])
    if not back.startswith("/w/"):
        back = reverse("workspace-credentials", args=[org_slug])
    if action not in bulk_actions.ACTIONS:
        messages.error(request, _("Choose an action."))
        return redirect(back)
    if not ids and not every:
        messages.error(request, _("Select at least one credential."))
        return redirect(back)
    if action == "revoke" and not reason:
        messages.error(request, _("A reason is required to revoke."))
        return redirect(back)
    if every:
        return _bulk_action_matching(request, action, reason, back)
    chosen = Credential.objects.filter(organization=org, public_id__in=ids)
    if action in CONFIRMED and request.POST.get("confirmed") != "1":
        sample = chosen.select_related("achievement", "organization").order_by("-issued_at").first()
        if sample is None:
            messages.error(request, _("None of the selected credentials was found."))
            return redirect(back)
        return render(
            request,
            "workspace/bulk_action_confirm.html",
            {
                "action": action,
                "reason": reason,
                "ids": [c for c in chosen.values_list("public_id", flat=True)],
                "count": chosen.count(),
                "back": back,
                **public_preview(sample, action, reason),
            },
        )
    done, skipped = bulk_actions.apply(org, request.user, action, reason, chosen)
    msg = _("%(action)s: %(n)s credential(s).") % {"action": verb(action), "n": done}
    if skipped:
        msg += " " + _("%(n)s skipped (their state does not allow it).") % {"n": skipped}
    messages.success(request, msg)
    return redirect(back)


def _bulk_action_matching(request, action, reason, back):
    """Every credential matching the filter: first a confirmation stating the count, then the action
    (in the request for a few, as a task for many)."""
    org = request.organization
    params = bulk_actions.filter_params(request.POST)
    if request.POST.get("confirmed") != "1":
        cutoff, upto = bulk_actions.make_cutoff(org)
        count = bulk_actions.matching(org, params, upto).count()
        if not count:
            messages.error(request, _("No credentials match the filter."))
            return redirect(back)
        sample = (
            bulk_actions.matching(org, params, upto).select_related("achievement", "organization").first()
        )
        preview = public_preview(sample, action, reason) if sample and action in CONFIRMED else {}
        return render(
            request,
            "workspace/bulk_action_confirm.html",
            {
                **preview,
                "action": action,
                "reason": reason,
                "params": params,
                "filter_words": bulk_actions.describe(org, params),
                "count": count,
                "cutoff": cutoff,
                "back": back,
                "background": count > bulk_actions.sync_limit(),
            },
        )
    upto = bulk_actions.parse_cutoff(org, request.POST.get("cutoff", ""))
    if upto is None:
        messages.error(request, _("The confirmation expired or was damaged; please select again."))
        return redirect(back)
    count = bulk_actions.matching(org, params, upto).count()
    if count > bulk_actions.sync_limit():
        bulk_actions.queue_matching(org, request.user, action, reason, params, upto, count)
        messages.success(
            request,
            _(
                "%(action)s: %(n)s credential(s) are being processed in the background; "
                "the audit log shows each one and a summary when it is done."
            )
            % {"action": verb(action), "n": count},
        )
        return redirect(back)
    done, skipped = bulk_actions.apply_matching(org, request.user, action, reason, params, upto)
    msg = _("%(action)s: %(n)s credential(s).") % {"action": verb(action), "n": done}
    if skipped:
        msg += " " + _("%(n)s skipped (their state does not allow it).") % {"n": skipped}
    messages.success(request, msg)
    return redirect(back)


@member_required(Role.VIEWER)
@require_safe
def credentials_csv(request, org_slug):
    org = request.organization
    qs = credential_page(org, request.GET, limit=None)
    rows = (
        [
            c.public_id,
            c.recipient_name,
            c.recipient_email,
            c.achievement.name,
            c.state,
            c.issued_at.isoformat(),
            c.valid_until.isoformat() if c.valid_until else "",
            c.uri,
        ]
        for c in qs.iterator(chunk_size=2000)
    )
    response = HttpResponse(
        csv_text(["id", "name", "email", "achievement", "state", "issued_at", "valid_until", "url"], rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="credentials.csv"'
    return response
