"""A small learner sign-in of its own: a one-time code sent to the email (see docs/decisions).

Swappable: views only use ``current_learner(request)``, ``login_url(next)`` and ``sign_in`` /
``sign_out``. When the portal's OTP login (issue 4) lands, these four can delegate to it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from credstack.credentials.validation import clean_email

from .models import Learner, LoginCode

SESSION_KEY = "credstack_learner_id"
CODE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
MAX_CODES_PER_HOUR = 5


class SignInError(Exception):
    pass


def _hash(email: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{email}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(email: str) -> None:
    """Email a 6-digit code. Rate-limited per address."""
    email = clean_email(email, "email").lower()
    now = timezone.now()
    if (
        LoginCode.objects.filter(email=email, created_at__gte=now - timedelta(hours=1)).count()
        >= MAX_CODES_PER_HOUR
    ):
        raise SignInError("Too many codes were sent to this address in the last hour. Try again later.")
    code = f"{secrets.randbelow(10**6):06d}"
    LoginCode.objects.create(email=email, code_hash=_hash(email, code), expires_at=now + CODE_TTL)
    send_mail(
        subject=f"Your sign-in code: {code}",
        message=(
            f"Your credstack sign-in code is {code}\n\n"
            f"It works once, for {int(CODE_TTL.total_seconds() // 60)} minutes. "
            "If you did not ask for it, ignore this email.\n"
        ),
        from_email=None,
        recipient_list=[email],
    )


def check_code(email: str, code: str) -> Learner:
    email = clean_email(email, "email").lower()
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    error = None
    with transaction.atomic():  # the wrong try is recorded even though we then refuse
        login = (
            LoginCode.objects.select_for_update()
            .filter(email=email, used_at__isnull=True, expires_at__gt=timezone.now())
            .order_by("-created_at")
            .first()
        )
        if login is None:
            error = "This code has expired or was already used. Ask for a new one."
        elif login.failed_tries >= MAX_TRIES:
            error = "Too many wrong codes. Ask for a new one."
        elif not hmac.compare_digest(login.code_hash, _hash(email, code)):
            login.failed_tries += 1
            login.save(update_fields=["failed_tries"])
            left = MAX_TRIES - login.failed_tries
            error = f"That code is not right. {left} tr{'ies' if left != 1 else 'y'} left."
        else:
            login.used_at = timezone.now()
            login.save(update_fields=["used_at"])
    if error:
        raise SignInError(error)
    from .actions import learner_for

    return learner_for(email)


def sign_in(request, learner: Learner) -> None:
    request.session.cycle_key()
    request.session[SESSION_KEY] = learner.pk


def sign_out(request) -> None:
    request.session.pop(SESSION_KEY, None)


def current_learner(request) -> Learner | None:
    pk = request.session.get(SESSION_KEY)
    return Learner.objects.filter(pk=pk).first() if pk else None


def login_url(next_url: str) -> str:
    return f"{reverse('learning:login')}?{urlencode({'next': next_url})}"
