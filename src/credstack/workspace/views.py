"""The issuer workspace: thin views over the actions (credentials/actions.py, workspace/bulk.py)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from credstack.achievements.models import Achievement
from credstack.credentials import actions as cred_actions
from credstack.credentials.models import Credential, CredentialEvent
from credstack.delivery.actions import delivery_state
from credstack.organizations.actions import create_organization
from credstack.organizations.models import Invitation, Membership, Organization, Role
from credstack.organizations.permissions import member_required

from . import audit, bulk, bulk_actions
from .exports import csv_text
from .forms import BulkUploadForm, InviteForm, IssueForm, OrganizationForm, ProfileForm
from .models import AuditEntry, BulkJob, BulkRow
from .queries import PAGE_SIZE, analytics, credential_history, credential_page, daily_series

# ---- organizations ---------------------------------------------------------------------------


@login_required
def home(request):
    memberships = list(Membership.objects.filter(user=request.user).select_related("organization"))
    pending = (
        Invitation.objects.filter(email__iexact=request.user.email, accepted_at=None).select_related(
            "organization"
        )
        if request.user.email
        else []
    )
    if len(memberships) == 1 and not pending:
        return redirect("workspace-dashboard", memberships[0].organization.slug)
    return render(request, "workspace/home.html", {"memberships": memberships, "pending": pending})


@login_required
def org_new(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            org = create_organization(**form.cleaned_data)
            Membership.objects.create(organization=org, user=request.user, role=Role.OWNER)
            audit.record(org, request.user, "organization.created", org.slug)
        messages.success(request, f"{org.name} is ready. Create your first achievement.")
        return redirect("workspace-dashboard", org.slug)
    return render(request, "workspace/org_new.html", {"form": form})


@member_required(Role.VIEWER)
def dashboard(request, org_slug):
    org = request.organization
    # one query: "active" is what verifiers accept today; an active credential past its end date is counted
    # as expired, as its pill in the lists and its public page say
    now = timezone.now()
    unexpired = Q(valid_until__isnull=True) | Q(valid_until__gt=now)
    active = Q(state=Credential.State.ACTIVE)
    counts = Credential.objects.filter(organization=org).aggregate(
        total=Count("id"),
        active=Count("id", filter=active & unexpired),
        expired=Count("id", filter=active & Q(valid_until__lte=now)),
        revoked=Count("id", filter=Q(state=Credential.State.REVOKED)),
        suspended=Count("id", filter=Q(state=Credential.State.SUSPENDED)),
    )
    recent = (
        Credential.objects.filter(organization=org)
        .select_related("achievement")
        .order_by("-issued_at", "-id")[:8]
    )
    return render(
        request,
        "workspace/dashboard.html",
        {
            "counts": counts,
            "total": counts["total"],
            "recent": recent,
            "n_achievements": Achievement.objects.filter(organization=org).count(),
            "jobs": BulkJob.objects.filter(organization=org).order_by("-created_at")[:5],
        },
    )


@member_required(Role.ADMIN)
def settings_view(request, org_slug):
    org = request.organization
    initial = {k: getattr(org, k) for k in ("name", "url", "email", "brand_color")}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            org = Organization.objects.select_for_update().get(pk=org.pk)
            changed = [k for k in ("name", "url", "email", "brand_color") if getattr(org, k) != data[k]]
            for k in ("name", "url", "email", "brand_color"):
                setattr(org, k, data[k])
            if data.get("logo"):
                kind, blob, name = data["logo"]
                ext = {"image/png": "png", "image/jpeg": "jpg", "image/svg+xml": "svg"}[kind]
                org.logo.save(
                    f"{org.slug}-{hashlib.sha256(blob).hexdigest()[:12]}.{ext}", ContentFile(blob), save=False
                )
                changed.append("logo")
            org.full_clean()
            org.save()
            audit.record(org, request.user, "organization.updated", org.slug, ", ".join(changed))
        messages.success(request, "Settings saved. New credentials carry this issuer profile.")
        return redirect("workspace-settings", org.slug)
    return render(request, "workspace/settings.html", {"form": form})


@require_safe
def org_logo(request, slug):
    org = get_object_or_404(Organization, slug=slug)
    if not org.logo:
        raise Http404
    return _file_response(org.logo)


@require_safe
def achievement_badge(request, public_id):
    a = get_object_or_404(Achievement.objects.select_related("organization"), public_id=public_id)
    if not a.badge_image:  # generated from the brand
        from credstack.render import badge_svg

        svg = badge_svg(a.name, a.organization.brand_color, issuer=a.organization.name, size=600)
        response = HttpResponse(svg, content_type="image/svg+xml")
        response["Cache-Control"] = "public, max-age=3600"
        response["Access-Control-Allow-Origin"] = "*"
        return response
    return _file_response(a.badge_image)


def _file_response(field):
    name = field.name.lower()
    ctype = (
        "image/svg+xml" if name.endswith(".svg") else "image/jpeg" if name.endswith(".jpg") else "image/png"
    )
    response = FileResponse(field.open("rb"), content_type=ctype)
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=3600"
    response["Access-Control-Allow-Origin"] = "*"
    return response


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


# ---- issuing one ------------------------------------------------------------------------------


@member_required(Role.ISSUER)
def issue(request, org_slug):
    org = request.organization
    initial = {"achievement": request.GET.get("achievement", "")}
    form = IssueForm(request.POST or None, organization=org, initial=initial)
    if not form.fields["achievement"].choices:
        messages.warning(request, "Create an achievement first: it is what the credential certifies.")
        return redirect("workspace-achievement-new", org.slug)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        valid_until = (
            datetime.combine(d["valid_until"], time(23, 59, 59), tzinfo=UTC) if d["valid_until"] else None
        )
        try:
            credential = cred_actions.issue_credential(
                achievement=d["achievement"],
                recipient_name=d["recipient_name"],
                recipient_email=d["recipient_email"],
                valid_until=valid_until,
                result=[{"type": ["Result"], "value": d["score"]}] if d["score"] else None,
                merge_fields={"score": d["score"]} if d["score"] else {},
                source="form",
                actor=request.user,
            )
        except ValidationError as exc:
            for fieldname, errs in exc.message_dict.items():
                form.add_error(fieldname if fieldname in form.fields else None, errs)
        else:
            audit.record(
                org, request.user, "credential.issued", credential.public_id, credential.recipient_email
            )
            messages.success(request, f"Issued to {credential.recipient_name}; the email is on its way.")
            return redirect("workspace-credential", org.slug, credential.public_id)
    return render(request, "workspace/issue.html", {"form": form})


# ---- bulk --------------------------------------------------------------------------------------


@member_required(Role.ISSUER)
def bulk_upload(request, org_slug):
    org = request.organization
    from .uploads import MAX_SPREADSHEET, body_too_large

    if request.method == "POST" and (problem := body_too_large(request, MAX_SPREADSHEET)):
        form = BulkUploadForm(organization=org)
        jobs = BulkJob.objects.filter(organization=org).order_by("-created_at")[:20]
        return render(
            request,
            "workspace/bulk_upload.html",
            {"form": form, "jobs": jobs, "upload_error": problem},
            status=413,
        )
    form = BulkUploadForm(request.POST or None, request.FILES or None, organization=org)
    if request.method == "POST" and form.is_valid():
        from .uploads import read_upload

        upload = form.cleaned_data["file"]
        try:
            kind, data = read_upload(
                upload,
                ("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                MAX_SPREADSHEET,
            )
            job = bulk.create_job(
                organization=org,
                achievement=form.cleaned_data["achievement"],
                filename=upload.name,
                data=data,
                kind=kind,
                actor=request.user,
            )
        except ValidationError as exc:
            for errs in exc.message_dict.values():
                form.add_error("file", errs)
        except bulk.FileProblem as exc:
            form.add_error("file", str(exc))
        else:
            audit.record(
                org, request.user, "bulk.uploaded", job.public_id, f"{job.filename}: {job.total} rows"
            )
            return redirect("workspace-bulk-job", org.slug, job.public_id)
    jobs = BulkJob.objects.filter(organization=org).select_related("achievement").order_by("-created_at")[:20]
    return render(request, "workspace/bulk_upload.html", {"form": form, "jobs": jobs})


def _job(request, public_id) -> BulkJob:
    return get_object_or_404(
        BulkJob.objects.select_related("achievement"), organization=request.organization, public_id=public_id
    )


@member_required(Role.VIEWER)
def bulk_job(request, org_slug, public_id):
    job = _job(request, public_id)
    mapping_errors = {}
    if request.method == "POST":
        if not request.membership.at_least(Role.ISSUER):
            return HttpResponse("Issuers only.", status=403)
        try:
            job = bulk.check_job(job, {k: request.POST.get(k, "") for k in ("name", "email", "score")})
        except ValidationError as exc:
            mapping_errors = exc.message_dict
        else:
            return redirect("workspace-bulk-job", org_slug, job.public_id)
    problem_rows = job.rows.exclude(outcome__in=[BulkRow.Outcome.PENDING, BulkRow.Outcome.ISSUED]).order_by(
        "number"
    )
    return render(
        request,
        "workspace/bulk_job.html",
        {
            "job": job,
            "mapping_errors": mapping_errors,
            "problem_rows": problem_rows[:1000],
            "n_problem_rows": problem_rows.count(),
            "sample_rows": job.rows.filter(outcome=BulkRow.Outcome.PENDING).order_by("number")[:10],
            "retention_days": bulk.retention_days(),
        },
    )


@member_required(Role.ISSUER)
@require_POST
def bulk_confirm(request, org_slug, public_id):
    job = _job(request, public_id)
    try:
        job = bulk.confirm_job(job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(sum(exc.message_dict.values(), [])))
    else:
        audit.record(
            request.organization, request.user, "bulk.confirmed", job.public_id, f"{job.valid} to issue"
        )
    return redirect("workspace-bulk-job", org_slug, job.public_id)


@member_required(Role.ISSUER)
@require_POST
def bulk_resume(request, org_slug, public_id):
    job = _job(request, public_id)
    try:
        bulk.resume_job(job)
    except ValidationError as exc:
        messages.error(request, " ".join(sum(exc.message_dict.values(), [])))
    else:
        audit.record(request.organization, request.user, "bulk.resumed", job.public_id)
        messages.success(request, "Resumed: rows not issued yet are being issued; none is issued twice.")
    return redirect("workspace-bulk-job", org_slug, job.public_id)


@member_required(Role.VIEWER)
@require_safe
def bulk_progress(request, org_slug, public_id):
    job = _job(request, public_id)
    response = render(request, "workspace/_bulk_progress.html", {"job": job})
    if job.state in (BulkJob.State.DONE, BulkJob.State.FAILED) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # reload to show the summary
    return response


@member_required(Role.VIEWER)
@require_safe
def bulk_results(request, org_slug, public_id):
    job = _job(request, public_id)
    response = HttpResponse(bulk.results_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="results-{job.public_id}.csv"'
    return response


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
            "delivery": delivery_state(credential),
            "deliveries": credential.deliveries.order_by("-created_at", "-id")[:20],
        },
    )


ACTIONS = {"revoke", "suspend", "reinstate", "correct", "expiry", "resend"}


@member_required(Role.ISSUER)
@require_POST
def credential_action(request, org_slug, public_id, action):
    if action not in ACTIONS:
        raise Http404
    org = request.organization
    credential = _credential(request, public_id)
    reason = request.POST.get("reason", "").strip()
    try:
        if action == "revoke":
            if not reason:
                raise ValidationError({"reason": "a reason is required to revoke"})
            cred_actions.revoke_credential(credential, reason=reason, actor=request.user)
            messages.success(request, "Revoked. Verifiers now see it as revoked.")
        elif action == "suspend":
            cred_actions.suspend_credential(credential, reason=reason, actor=request.user)
            messages.success(request, "Suspended.")
        elif action == "reinstate":
            cred_actions.reinstate_credential(credential, reason=reason, actor=request.user)
            messages.success(request, "Reinstated.")
        elif action == "correct":
            new = cred_actions.correct_credential(
                credential,
                recipient_name=request.POST.get("recipient_name"),
                recipient_email=request.POST.get("recipient_email"),
                reason=reason,
                actor=request.user,
            )
            audit.record(
                org,
                request.user,
                "credential.corrected",
                credential.public_id,
                f"replaced by {new.public_id}: {reason}",
            )
            messages.success(request, "Corrected: this new credential replaces the old one.")
            return redirect("workspace-credential", org_slug, new.public_id)
        elif action == "expiry":
            raw = request.POST.get("valid_until", "").strip()
            try:
                when = (
                    datetime.combine(datetime.strptime(raw, "%Y-%m-%d").date(), time(23, 59, 59), tzinfo=UTC)
                    if raw
                    else None
                )
            except ValueError:
                raise ValidationError({"valid_until": f"{raw!r} is not a date (YYYY-MM-DD)"})
            cred_actions.change_expiry(credential, valid_until=when, actor=request.user, note=reason)
            messages.success(request, "Expiry changed; the credential was re-signed.")
        elif action == "resend":
            cred_actions.resend_credential(credential, actor=request.user)
            messages.success(request, f"The email is being sent again to {credential.recipient_email}.")
    except ValidationError as exc:
        messages.error(
            request, "; ".join(f"{k.replace('_', ' ')}: {' '.join(v)}" for k, v in exc.message_dict.items())
        )
        return redirect("workspace-credential", org_slug, public_id)
    except cred_actions.CredentialStateError as exc:
        messages.error(request, str(exc))
        return redirect("workspace-credential", org_slug, public_id)
    if action != "correct":
        audit.record(org, request.user, f"credential.{action}", credential.public_id, reason)
    return redirect("workspace-credential", org_slug, public_id)


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
        messages.error(request, "Choose an action.")
        return redirect(back)
    if not ids and not every:
        messages.error(request, "Select at least one credential.")
        return redirect(back)
    if action == "revoke" and not reason:
        messages.error(request, "A reason is required to revoke.")
        return redirect(back)
    if every:
        return _bulk_action_matching(request, action, reason, back)
    done, skipped = bulk_actions.apply(
        org, request.user, action, reason, Credential.objects.filter(organization=org, public_id__in=ids)
    )
    msg = f"{action.capitalize()}: {done} credential(s)."
    if skipped:
        msg += f" {skipped} skipped (their state does not allow it)."
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
            messages.error(request, "No credentials match the filter.")
            return redirect(back)
        return render(
            request,
            "workspace/bulk_action_confirm.html",
            {
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
        messages.error(request, "The confirmation expired or was damaged; please select again.")
        return redirect(back)
    count = bulk_actions.matching(org, params, upto).count()
    if count > bulk_actions.sync_limit():
        user_id, words = request.user.pk, "; ".join(bulk_actions.describe(org, params))
        audit.record(org, request.user, "credentials.bulk_queued", words, f"{action}: {count} credential(s)")
        transaction.on_commit(
            lambda: bulk_actions.run_bulk_action.enqueue(org.pk, user_id, action, reason, params, upto)
        )
        messages.success(
            request,
            f"{action.capitalize()}: {count} credential(s) are being processed in the background; "
            "the audit log shows each one and a summary when it is done.",
        )
        return redirect(back)
    done, skipped = bulk_actions.apply_matching(org, request.user, action, reason, params, upto)
    msg = f"{action.capitalize()}: {done} credential(s)."
    if skipped:
        msg += f" {skipped} skipped (their state does not allow it)."
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


# ---- audit log and analytics ---------------------------------------------------------------------


@member_required(Role.VIEWER)
@require_safe
def audit_log(request, org_slug):
    qs = AuditEntry.objects.filter(organization=request.organization).order_by("-at", "-id")
    before = request.GET.get("before")
    if before and before.isdigit():
        qs = qs.filter(id__lt=int(before))
    entries = list(qs[:100])
    return render(
        request,
        "workspace/audit.html",
        {"entries": entries, "next_before": entries[-1].id if len(entries) == 100 else None},
    )


@member_required(Role.VIEWER)
@require_safe
def audit_csv(request, org_slug):
    qs = AuditEntry.objects.filter(organization=request.organization).order_by("-at", "-id")
    rows = (
        [e.at.isoformat(), e.actor_label, e.action, e.target, e.detail] for e in qs.iterator(chunk_size=2000)
    )
    response = HttpResponse(
        csv_text(["at", "who", "action", "target", "detail"], rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


@member_required(Role.VIEWER)
@require_safe
def analytics_view(request, org_slug):
    org = request.organization
    achievement = None
    if request.GET.get("achievement"):
        achievement = get_object_or_404(Achievement, organization=org, public_id=request.GET["achievement"])
    table, totals = analytics(org)
    days = int(request.GET["days"]) if request.GET.get("days", "").isdigit() else 90
    series = daily_series(org, achievement, days=days)
    return render(
        request,
        "workspace/analytics.html",
        {
            "table": table,
            "totals": totals,
            "series": series,
            "achievement": achievement,
            "achievements": Achievement.objects.filter(organization=org).order_by("name"),
            "kinds": ANALYTICS_KINDS,
            "day_choices": [30, 90, 365],
        },
    )


ANALYTICS_KINDS = [
    ("issued", "Issued"),
    ("delivered", "Delivered"),
    ("opened", "Opened"),
    ("viewed", "Viewed"),
    ("downloaded", "Downloaded"),
    ("shared", "Shared"),
    ("linkedin", "Added to LinkedIn"),
    ("verified", "Verified by others"),
]


@member_required(Role.VIEWER)
@require_safe
def analytics_csv(request, org_slug):
    table, totals = analytics(request.organization)
    kinds = [k for k, _ in ANALYTICS_KINDS]
    rows = [[r["name"], *[r["counts"].get(k, 0) for k in kinds]] for r in table]
    rows.append(["All achievements", *[totals.get(k, 0) for k in kinds]])
    response = HttpResponse(csv_text(["achievement", *kinds], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="analytics.csv"'
    return response


__all__ = ["Q", "CredentialEvent"]
