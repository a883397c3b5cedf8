"""Workspace pages for the organization itself: home, new organization, dashboard, settings, public logo."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from credstack.accounts.actions import language_of, set_language
from credstack.achievements.models import Achievement
from credstack.credentials.actions import rotate_compromised_key
from credstack.credentials.models import Credential
from credstack.organizations import dns, languages
from credstack.organizations.actions import (
    SETTINGS_FIELDS,
    create_organization,
    create_pdf_certificate,
    retire_domain,
    set_domain,
    update_organization_settings,
    update_pdf_signing,
    upload_pdf_certificate,
)
from credstack.organizations.actors import Actor
from credstack.organizations.brand import brand_preview
from credstack.organizations.models import (
    Domain,
    Invitation,
    Membership,
    Organization,
    PdfSigning,
    Role,
    SigningKey,
)
from credstack.organizations.permissions import member_required
from credstack.render import badge_svg

from .forms import OrganizationForm, ProfileForm
from .models import BulkJob

# ---- organizations ---------------------------------------------------------------------------


@login_required
def language_view(request):
    """The language of the user's own workspace (issue 17): one of credstack's, or the browser's."""
    current = language_of(request.user)
    if request.method == "POST":
        chosen = request.POST.get("language", "")
        try:
            set_language(request.user, chosen, Actor.for_user(request.user))
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            translation.activate(chosen or languages.viewer_language(request))
            messages.success(request, _("Your workspace speaks this language now."))
            return redirect("workspace-language")
    choices = [("", _("My browser’s language")), *settings.LANGUAGES]
    return render(request, "workspace/language.html", {"choices": choices, "current": current})


@login_required
def home(request):
    memberships = list(Membership.objects.filter(user=request.user).select_related("organization"))
    pending = (
        Invitation.objects.filter(
            email__iexact=request.user.email,
            accepted_at=None,
            withdrawn_at=None,
            expires_at__gt=timezone.now(),
        ).select_related("organization")
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
        org = create_organization(**form.cleaned_data, actor=Actor.for_user(request.user))
        messages.success(request, _("%(name)s is ready. Create your first achievement.") % {"name": org.name})
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
    initial = {k: getattr(org, k) for k in SETTINGS_FIELDS}
    form = ProfileForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        logo = data["logo"][:2] if data.get("logo") else None
        changes = {k: data[k] for k in SETTINGS_FIELDS}
        try:
            update_organization_settings(org, changes, logo, Actor.for_user(request.user))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Settings saved. New credentials carry this issuer profile."))
            return redirect("workspace-settings", org.slug)
    return render(request, "workspace/settings.html", {"form": form, "preview": brand_preview(org)})


@member_required(Role.ADMIN)
def keys_view(request, org_slug):
    """The organization's signing keys, and "this key is compromised" (decision 0054)."""
    org = request.organization
    error = ""
    if request.method == "POST":
        if request.POST.get("confirmed") != "1":
            error = _("Tick the box to confirm: every credential will be signed again.")
        else:
            try:
                key = rotate_compromised_key(org, reason=request.POST.get("reason", ""), actor=request.user)
            except ValidationError as exc:
                error = " ".join(m for ms in exc.message_dict.values() for m in ms)
            else:
                messages.success(
                    request,
                    _("%(key)s signs from now on. Every credential is being signed again.")
                    % {"key": key.fragment},
                )
                return redirect("workspace-keys", org.slug)
    keys = []
    for key in SigningKey.objects.filter(organization=org).order_by("-created_at", "-id"):
        pending = (
            Credential.objects.filter(
                organization=org, document__contains=f'"verificationMethod":"{key.verification_method}"'
            ).count()
            if key.compromised_at and not key.resigned_at
            else 0
        )
        keys.append({"key": key, "pending": pending})
    response = render(request, "workspace/keys.html", {"keys": keys, "error": error})
    if error:
        response.status_code = 400
    return response


MAX_PKCS12 = 64 * 1024


@member_required(Role.ADMIN)
def pdf_signing_view(request, org_slug):
    """Signed certificate PDFs (PAdES): the organization's certificate (uploaded PKCS#12 or created
    here), on/off, and the time-stamping authority."""
    org = request.organization
    signing = PdfSigning.objects.filter(organization=org).first()
    if request.method == "GET" and request.GET.get("download") == "certificate" and signing:
        response = HttpResponse(signing.certificate_pem, content_type="application/x-pem-file")
        response["Content-Disposition"] = f'attachment; filename="{org.slug}-pdf-signing.pem"'
        return response
    errors: dict[str, str] = {}
    if request.method == "POST":
        actor = Actor.for_user(request.user)
        what = request.POST.get("action")
        try:
            if what == "create":
                create_pdf_certificate(org, actor)
                messages.success(request, _("A certificate for %(org)s was created.") % {"org": org.name})
            elif what == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError({"file": _("choose a .p12 or .pfx file")})
                if upload.size > MAX_PKCS12:
                    raise ValidationError({"file": _("a PKCS#12 file is at most 64 KB")})
                upload_pdf_certificate(org, upload.read(), request.POST.get("password", ""), actor)
                messages.success(
                    request, _("The certificate from %(file)s is in use.") % {"file": upload.name}
                )
            elif what == "settings":
                update_pdf_signing(
                    org,
                    enabled=request.POST.get("enabled") == "on",
                    tsa_url=request.POST.get("tsa_url", ""),
                    actor=actor,
                )
                messages.success(request, _("Saved. Certificates downloaded from now on follow it."))
            else:
                raise ValidationError(_("Choose what to do."))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            else:
                errors = {"general": " ".join(exc.messages)}
        else:
            return redirect("workspace-pdf-signing", org.slug)
    return render(
        request,
        "workspace/pdf_signing.html",
        {
            "signing": signing,
            "errors": errors,
            "tsa_url": request.POST.get("tsa_url", signing.tsa_url if signing else ""),
        },
        status=400 if errors else 200,
    )


@member_required(Role.ADMIN)
def domain_view(request, org_slug):
    """The organization's own domain (decision 0049): set it, check its DNS, see the TLS set-up."""
    org = request.organization
    check = None
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "save":
                domain = set_domain(
                    org,
                    request.POST.get("host", ""),
                    bool(request.POST.get("did_web")),
                    Actor.for_user(request.user),
                )
                messages.success(
                    request, _("New credentials now live at %(origin)s.") % {"origin": domain.origin}
                )
                return redirect("workspace-domain", org.slug)
            if action == "retire":
                retire_domain(org, Actor.for_user(request.user))
                messages.success(request, _("New credentials go back to this deployment's address."))
                return redirect("workspace-domain", org.slug)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if action == "check" and org.domain is not None:
            check = dns.check_domain(org.domain.host)
    domains = list(Domain.objects.filter(organization=org))
    context = {
        "domain": org.domain,
        "retired": [d for d in domains if d.retired_at is not None],
        "target": dns.target(),
        "ask_url": settings.CREDSTACK_BASE_URL + reverse("tls-ask"),
        "check": check,
        "error": error,
        "host_value": request.POST.get("host", "") if error else (org.domain.host if org.domain else ""),
        "upstream": settings.CREDSTACK_BASE_URL.split("://", 1)[-1].split("/", 1)[0],
    }
    return render(request, "workspace/domain.html", context, status=400 if error else 200)


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
