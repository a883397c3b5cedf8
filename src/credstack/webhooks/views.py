"""Outbound webhook endpoints in the workspace (``/w/<org_slug>/developers/webhooks/``), admin role only.

Create and edit (the URL is checked by ``actions.validate_url``, the SSRF rules), the signing secret shown
once (at creation and after a rotation, whose previous secret keeps signing for an overlap the admin can
end), a test event, on/off, delete, and the delivery log with redelivery of one or of every failed one.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.ui.forms import first_submission, form_token, shown_once

from . import actions
from .models import EVENT_TYPES, REDELIVER_FAILED_DAYS, TEST_EVENT, WebhookDelivery, WebhookEndpoint
from .outcome import outcome

EVENT_HELP = {
    "credential.issued": gettext_lazy(
        "A credential was issued (form, CSV, API, integration, course or pathway)."
    ),
    "credential.revoked": gettext_lazy("A credential was revoked; it no longer verifies."),
    "credential.suspended": gettext_lazy("A credential was suspended for now."),
    "credential.reinstated": gettext_lazy("A suspended credential is valid again."),
    "credential.expired": gettext_lazy("A credential reached its expiry date."),
    "credential.replaced": gettext_lazy("A credential was corrected and replaced by a new one."),
    "credential.viewed": gettext_lazy("Someone opened the credential's public page."),
    "credential.downloaded": gettext_lazy("The PDF, image or JSON of a credential was downloaded."),
    "credential.shared": gettext_lazy("The learner shared the credential (LinkedIn, link, wallet)."),
    "pathway.completed": gettext_lazy("A learner completed every step of a pathway."),
    "course.completed": gettext_lazy("A learner finished a course."),
}
OUTCOMES = [
    ("succeeded", gettext_lazy("delivered")),
    ("pending", gettext_lazy("queued or retrying")),
    ("failed", gettext_lazy("failed")),
]


class EndpointForm(forms.Form):
    url = forms.URLField(max_length=2000, assume_scheme="https", label="URL")
    description = forms.CharField(max_length=200, required=False, label=gettext_lazy("Description"))
    events = forms.ChoiceField(
        choices=[("all", gettext_lazy("Every event")), ("some", gettext_lazy("Only these"))], initial="all"
    )
    event_types = forms.MultipleChoiceField(choices=[(e, e) for e in EVENT_TYPES], required=False)

    def clean(self):
        data = super().clean()
        if data.get("events") == "some" and not data.get("event_types"):
            self.add_error("event_types", _("Tick at least one event, or choose “Every event”."))
        return data

    def chosen_events(self) -> list[str]:
        return list(self.cleaned_data["event_types"]) if self.cleaned_data["events"] == "some" else []

    @staticmethod
    def initial_for(endpoint: WebhookEndpoint) -> dict:
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": "some" if endpoint.event_types else "all",
            "event_types": list(endpoint.event_types),
        }


def _actor(request) -> Actor:
    return Actor.for_user(request.user)


def _endpoint(request, public_id: str) -> WebhookEndpoint:
    return get_object_or_404(
        WebhookEndpoint.objects.select_related("organization"),
        public_id=public_id,
        organization=request.organization,
    )


def _form_context(form: EndpointForm) -> dict:
    values = form.data if form.is_bound else form.initial
    chosen = values.getlist("event_types") if hasattr(values, "getlist") else values.get("event_types", [])
    return {
        "form": form,
        "values": {"url": values.get("url", ""), "description": values.get("description", "")},
        "events_mode": values.get("events") or "all",
        "event_rows": [
            {"type": e, "help": EVENT_HELP.get(e, ""), "checked": e in chosen} for e in EVENT_TYPES
        ],
        "form_errors": {k: " ".join(map(str, v)) for k, v in form.errors.items()},
    }


def _save(form: EndpointForm, do) -> WebhookEndpoint | None:
    """Run an action with the form's values; its ValidationErrors become the fields' errors."""
    if not form.is_valid():
        return None
    try:
        return do(
            url=form.cleaned_data["url"],
            event_types=form.chosen_events(),
            description=form.cleaned_data["description"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def _show_secret(request, endpoint: WebhookEndpoint, *, rotated: bool):
    context = {"endpoint": endpoint, "rotated": rotated, **_overlap(endpoint)}
    return shown_once(render(request, "webhooks/secret.html", context))


def _overlap(endpoint: WebhookEndpoint) -> dict:
    """When the previous secret stops signing, if it still does."""
    signs = endpoint.previous_secret_signs(timezone.now())
    hours = actions.rotation_overlap().total_seconds() / 3600
    return {
        "previous_until": endpoint.previous_secret_expires_at if signs else None,
        "overlap_hours": f"{hours:g}",
    }


def _failed_offer(endpoint: WebhookEndpoint) -> dict:
    count = actions.failed_recently(endpoint).count() if endpoint.enabled else 0
    return {"failed_count": count, "failed_days": REDELIVER_FAILED_DAYS}


@member_required(Role.ADMIN)
def endpoint_create(request, org_slug: str):
    org = request.organization
    form = EndpointForm(request.POST) if request.method == "POST" else EndpointForm(initial={"events": "all"})
    if request.method == "POST":
        if form.is_valid() and not first_submission(request):
            messages.warning(request, _("That form was already sent: the endpoint is in the list below."))
            return redirect("developers:home", org.slug)
        endpoint = _save(form, lambda **kw: actions.create_endpoint(org, **kw, actor=_actor(request)))
        if endpoint is not None:
            return _show_secret(request, endpoint, rotated=False)
    return render(
        request,
        "webhooks/endpoint_new.html",
        {**_form_context(form), "form_token": form_token()},
        status=422 if form.errors else 200,
    )


@member_required(Role.ADMIN)
def endpoint_detail(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if (
            _save(form, lambda **kw: actions.update_endpoint(endpoint, **kw, actor=_actor(request)))
            is not None
        ):
            messages.success(request, _("Saved."))
            return redirect("webhooks:detail", org_slug, endpoint.public_id)
        endpoint.refresh_from_db()
    else:
        form = EndpointForm(initial=EndpointForm.initial_for(endpoint))
    recent = endpoint.deliveries.select_related("message").order_by("-id")[:5]
    return render(
        request,
        "webhooks/endpoint.html",
        {
            "endpoint": endpoint,
            **_form_context(form),
            "recent": [_row(d) for d in recent],
            **_overlap(endpoint),
            **_failed_offer(endpoint),
        },
        status=422 if form.errors else 200,
    )


def _row(d: WebhookDelivery) -> dict:
    result = d.last_error or (f"HTTP {d.last_status_code}" if d.last_status_code else "")
    shown = outcome(d.state, d.attempts)
    if d.requeued and d.state == WebhookDelivery.State.PENDING:
        shown = {"label": _("queued again"), "pill": "pill-pending"}
    return {"d": d, "outcome": shown, "result": result}


@member_required(Role.ADMIN)
@require_POST
def endpoint_test(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    try:
        delivery = actions.send_test_event(endpoint, actor=_actor(request))
    except actions.EndpointOff:
        messages.error(request, _("The endpoint is off: turn it on again first."))
        return redirect("webhooks:detail", org_slug, endpoint.public_id)
    if delivery.state == WebhookDelivery.State.SUCCEEDED:
        messages.success(
            request,
            _("Test event delivered: the receiver answered HTTP %(code)s.")
            % {"code": delivery.last_status_code},
        )
    else:
        messages.error(
            request,
            _("Test event not delivered: %(error)s. It is not retried.") % {"error": delivery.last_error},
        )
    return redirect("webhooks:detail", org_slug, endpoint.public_id)


@member_required(Role.ADMIN)
@require_POST
def endpoint_rotate(request, org_slug: str, public_id: str):
    endpoint = actions.rotate_secret(_endpoint(request, public_id), actor=_actor(request))
    return _show_secret(request, endpoint, rotated=True)


@member_required(Role.ADMIN)
@require_POST
def endpoint_end_overlap(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    if actions.end_rotation_overlap(endpoint, actor=_actor(request)):
        messages.success(
            request,
            _("The previous secret no longer signs anything: only the current one does, from now on."),
        )
    else:
        messages.info(request, _("The previous secret had already stopped signing."))
    return redirect(reverse("webhooks:detail", args=[org_slug, endpoint.public_id]) + "#secret")


@member_required(Role.ADMIN)
@require_POST
def endpoint_enable(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    if actions.set_endpoint_enabled(endpoint, True, actor=_actor(request)):
        failed = actions.failed_recently(endpoint).count()
        if failed:
            messages.success(
                request,
                ngettext(
                    "Endpoint on again: new events are sent. %(n)s delivery failed in the last %(days)s "
                    "days: send it again with “Redeliver all failed” below.",
                    "Endpoint on again: new events are sent. %(n)s deliveries failed in the last %(days)s "
                    "days: send them again with “Redeliver all failed” below.",
                    failed,
                )
                % {"n": failed, "days": REDELIVER_FAILED_DAYS},
            )
            return redirect(reverse("webhooks:detail", args=[org_slug, endpoint.public_id]) + "#failed")
        messages.success(request, _("Endpoint on again: new events are sent."))
    return redirect("webhooks:detail", org_slug, endpoint.public_id)


@member_required(Role.ADMIN)
@require_POST
def endpoint_disable(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    if actions.set_endpoint_enabled(endpoint, False, actor=_actor(request)):
        messages.success(request, _("Endpoint off: no events are sent to it until you turn it on again."))
    return redirect("webhooks:detail", org_slug, endpoint.public_id)


@member_required(Role.ADMIN)
@require_POST
def endpoint_delete(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    url = endpoint.url
    actions.delete_endpoint(endpoint, actor=_actor(request))
    messages.success(request, _("Endpoint %(url)s deleted, with its delivery log.") % {"url": url})
    return redirect("developers:home", org_slug)


@member_required(Role.ADMIN)
def deliveries(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    rows = endpoint.deliveries.select_related("message").order_by("-id")
    state = request.GET.get("outcome", "")
    if state in WebhookDelivery.State.values:
        rows = rows.filter(state=state)
    else:
        state = ""
    return render(
        request,
        "webhooks/deliveries.html",
        {
            "endpoint": endpoint,
            "rows": [_row(d) for d in rows[:200]],
            "state": state,
            "outcomes": OUTCOMES,
            "test_event": TEST_EVENT,
            **_failed_offer(endpoint),
        },
    )


@member_required(Role.ADMIN)
@require_POST
def redeliver_failed(request, org_slug: str, public_id: str):
    endpoint = _endpoint(request, public_id)
    try:
        queued = actions.redeliver_failed(endpoint, actor=_actor(request))
    except actions.EndpointOff:
        messages.error(request, _("The endpoint is off: turn it on again before redelivering."))
    else:
        if queued:
            messages.success(
                request,
                ngettext(
                    "%(n)s delivery queued again, with its original webhook-id: "
                    "the worker sends it in the background. Its outcome shows below.",
                    "%(n)s deliveries queued again, oldest first, each with its original webhook-id: "
                    "the worker sends them in the background. Their outcome shows below.",
                    len(queued),
                )
                % {"n": len(queued)},
            )
        else:
            messages.warning(
                request,
                _(
                    "Nothing to redeliver: no delivery failed in the last %(days)s days that is not already queued."
                )
                % {"days": REDELIVER_FAILED_DAYS},
            )
    back = reverse("webhooks:deliveries", args=[org_slug, endpoint.public_id])
    if request.POST.get("back") == "endpoint":
        back = reverse("webhooks:detail", args=[org_slug, endpoint.public_id])
    return redirect(back)


@member_required(Role.ADMIN)
@require_POST
def redeliver(request, org_slug: str, public_id: str, msg_id: str):
    endpoint = _endpoint(request, public_id)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("message"), endpoint=endpoint, message__msg_id=msg_id
    )
    try:
        delivery = actions.redeliver(delivery, actor=_actor(request))
    except actions.EndpointOff:
        messages.error(request, _("The endpoint is off: turn it on again before redelivering."))
    else:
        if delivery.state == WebhookDelivery.State.SUCCEEDED:
            messages.success(
                request,
                _("Redelivered %(id)s: HTTP %(code)s.") % {"id": msg_id, "code": delivery.last_status_code},
            )
        else:
            messages.error(
                request,
                _("Redelivery of %(id)s failed: %(error)s.") % {"id": msg_id, "error": delivery.last_error},
            )
    back = reverse("webhooks:deliveries", args=[org_slug, endpoint.public_id])
    state = request.POST.get("outcome", "")
    return redirect(back + (f"?outcome={state}" if state in WebhookDelivery.State.values else ""))
