"""Share links for a credential: LinkedIn's "Add to profile" (certification) form pre-filled, a LinkedIn
post, an email, and the verifier with the credential's URL. Built in one place for the public page, the
issue email and the learner portal."""

from __future__ import annotations

from urllib.parse import quote, urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
LINKEDIN_SHARE = "https://www.linkedin.com/sharing/share-offsite/"


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
    subject = f"My credential: {credential.achievement.name}"
    body = (
        f"{credential.organization.name} awarded me {credential.achievement.name}. "
        f"You can check it is genuine here: {credential.uri}"
    )
    return f"mailto:?{urlencode({'subject': subject, 'body': body}, quote_via=quote)}"


def verify_url(credential) -> str:
    """The verifier, asked to check this credential's URL (a path: it is on this deployment)."""
    return f"/verify?{urlencode({'url': credential.uri}, quote_via=quote)}"
