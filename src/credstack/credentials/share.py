"""Share links for a credential: LinkedIn's "Add to profile" (certification) form pre-filled, a LinkedIn
post, an email, and the verifier with the credential's URL. Built in one place for the public page, the
issue email and the learner portal."""

from __future__ import annotations

from html import escape
from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
LINKEDIN_SHARE = "https://www.linkedin.com/sharing/share-offsite/"
X_SHARE = "https://twitter.com/intent/tweet"  # X still answers at twitter.com/intent
FACEBOOK_SHARE = "https://www.facebook.com/sharer/sharer.php"


def linkedin_url(credential) -> str:
    """LinkedIn's Add-to-profile link, prefilled: name, organization, issue and expiry month, URL and id."""
    params: dict[str, object] = {
        "startTask": "CERTIFICATION_NAME",
        "name": credential.achievement.name,
        "organizationName": credential.organization.name,
        "issueYear": credential.issued_at.year,
        "issueMonth": credential.issued_at.month,
    }
    if credential.valid_until:
        params["expirationYear"] = credential.valid_until.year
        params["expirationMonth"] = credential.valid_until.month
    params["certUrl"] = credential.uri
    params["certId"] = credential.public_id
    return f"{LINKEDIN_ADD}?{urlencode(params, quote_via=quote)}"


def linkedin_share_url(credential) -> str:
    """A LinkedIn post with the credential's page (LinkedIn reads its title and image from the page)."""
    return f"{LINKEDIN_SHARE}?{urlencode({'url': credential.uri}, quote_via=quote)}"


def email_url(credential) -> str:
    # in the language of the page the learner shares from
    subject = _("My credential: %(achievement)s") % {"achievement": credential.achievement.name}
    body = _("%(org)s awarded me %(achievement)s. You can check it is genuine here: %(url)s") % {
        "org": credential.organization.name,
        "achievement": credential.achievement.name,
        "url": credential.uri,
    }
    return f"mailto:?{urlencode({'subject': subject, 'body': body}, quote_via=quote)}"


def verify_url(credential) -> str:
    """The verifier, asked to check this credential's URL (a path: it is on this deployment)."""
    return f"/verify?{urlencode({'url': credential.uri}, quote_via=quote)}"


def x_url(credential) -> str:
    """A post on X with the credential's page (plain link: no script of X's on our page)."""
    text = _("I earned %(achievement)s from %(org)s.") % {
        "achievement": credential.achievement.name,
        "org": credential.organization.name,
    }
    return f"{X_SHARE}?{urlencode({'text': text, 'url': credential.uri}, quote_via=quote)}"


def facebook_url(credential) -> str:
    """Facebook's share dialog for the credential's page (it reads the page's OpenGraph card)."""
    return f"{FACEBOOK_SHARE}?{urlencode({'u': credential.uri}, quote_via=quote)}"


def embed_html(credential) -> str:
    """An HTML snippet for a web page: the badge, linking back to the credential's page (where anyone
    checks it). No script and no iframe: it works on any site, and shows nothing of ours but the image."""
    # the words in the language of the page it is copied from; every value escaped once, with the words
    name, org, holder = credential.achievement.name, credential.organization.name, credential.recipient_name
    title = escape(_("%(achievement)s: verify this credential") % {"achievement": name})
    alt = escape(
        _("%(achievement)s, awarded to %(holder)s by %(org)s")
        % {"achievement": name, "holder": holder, "org": org}
    )
    return (
        f'<a href="{escape(credential.uri)}" title="{title}">'
        f'<img src="{escape(credential.uri)}.png" width="120" height="120" alt="{alt}"></a>'
    )


# states whose page offers the files and the share buttons: a revoked, suspended, replaced or tampered
# credential shows its state and nothing to pass on
OFFERED_STATES = ("valid", "expired", "not-yet-valid", "unverified")


def page_actions(credential, state: str, visible: bool) -> dict | None:
    """The actions row of the credential page and of the course completion page, or None when it has none. A
    private credential (seen by its holder or its issuer) gets its downloads but no share buttons: strangers
    would find nothing there."""
    if not visible or state not in OFFERED_STATES:
        return None
    shared = credential.is_public
    return {
        "pdf": f"{credential.uri}.pdf",
        "badge": f"{credential.uri}.png?download=1",
        "verify": verify_url(credential),
        # the holder's OpenID4VCI offer (the wallets app; it asks the holder to sign in first)
        "wallet": f"/me/c/{credential.public_id}/wallet" if state == "valid" else "",
        "linkedin_add": linkedin_url(credential) if shared else "",
        "linkedin_post": linkedin_share_url(credential) if shared else "",
        "email": email_url(credential) if shared else "",
        "x": x_url(credential) if shared else "",
        "facebook": facebook_url(credential) if shared else "",
        "embed": embed_html(credential) if shared else "",
    }
