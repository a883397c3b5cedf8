"""Turning an email template and a credential into a message: merge tags, brand, tracked links."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credstack.credentials import renewal, share
from credstack.organizations.brand import brand_context

from .models import EmailTemplate

MERGE_TAGS = {
    "recipient_name": gettext_lazy("the recipient's name"),
    "achievement_name": gettext_lazy("what they earned"),
    "issuer_name": gettext_lazy("your organization's name"),
    "credential_url": gettext_lazy("the credential's permanent page"),
    "issue_date": gettext_lazy("the issue date"),
    "expiry_date": gettext_lazy("the expiry date (empty if none)"),
    "validity": gettext_lazy("“for life”, or “until 5 December 2028” when it expires"),
    "portal_url": gettext_lazy("the recipient's portal"),
    "renewal": gettext_lazy("how to renew it: the course to take again, or “contact” the issuer"),
}
_TAG = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

# in the language of the email (the achievement's, else the organization's: delivery.actions)
DEFAULTS = {
    EmailTemplate.Kind.ISSUED: (
        gettext_lazy("Your credential: {{ achievement_name }}"),
        gettext_lazy(
            "Hello {{ recipient_name }},\n\n"
            "{{ issuer_name }} has issued you a credential: {{ achievement_name }}.\n\n"
            "It is yours {{ validity }}: view it, download the certificate and the badge, and share it on "
            "LinkedIn from the links below. Anyone can check it is genuine."
        ),
    ),
    EmailTemplate.Kind.EXPIRY: (
        gettext_lazy("Your credential {{ achievement_name }} expires on {{ expiry_date }}"),
        gettext_lazy(
            "Hello {{ recipient_name }},\n\n"
            "Your credential {{ achievement_name }} from {{ issuer_name }} expires on {{ expiry_date }}.\n\n"
            "{{ renewal }}"
        ),
    ),
}


class TemplateError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def check_template(subject: str, body: str) -> None:
    """Refuse unknown merge tags and control characters, naming the field and the tag."""
    errors: dict[str, str] = {}
    for field, text in (("subject", subject), ("body", body)):
        if not text.strip():
            errors[field] = _("is required")
            continue
        unknown = [t for t in _TAG.findall(text) if t not in MERGE_TAGS]
        if unknown:
            errors[field] = _("unknown merge tag %(tag)s; use one of: %(tags)s") % {
                "tag": "{{ " + unknown[0] + " }}",
                "tags": ", ".join(MERGE_TAGS),
            }
        elif field == "subject" and any(c in text for c in "\r\n"):
            errors[field] = _("must be one line")
        elif any(ord(c) < 32 and c not in "\n\r\t" for c in text):
            errors[field] = _("contains a control character")
    if len(subject) > 200:
        errors["subject"] = _("is %(n)s characters long; at most 200 are allowed") % {"n": len(subject)}
    if errors:
        raise TemplateError(errors)


def fill(text: str, values: dict[str, str]) -> str:
    return _TAG.sub(lambda m: str(values.get(m.group(1), "")), text)


def template_for(credential, kind: str = EmailTemplate.Kind.ISSUED) -> tuple[str, str]:
    """(subject, body): the achievement's template, else the organization's, else the default."""
    rows = {
        (t.achievement_id is not None): t
        for t in EmailTemplate.objects.filter(organization_id=credential.organization_id, kind=kind).filter(
            models_q_for(credential)
        )
    }
    chosen = rows.get(True) or rows.get(False)
    if chosen:
        return chosen.subject, chosen.body
    return default_template(kind)


def default_template(kind: str) -> tuple[str, str]:
    """(subject, body) of credstack's own template of ``kind``, in the active language."""
    subject, body = DEFAULTS[kind]
    return str(subject), str(body)


def models_q_for(credential):

    return Q(achievement__isnull=True) | Q(achievement_id=credential.achievement_id)


def values_for(credential) -> dict[str, str]:
    return {
        "recipient_name": credential.recipient_name,
        "achievement_name": credential.achievement.name,
        "issuer_name": credential.organization.name,
        "credential_url": credential.uri,
        # in the email's language (the caller activates it): "6 December 2026", "6. Dezember 2026"
        "issue_date": formats.date_format(credential.issued_at, "DATE_FORMAT"),
        "expiry_date": formats.date_format(credential.valid_until, "DATE_FORMAT")
        if credential.valid_until
        else "",
        "validity": _("until %(date)s") % {"date": formats.date_format(credential.valid_until, "DATE_FORMAT")}
        if credential.valid_until
        else _("for life"),
        "portal_url": f"{settings.CREDSTACK_BASE_URL}/me/",
        "renewal": _renewal(credential),
    }


def _renewal(credential) -> str:
    url = renewal.link(credential)
    if url:
        return _("To renew it, take the course again: %(url)s") % {"url": url}
    return _("Contact %(issuer)s if you would like to renew it.") % {"issuer": credential.organization.name}


@dataclass
class Message:
    subject: str
    text: str
    html: str


def _paragraphs_html(text: str) -> str:
    return "".join(
        "<p>" + escape(p).replace("\n", "<br>") + "</p>"
        for p in re.split(r"\n\s*\n", text.strip())
        if p.strip()
    )


def render_message(credential, subject: str, body: str, token: str | None = None) -> Message:
    """The email for a credential from a template; ``token`` makes the links and pixel tracked."""
    values = values_for(credential)
    base = credential.origin  # the organization's own domain when it was issued under one (decision 0049)
    org = credential.organization

    def link(target: str, direct: str) -> str:
        return f"{base}/d/{token}/go/{target}" if token else direct

    linkedin = share.linkedin_url(credential)
    links = {
        "page": link("page", credential.uri),
        "linkedin": link("linkedin", linkedin),
        "pdf": link("pdf", f"{credential.uri}.pdf"),
        "png": link("png", f"{credential.uri}.png"),
        "json": link("json", f"{credential.uri}.json"),
        "portal": link("portal", f"{base}/me/login"),
        # the holder's OpenID4VCI offer (decision 0053): signing in first, so not a tracked redirect
        "wallet": f"{base}/me/c/{credential.public_id}/wallet",
    }
    context = {
        "credential": credential,
        "org": org,
        **brand_context(org),  # brand, on_brand (readable on it), brand_link, logo_url
        "body_html": _paragraphs_html(fill(body, values)),
        "body_text": fill(body, values),
        "links": links,
        # the text version shows the permanent links themselves: people copy them
        "direct": {
            "page": credential.uri,
            "linkedin": linkedin,
            "pdf": f"{credential.uri}.pdf",
            "png": f"{credential.uri}.png",
            "json": f"{credential.uri}.json",
            "portal": links["portal"],
            "wallet": links["wallet"],
        },
        "pixel": f"{base}/d/{token}/open.gif" if token else "",
    }
    return Message(
        subject=" ".join(fill(subject, values).split())[:250],
        text=render_to_string("delivery/email.txt", context),
        html=render_to_string("delivery/email.html", context),
    )
