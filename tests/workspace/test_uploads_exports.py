from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.ui.exports import csv_text, safe_cell
from credstack.ui.uploads import check_svg


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("@cmd", "'@cmd"),
        ("-2+3", "'-2+3"),
        ("-3", "-3"),
        ("\tx", "'\tx"),
        ("Ada", "Ada"),
        ("", ""),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_export_cells_never_start_a_formula(value, expected):
    assert safe_cell(value) == expected
    assert csv_text(["h"], [[value]]).splitlines()[1].strip('"') == expected.replace("\t", "\t")


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:alert(1)"><text>x</text></a></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://tracker.example/x.png"/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(http://x)</style></svg>',
    ],
)
def test_svgs_that_could_run_or_fetch_are_refused(svg):
    with pytest.raises(ValidationError):
        check_svg(svg)


def test_a_plain_svg_is_accepted():
    check_svg(
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4" fill="#123"/></svg>'
    )


def test_profile_logo_upload_rules(signed_in, org):
    client = signed_in("admin")
    base = {"name": "Acme Training", "brand_color": "#123456", "url": "", "email": ""}
    bad = b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>'
    r = client.post(f"/w/{org.slug}/settings", {**base, "logo": SimpleUploadedFile("logo.svg", bad)})
    assert "contains a &lt;script&gt; element; SVGs with scripts are refused" in r.content.decode()
    org.refresh_from_db()
    assert not org.logo and org.brand_color != "#123456"
    r = client.post(f"/w/{org.slug}/settings", {**base, "brand_color": "blue"})
    assert "use a colour like #1d3f6e" in r.content.decode()
    good = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    r = client.post(f"/w/{org.slug}/settings", {**base, "logo": SimpleUploadedFile("logo.svg", good)})
    assert r.status_code == 302
    org.refresh_from_db()
    assert org.brand_color == "#123456" and org.logo_url == f"http://testserver/orgs/{org.slug}/logo"
    assert org.profile()["image"] == org.logo_url
    logo = client.get(f"/orgs/{org.slug}/logo")
    assert logo["Content-Type"] == "image/svg+xml" and "sandbox" in logo["Content-Security-Policy"]


def test_audit_and_analytics_exports_escape_formulas(signed_in, org, issue):
    client = signed_in("issuer")
    c = issue(name='=HYPERLINK("http://x")')
    client.post(
        f"/w/{org.slug}/credentials/{c.public_id}/suspend", {"reason": "=cmd|' /C calc'!A0", "confirmed": "1"}
    )
    audit = client.get(f"/w/{org.slug}/audit.csv").content.decode()
    assert "'=cmd" in audit and ",=cmd" not in audit
    creds = client.get(f"/w/{org.slug}/credentials.csv").content.decode()
    assert "'=HYPERLINK" in creds
    analytics = client.get(f"/w/{org.slug}/analytics.csv").content.decode().splitlines()
    assert analytics[0].startswith("achievement,issued,delivered")
    assert analytics[1].startswith("Python Basics,1,")


def test_analytics_page_counts_events(signed_in, org, issue):
    from credstack.credentials.models import CredentialEvent

    a = issue()
    issue(email="b@example.org")
    CredentialEvent.objects.create(credential=a, kind="viewed")
    CredentialEvent.objects.create(credential=a, kind="viewed")
    CredentialEvent.objects.create(credential=a, kind="verified")
    page = signed_in("viewer").get(f"/w/{org.slug}/analytics/").content.decode()
    assert (
        "<polyline" in page
        and "Issued: 2" in page
        and "Viewed: 2" in page
        and "Verified by others: 1" in page
    )
