"""Issue 14: the 90-day chart squeezed a young organization's activity into one spike at its right edge,
and the issuer's own looks at its credentials counted as views."""

from __future__ import annotations

from django.test import Client

from credstack.credentials.models import CredentialEvent


def views(credential) -> int:
    return CredentialEvent.objects.filter(credential=credential, kind="viewed").count()


def test_the_issuers_own_looks_are_not_views(signed_in, issue):
    credential = issue()
    member = signed_in("viewer")
    member.get(f"/c/{credential.public_id}")
    assert views(credential) == 0
    Client().get(f"/c/{credential.public_id}")  # a stranger
    assert views(credential) == 1


def test_a_young_organizations_chart_spans_its_life_not_90_days(signed_in, issue):
    issue()
    client = signed_in("viewer")
    page = client.get("/w/acme/analytics/")
    assert page.context["series"]["days"] == 14
    assert "Over the last 14 days" in page.text and '<option value="14" selected>' in page.text
    assert client.get("/w/acme/analytics/", {"days": "90"}).context["series"]["days"] == 90
