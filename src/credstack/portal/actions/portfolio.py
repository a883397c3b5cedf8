"""The public portfolio (``/p/<slug>``): its address checked, saved with the credentials it shows,
published and withdrawn."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.organizations import audit

from ..models import Account, Portfolio
from ..queries import credentials_for
from .sharing import holder

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
