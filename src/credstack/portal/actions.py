"""Every write of the recipient portal: one-time codes, sign-in, emails, visibility, deletion."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credstack import ratelimit
from credstack.credentials import actions as credential_actions
from credstack.credentials.models import Credential, CredentialEvent
from credstack.credentials.validation import clean_email
from credstack.delivery.models import Delivery
from credstack.organizations import audit, languages
from credstack.organizations.actors import Actor
from credstack.organizations.brand import brand_context, sender

from .models import Account, AccountEmail, LoginCode, Portfolio
from .queries import credentials_for
from .signals import account_email_added, account_email_removed, account_erasing, account_merged

log = logging.getLogger(__name__)

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
        message = EmailMultiAlternatives(
            subject=_("%(code)s is your %(brand)s sign-in code")
            % {"code": code, "brand": context["brand_name"]},
            body=render_to_string("portal/email/code.txt", context),
            from_email=sender(org),
            to=[clean_email(email, "email")],
        )
        message.attach_alternative(render_to_string("portal/email/code.html", context), "text/html")
    message.send()
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


def sign_in(email: str, code: str, *, ip: str | None = None) -> Account:
    """Check the code and return the address's account, creating it on first sign-in."""
    row = check_code(email, code, ip=ip)
    with transaction.atomic():
        account = account_for_email(row.email, verified_by=AccountEmail.VerifiedBy.CODE)
        account.last_login_at = timezone.now()
        account.save(update_fields=["last_login_at"])
    return account


def account_for_email(email: str, *, verified_by: str) -> Account:
    """The account holding the address, created (with the address) when there is none. The caller has
    proven the address: by a code (``code``), or an LMS vouches for it (``lti``). A code upgrades an address
    an LMS vouched for."""
    normalized = normalize(email)
    now = timezone.now()
    with transaction.atomic():
        existing = AccountEmail.objects.select_related("account").filter(normalized=normalized).first()
        if existing:
            stronger = (AccountEmail.VerifiedBy.CODE, AccountEmail.VerifiedBy.SSO)
            if verified_by in stronger and existing.verified_by == AccountEmail.VerifiedBy.LTI:
                AccountEmail.objects.filter(pk=existing.pk).update(verified_by=verified_by, verified_at=now)
            return existing.account
        account = Account.objects.create()
        try:
            with transaction.atomic():
                AccountEmail.objects.create(
                    account=account,
                    email=clean_email(email, "email"),
                    normalized=normalized,
                    verified_at=now,
                    verified_by=verified_by,
                )
        except IntegrityError:  # the same address signed in twice at once
            account.delete()
            account = AccountEmail.objects.get(normalized=normalized).account
    return account


def add_email(account: Account, email: str, code: str, *, ip: str | None = None) -> AccountEmail:
    """Verify another address for the account. If it belongs to another account, that account's
    addresses move over (the portfolios merge) and it is removed."""
    row = check_code(email, code, purpose=LoginCode.Purpose.ADD_EMAIL, ip=ip)
    if row.account_id != account.pk:
        raise CodeError(_("This code was sent for another account."))
    code = AccountEmail.VerifiedBy.CODE
    with transaction.atomic():
        other = AccountEmail.objects.filter(normalized=row.normalized_email).first()
        if other and other.verified_by != code:  # a code proves more than an LMS launch did
            AccountEmail.objects.filter(pk=other.pk).update(verified_by=code, verified_at=timezone.now())
        if other and other.account_id == account.pk:
            return other
        if other:
            merged = other.account
            moved = list(AccountEmail.objects.filter(account=merged).values_list("normalized", flat=True))
            AccountEmail.objects.filter(account=merged).update(account=account)
            # the course player merges the two learners' progress (decision 0023)
            account_merged.send(sender=Account, source=merged, target=account, moved_emails=moved)
            if not Portfolio.objects.filter(account=account).exists():  # its public portfolio comes along
                Portfolio.objects.filter(account=merged).update(account=account)
            merged.delete()
            return AccountEmail.objects.get(normalized=row.normalized_email)
        added = AccountEmail.objects.create(
            account=account, email=row.email, normalized=row.normalized_email, verified_at=timezone.now()
        )
        # course progress kept under the new address (e.g. an invitation) joins the account
        account_email_added.send(sender=Account, account=account, normalized_email=added.normalized)
        return added


@transaction.atomic
def remove_email(account: Account, email_id: int) -> None:
    emails = list(account.emails.all())
    if len(emails) <= 1:
        raise ValidationError({"email": _("is the account's only address; delete the account instead")})
    removed = next((e for e in emails if e.pk == email_id), None)
    if removed is None:
        return
    removed.delete()
    # the course player stops sending credentials of later courses to the removed address
    account_email_removed.send(sender=Account, account=account, normalized_email=removed.normalized)


def account_credentials(account: Account):
    return credentials_for(account)


def holder(account: Account) -> Actor:
    """The holder of a portal account, as the issuing organization's audit log names them."""
    return Actor.system(f"the recipient (learner portal account {account.public_id})")


def set_visibility(account: Account, credential: Credential, public: bool) -> Credential:
    """Public: anyone with the link sees the page; private: strangers see nothing personal."""
    return credential_actions.set_visibility(credential, public, actor=holder(account))


SHARE_CHANNELS = ("linkedin", "email", "copy")


def record_share(account: Account, credential: Credential, channel: str) -> CredentialEvent:
    """The learner shared their credential (LinkedIn, an email, a copied link): kept in its history.

    ``credential`` must be one of ``account``'s (the portal checks that before calling)."""
    if channel not in SHARE_CHANNELS:
        raise ValueError(f"unknown share channel {channel!r}; use one of {SHARE_CHANNELS}")
    if channel == "linkedin":
        return CredentialEvent.objects.create(credential=credential, kind=CredentialEvent.Kind.LINKEDIN)
    return CredentialEvent.objects.create(
        credential=credential, kind=CredentialEvent.Kind.SHARED, note=channel
    )


@transaction.atomic
def delete_account(account: Account) -> int:
    """Erase the account: its addresses, codes and sessions go; its credentials become private (their pages
    show nothing personal) and the addresses in delivery records are erased. The signed credentials and the
    status lists stay, so every credential keeps verifying. Returns how many credentials were made private."""

    normalized = list(account.emails.values_list("normalized", flat=True))
    # the course player deletes the learner's progress (decision 0023); credentials stay (0017)
    account_erasing.send(sender=Account, account=account, normalized_emails=normalized)
    creds = Credential.objects.annotate(email_l=Lower("recipient_email")).filter(email_l__in=normalized)
    n = credential_actions.make_private(
        creds, actor=holder(account), why="the recipient deleted their portal account"
    )
    Delivery.objects.annotate(to_l=Lower("to")).filter(to_l__in=normalized).update(to="")
    LoginCode.objects.filter(normalized_email__in=normalized).delete()
    account.delete()
    log.info("portal account deleted (%d credentials made private)", n)
    return n


# --- the public portfolio (``/p/<slug>``) ---------------------------------------------------------------

PORTFOLIO_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MIN, SLUG_MAX = 3, 40
MAX_PORTFOLIO_CREDENTIALS = 50
# addresses a portfolio may not take: words of the site's own pages and ones that would pass for them
RESERVED_SLUGS = frozenset(
    """about account accounts admin api app assets auth badge badges c clr credential credentials credstack
    dashboard did docs edit embed help home learn login logout me new null official p portfolio portfolios
    privacy qr root security settings signin signup static status support system terms undefined verify
    w well-known www""".split()
)


def clean_portfolio_slug(slug: str) -> str:
    """The address a learner asked for, lower-cased, or a ValidationError saying what is wrong with it."""
    value = (slug or "").strip().lower()
    if not value:
        raise ValidationError({"slug": _("Choose an address for your portfolio.")})
    if not SLUG_MIN <= len(value) <= SLUG_MAX:
        raise ValidationError(
            {
                "slug": _("The address must be %(min)s to %(max)s characters long.")
                % {"min": SLUG_MIN, "max": SLUG_MAX}
            }
        )
    if not PORTFOLIO_SLUG.match(value):
        raise ValidationError(
            {
                "slug": _(
                    "Use only letters a–z, digits and single hyphens between them (no spaces, accents or "
                    "other signs)."
                )
            }
        )
    if value in RESERVED_SLUGS:
        raise ValidationError(
            {"slug": _("“%(address)s” is reserved: choose another address.") % {"address": value}}
        )
    return value


def save_portfolio(
    account: Account, *, slug: str, title: str = "", headline: str = "", credential_ids=()
) -> Portfolio:
    """Create or change the account's portfolio: its address, heading and the credentials it shows. Only the
    account's own public credentials can be picked; any other id is refused and nothing changes. Saving
    does not publish (a new portfolio is private)."""
    errors: dict[str, str] = {}
    try:
        slug = clean_portfolio_slug(slug)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    title, headline = (title or "").strip(), (headline or "").strip()
    if len(title) > 120:
        errors["title"] = _("The name is longer than 120 characters.")
    if len(headline) > 200:
        errors["headline"] = _("The headline is longer than 200 characters.")
    ids = list(dict.fromkeys(str(i) for i in credential_ids))
    if len(ids) > MAX_PORTFOLIO_CREDENTIALS:
        errors["credentials"] = f"A portfolio shows at most {MAX_PORTFOLIO_CREDENTIALS} credentials."
    own = {c.public_id: c for c in credentials_for(account).filter(public_id__in=ids)}
    strangers = [i for i in ids if i not in own]
    if strangers:
        errors["credentials"] = f"{strangers[0]} is not one of your credentials."
    elif private := [c for c in own.values() if not c.is_public]:
        errors["credentials"] = (
            f"“{private[0].achievement.name}” is private: make it public first to show it in your portfolio."
        )
    if "slug" not in errors and Portfolio.objects.filter(slug=slug).exclude(account=account).exists():
        errors["slug"] = f"“{slug}” is taken: choose another address."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        portfolio = Portfolio.objects.select_for_update().filter(account=account).first()
        old_slug = portfolio.slug if portfolio else ""
        try:
            with transaction.atomic():
                if portfolio is None:
                    portfolio = Portfolio.objects.create(
                        account=account, slug=slug, title=title, headline=headline
                    )
                else:
                    portfolio.slug, portfolio.title, portfolio.headline = slug, title, headline
                    portfolio.save(update_fields=["slug", "title", "headline", "updated_at"])
        except IntegrityError:  # another learner took the address a moment ago
            raise ValidationError(
                {"slug": _("“%(address)s” is taken: choose another address.") % {"address": slug}}
            ) from None
        portfolio.credentials.set([own[i] for i in ids])
        detail = f"{len(ids)} credential{'s' if len(ids) != 1 else ''}"
        if old_slug and old_slug != slug:
            detail += f"; address changed from /p/{old_slug}"
        audit.record(None, holder(account), "portfolio.saved", f"portfolio /p/{slug}", detail)
    return portfolio


def publish_portfolio(account: Account) -> Portfolio:
    """Share the portfolio: ``/p/<slug>`` shows it to anyone. Needs at least one credential picked."""
    with transaction.atomic():
        portfolio = Portfolio.objects.select_for_update().filter(account=account).first()
        if portfolio is None:
            raise ValidationError({"slug": _("Choose an address and save your portfolio first.")})
        if not portfolio.credentials.exists():
            raise ValidationError(
                {"credentials": _("Pick at least one credential to publish your portfolio.")}
            )
        if not portfolio.published:
            portfolio.published, portfolio.published_at = True, timezone.now()
            portfolio.save(update_fields=["published", "published_at", "updated_at"])
            audit.record(None, holder(account), "portfolio.published", f"portfolio /p/{portfolio.slug}")
    return portfolio


def withdraw_portfolio(account: Account) -> Portfolio | None:
    """Stop sharing: ``/p/<slug>`` says the portfolio is no longer shared. The address stays the learner's."""
    with transaction.atomic():
        portfolio = Portfolio.objects.select_for_update().filter(account=account).first()
        if portfolio is not None and portfolio.published:
            portfolio.published, portfolio.withdrawn_at = False, timezone.now()
            portfolio.save(update_fields=["published", "withdrawn_at", "updated_at"])
            audit.record(None, holder(account), "portfolio.withdrawn", f"portfolio /p/{portfolio.slug}")
    return portfolio
