"""Share links: LinkedIn "Add to profile" (certification), email."""

from __future__ import annotations

from urllib.parse import quote, urlencode

LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def linkedin_url(credential) -> str:
    """LinkedIn's Add-to-profile link, prefilled: name, organization, issue and expiry month, URL and id."""
    params = {
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


def email_url(credential) -> str:
    subject = f"My credential: {credential.achievement.name}"
    body = (
        f"{credential.organization.name} awarded me {credential.achievement.name}. "
        f"You can check it is genuine here: {credential.uri}"
    )
    return f"mailto:?{urlencode({'subject': subject, 'body': body}, quote_via=quote)}"
