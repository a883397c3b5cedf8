"""Workspace pages that issue: one credential from a form, many from a CSV/XLSX upload."""

from __future__ import annotations

from datetime import UTC, datetime, time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from credstack.credentials import actions as cred_actions
from credstack.credentials.models import Credential
from credstack.organizations.models import Role
from credstack.organizations.permissions import member_required
from credstack.ui.refusal import refused
from credstack.ui.uploads import MAX_SPREADSHEET, body_too_large, read_upload

from . import bulk, tables
from .forms import BulkUploadForm, IssueForm
from .models import BulkJob, BulkRow

# ---- issuing one ------------------------------------------------------------------------------


@member_required(Role.ISSUER)
def issue(request, org_slug):
    org = request.organization
    initial = {"achievement": request.GET.get("achievement", "")}
    form = IssueForm(request.POST or None, organization=org, initial=initial)
    if not form.fields["achievement"].choices:
        messages.warning(request, _("Create an achievement first: it is what the credential certifies."))
        return redirect("workspace-achievement-new", org.slug)
    held = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        valid_until = (
            datetime.combine(d["valid_until"], time(23, 59, 59), tzinfo=UTC) if d["valid_until"] else None
        )
        choice = request.POST.get("if_held", "")
        req = cred_actions.IssueRequest(
            achievement=d["achievement"],
            recipient_name=d["recipient_name"],
            recipient_email=d["recipient_email"],
            valid_until=valid_until,
            result=[{"type": ["Result"], "value": d["score"]}] if d["score"] else None,
            merge_fields={"score": d["score"]} if d["score"] else {},
            source="form",
            actor=request.user,
            duplicates="allow" if choice == "issue" else "refuse",
        )
        try:
            if choice == "replace":
                old = get_object_or_404(Credential, organization=org, public_id=request.POST.get("held", ""))
                credential = cred_actions.replace_credential(old, req)
                messages.success(
                    request,
                    _("Issued to %(name)s; %(old)s is revoked and points here.")
                    % {"name": credential.recipient_name, "old": old.public_id},
                )
                return redirect("workspace-credential", org.slug, credential.public_id)
            credential = cred_actions.issue_credential(req)
        except cred_actions.AlreadyHeld as exc:
            held = exc.existing  # ask first: issue anyway, replace, or cancel
        except ValidationError as exc:
            for fieldname, errs in exc.message_dict.items():
                form.add_error(fieldname if fieldname in form.fields else None, errs)
        except cred_actions.CredentialStateError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Issued to %(name)s; the email is on its way.") % {"name": credential.recipient_name},
            )
            return redirect("workspace-credential", org.slug, credential.public_id)
    return render(request, "workspace/issue.html", {"form": form, "held": held})


# ---- bulk --------------------------------------------------------------------------------------


@member_required(Role.ISSUER)
def bulk_upload(request, org_slug):
    org = request.organization
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
        except tables.FileProblem as exc:
            form.add_error("file", str(exc))
        else:
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
            return refused(request, _("Only issuers, admins and owners issue credentials."))
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
            "stalled": bulk.is_stalled(job),
        },
    )


@member_required(Role.ISSUER)
@require_POST
def bulk_confirm(request, org_slug, public_id):
    job = _job(request, public_id)
    try:
        job = bulk.confirm_job(job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("workspace-bulk-job", org_slug, job.public_id)


@member_required(Role.ISSUER)
@require_POST
def bulk_resume(request, org_slug, public_id):
    job = _job(request, public_id)
    try:
        bulk.resume_job(job, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Resumed: rows not issued yet are being issued; none is issued twice."))
    return redirect("workspace-bulk-job", org_slug, job.public_id)


@member_required(Role.VIEWER)
@require_safe
def bulk_progress(request, org_slug, public_id):
    job = _job(request, public_id)
    response = render(request, "workspace/_bulk_progress.html", {"job": job, "stalled": bulk.is_stalled(job)})
    if job.state in (BulkJob.State.DONE, BulkJob.State.FAILED) and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # reload to show the summary
    return response


@member_required(Role.VIEWER)
@require_safe
def bulk_sample(request, org_slug):
    """A small CSV in the expected shape: name, email, a score and an extra merge field."""
    response = HttpResponse(bulk.SAMPLE_CSV, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="credstack-sample.csv"'
    return response


@member_required(Role.VIEWER)
@require_safe
def bulk_results(request, org_slug, public_id):
    job = _job(request, public_id)
    response = HttpResponse(bulk.results_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="results-{job.public_id}.csv"'
    return response
