"""One-time codes: asked for (emailed, rate-limited per address and per client) and checked (wrong guesses
counted per code and per client). ``normalize`` is how every portal action reads an address."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credstack import ratelimit
from credstack.credentials.validation import clean_email
from credstack.organizations import languages
from credstack.organizations.brand import brand_context, sender

from ..models import Account, LoginCode

CODE_TTL = timedelta(minutes=10)
# Limits (decision 0030): none lends a stranger the power to lock a learner out.
# Wrong guesses: per address and client, the client waits; the code stays usable from anywhere else.
GUESSES_PER_CLIENT = ratelimit.Limit("code-guesses-per-address-and-client", 5, 600)
# A code takes this many wrong guesses in all (from every client) before it is used up.
MAX_ATTEMPTS = 10
# Codes asked per address: a window as long as a code lives, so a refusal always leaves the last code
# sent (still valid) in the inbox; the last LIVE_CODES codes all work (a new one cancels none).
CODES_PER_EMAIL = ratelimit.Limit("code-requests-per-address", 3, int(CODE_TTL.total_seconds()))
LIVE_CODES = 2
# Codes asked per client (any addresses): blocks that client only (see CREDSTACK_TRUSTED_PROXIES).
CODES_PER_CLIENT = ratelimit.Limit("code-requests-per-client", 30, 3600)


class CodeError(Exception):
    """A code request or a code that cannot be accepted; the message says why."""


def normalize(email: str) -> str:
    if isinstance(email, str) and len(email.strip()) > 254:
        raise ValidationError({"email": _("is longer than 254 characters")})
    return clean_email(email, "email").lower()


def _hash(normalized: str, code: str, purpose: str) -> str:
    key = hashlib.sha256(b"credstack portal codes v1:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, f"{purpose}:{normalized}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(
    email: str,
    *,
    purpose: str = LoginCode.Purpose.LOGIN,
    account: Account | None = None,
    ip: str | None = None,
    org=None,
) -> str:
    """Create a code and email it. Returns the normalized address. Raises ValidationError for a bad
    address and CodeError when rate-limited (per address, per client ``ip``: the message says when to
    ask again). Earlier codes keep working (the last ``LIVE_CODES``): asking for a code never cancels the
    one a learner is typing."""
    normalized = normalize(email)
    now = timezone.now()
    client = ratelimit.key_for_ip(ip)
    try:
        ratelimit.check(CODES_PER_CLIENT, client)
    except ratelimit.Limited as exc:
        raise CodeError(
            _("Too many codes were asked from your network in the last hour. Ask for a new one %(wait)s.")
            % {"wait": exc.wait}
        ) from None
    try:
        ratelimit.hit_all((CODES_PER_EMAIL, f"{purpose}:{normalized}"), (CODES_PER_CLIENT, client))
    except ratelimit.Limited as exc:
        still_valid = _live_codes(normalized, purpose, now).exists()
        if still_valid:
            message = _(
                "Too many codes were asked for this address in the last %(minutes)d minutes. The last code "
                "we sent still works, if you have it; or ask for a new one %(wait)s."
            )
        else:
            message = _(
                "Too many codes were asked for this address in the last %(minutes)d minutes. "
                "Ask for a new one %(wait)s."
            )
        raise CodeError(message % {"minutes": CODES_PER_EMAIL.seconds // 60, "wait": exc.wait}) from None
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        LoginCode.objects.create(
            normalized_email=normalized,
            email=clean_email(email, "email"),
            purpose=purpose,
            account=account,
            code_hash=_hash(normalized, code, purpose),
            expires_at=now + CODE_TTL,
            requested_ip=ip,
        )
    context = {
        "code": code,
        "minutes": int(CODE_TTL.total_seconds() // 60),
        "org": org,
        "purpose": purpose,
        **brand_context(org),  # the organization's name, colour and logo; credstack's without one
    }
    # in the organization's language, else the language of the page the code was asked from
    with translation.override(languages.for_email(org, fallback=translation.get_language())):
        mail = EmailMultiAlternatives(
            subject=_("%(code)s is your %(brand)s sign-in code")
            % {"code": code, "brand": context["brand_name"]},
            body=render_to_string("portal/email/code.txt", context),
            from_email=sender(org),
            to=[clean_email(email, "email")],
        )
        mail.attach_alternative(render_to_string("portal/email/code.html", context), "text/html")
    mail.send()
    return normalized


def _live_codes(normalized: str, purpose: str, now):
    """The codes that can still sign in: unused, unexpired, among the last LIVE_CODES asked."""
    newest = (
        LoginCode.objects.filter(normalized_email=normalized, purpose=purpose)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)[:LIVE_CODES]
    )
    return LoginCode.objects.filter(
        id__in=list(newest), used_at__isnull=True, expires_at__gt=now, attempts__lt=MAX_ATTEMPTS
    ).order_by("-created_at", "-id")


def check_code(
    email: str, code: str, *, purpose: str = LoginCode.Purpose.LOGIN, ip: str | None = None
) -> LoginCode:
    """Use up the code if it matches one of the address's live codes. Raises CodeError saying why not.

    Wrong guesses count per code (``MAX_ATTEMPTS`` in all use it up) and per address and client ``ip``
    (``GUESSES_PER_CLIENT``: that client waits, the code stays usable from anywhere else)."""
    normalized = normalize(email)
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = timezone.now()
    client = ratelimit.key_for_ip(ip)
    guesses_key = f"{purpose}:{normalized}|{client}" if client else None
    try:
        ratelimit.check(GUESSES_PER_CLIENT, guesses_key)
    except ratelimit.Limited as exc:
        raise CodeError(
            _(
                "Too many wrong codes for this address from your network: try again %(wait)s. "
                "The code we sent still works until it expires."
            )
            % {"wait": exc.wait}
        ) from None
    error = ""
    # the failure is recorded in the transaction and raised after it commits (raising inside would roll
    # back the attempt count)
    with transaction.atomic():
        live = list(_live_codes(normalized, purpose, now).select_for_update())
        expected = _hash(normalized, code, purpose) if len(code) == 6 else ""
        row = next((r for r in live if expected and hmac.compare_digest(r.code_hash, expected)), None)
        if row is not None:
            # signed in: this code and every other waiting one for the address are used
            LoginCode.objects.filter(
                normalized_email=normalized, purpose=purpose, used_at__isnull=True
            ).update(used_at=now)
        elif not live:
            waiting = LoginCode.objects.filter(
                normalized_email=normalized, purpose=purpose, used_at__isnull=True
            )
            if waiting.filter(expires_at__lte=now).exists():
                waiting.filter(expires_at__lte=now).update(used_at=now)
                error = _("This code has expired: ask for a new one.")
            elif LoginCode.objects.filter(
                normalized_email=normalized,
                purpose=purpose,
                attempts__gte=MAX_ATTEMPTS,
                used_at__gte=now - CODE_TTL,
            ).exists():
                error = _("Wrong code, too many times: ask for a new one.")
            else:
                error = _(
                    "There is no code waiting for this address (it expired or was already used): ask for a new one."
                )
        else:
            burned = False
            for r in live:
                r.attempts += 1
                fields = ["attempts"]
                if r.attempts >= MAX_ATTEMPTS:
                    r.used_at = now
                    fields.append("used_at")
                    burned = True
                r.save(update_fields=fields)
            left = min(MAX_ATTEMPTS - r.attempts for r in live)
            wait = ""
            if guesses_key:
                try:
                    ratelimit.hit(GUESSES_PER_CLIENT, guesses_key)
                    ratelimit.check(GUESSES_PER_CLIENT, guesses_key)
                except ratelimit.Limited as exc:
                    wait = exc.wait
                left = min(left, GUESSES_PER_CLIENT.amount - ratelimit.count(GUESSES_PER_CLIENT, guesses_key))
            if burned and all(r.used_at for r in live):
                error = _("Wrong code, too many times: ask for a new one.")
            elif wait:
                error = _(
                    "Wrong code, too many times from your network: try again %(wait)s. "
                    "The code we sent still works until it expires."
                ) % {"wait": wait}
            else:
                error = ngettext("Wrong code. %(n)d try left.", "Wrong code. %(n)d tries left.", left) % {
                    "n": left
                }
    if error:
        raise CodeError(error)
    assert row is not None
    return row
