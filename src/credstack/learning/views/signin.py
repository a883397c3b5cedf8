"""Sign-in by code, sign-out, and the learner's own page (their courses and pathways)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from credstack import ratelimit
from credstack.organizations.models import Organization
from credstack.pathways.queries import progress_for_emails

from .. import auth
from ..models import Enrolment
from .common import addresses, outline


def login(request):
    """The player's sign-in page, in the player's look; the code and the session are the portal's
    (decision 0023): signing in here signs in at /me too, and the other way round."""
    next_url = request.GET.get("next") or request.POST.get("next") or reverse("learning:mine")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("learning:mine")
    org_slug = request.GET.get("org") or request.POST.get("org") or ""
    org = Organization.objects.filter(slug=org_slug).first() if org_slug else None
    context = {
        "next": next_url,
        "org_slug": org.slug if org else "",
        "org": org,  # its brand on the page
        "email": request.POST.get("email", "").strip(),
        "step": "email",
    }
    if request.method == "POST":
        try:
            if request.POST.get("code") is not None:
                context["step"] = "code"
                learner = auth.check_code(
                    context["email"], request.POST["code"], ip=ratelimit.client_ip(request)
                )
                auth.sign_in(request, learner)
                return redirect(next_url)
            auth.send_code(context["email"], ip=ratelimit.client_ip(request), org=org)
            context["step"] = "code"
        except ValidationError as exc:
            context["error"] = "; ".join(" ".join(v) for v in exc.message_dict.values())
        except auth.SignInError as exc:
            context["error"] = str(exc)
    return render(request, "learning/login.html", context)


@require_POST
def logout(request):
    auth.sign_out(request)  # one session: signs out of the portal too
    return redirect("learning:login")


def mine(request):
    learner = auth.current_learner(request)
    if learner is None:
        return redirect(auth.login_url(request.get_full_path()))
    enrolments = (
        Enrolment.objects.filter(learner=learner)
        .select_related("course__organization", "version", "credential")
        .order_by("-last_activity_at", "-enrolled_at")
    )
    pathways = progress_for_emails(addresses(learner))
    reached = auth.reached_organizations(request)
    if reached is not None:  # an LMS launch: its own organization's courses only
        enrolments = enrolments.filter(course__organization_id__in=reached)
        slugs = set(Organization.objects.filter(pk__in=reached).values_list("slug", flat=True))
        pathways = [p for p in pathways if p.organization in slugs]
    rows = [{"enrolment": e, "outline": outline(e)} for e in enrolments]
    return render(request, "learning/mine.html", {"learner": learner, "rows": rows, "pathways": pathways})
