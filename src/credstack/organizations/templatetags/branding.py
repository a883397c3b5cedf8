"""``{% page_brand as b %}``: the brand of the organization a learner or verifier page is about.

The base page template (``web/base.html``) calls it once; the organization is found in the page's own
context, so a view only has to pass what it already passes (``org``, or a ``course``, ``credential`` or
``achievement`` of the organization). A page of no organization gets the platform's look."""

from __future__ import annotations

from django import template

from credstack.organizations.brand import brand_context
from credstack.organizations.models import Organization

register = template.Library()

# where pages keep their organization, in the order looked at
_HOLDERS = ("course", "credential", "achievement", "enrolment", "pathway")


def page_organization(context) -> Organization | None:
    for key in ("brand_org", "org", "organization"):
        value = context.get(key)
        if isinstance(value, Organization):
            return value
    for key in _HOLDERS:
        value = getattr(context.get(key), "organization", None)
        if isinstance(value, Organization):
            return value
    # a page of no organization (the verifier) on an organization's own domain wears its brand
    site_org = getattr(context.get("request"), "site_org", None)
    return site_org if isinstance(site_org, Organization) else None


@register.simple_tag(takes_context=True)
def page_brand(context) -> dict:
    org = page_organization(context)
    brand = brand_context(org)
    brand["org"] = org
    brand["home"] = (org.url or "/") if org is not None else "/"
    return brand
