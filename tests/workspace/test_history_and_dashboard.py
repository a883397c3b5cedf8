"""A credential's history stays short however often it is viewed; the dashboard counts expired credentials
apart from active ones; the settings page is called Settings and picks the brand colour with a picker."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credstack.credentials import actions
from credstack.credentials.models import CredentialEvent


def _history(html: str) -> tuple[list[str], list[str]]:
    """(the summary lines, the "What" cell of each row) of the History card."""
    card = html[html.index('id="history"') :]
    summary = re.findall(r"<li>(.*?)</li>", card.split("</ul>")[0], re.S) if "engagement" in card else []
    whats = re.findall(r'data-label="What">([^<]*)<', card)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", s)).strip() for s in summary], whats


def test_history_sums_views_and_downloads_but_lists_every_change(signed_in, org, issue):
    admin = signed_in("admin")
    cred = issue()
    visitor = Client(HTTP_USER_AGENT="Mozilla/5.0 (Phone)")
    for _ in range(12):
        assert visitor.get(f"/c/{cred.public_id}").status_code == 200
    for _ in range(2):
        assert visitor.get(f"/c/{cred.public_id}.json").status_code == 200
    CredentialEvent.objects.create(credential=cred, kind="downloaded", note="pdf")
    CredentialEvent.objects.create(credential=cred, kind="shared", note="email")
    actions.suspend_credential(cred, reason="checking the transcript", actor=admin.user)
    actions.reinstate_credential(cred, reason="transcript fine", actor=admin.user)
    actions.change_expiry(cred, valid_until=timezone.now() + timedelta(days=365), actor=admin.user)

    html = admin.get(f"/w/{org.slug}/credentials/{cred.public_id}/").content.decode()
    summary, whats = _history(html)

    # one line a kind of engagement, with how many times, of what kind and when
    assert [s.split(" time")[0] for s in summary] == [
        "Public page viewed 12",
        "Downloaded 3",
        "Shared by the recipient 1",
    ]
    assert "JSON 2 · PDF 1" in summary[1] and "first " in summary[0] and " last " in summary[0]
    assert summary[2].startswith("Shared by the recipient 1 time by email 1 on ")  # once: one date
    # every change is its own row, newest first, and no view or download is
    assert whats == ["Expiry changed", "Reinstated", "Suspended", "Issued"]
    assert "checking the transcript" in html and "Viewed" not in whats


def test_history_costs_the_same_queries_for_3_or_300_views(signed_in, org, issue):
    admin = signed_in("viewer")
    quiet, busy = issue("Quiet Person", "quiet@example.org"), issue("Busy Person", "busy@example.org")
    for cred, n in ((quiet, 3), (busy, 300)):
        CredentialEvent.objects.bulk_create(
            [CredentialEvent(credential=cred, kind="viewed") for _ in range(n)]
            + [CredentialEvent(credential=cred, kind="verified", note="valid") for _ in range(n // 3)]
        )
    admin.get(f"/w/{org.slug}/credentials/{quiet.public_id}/")  # warm the session and site caches
    counts = {}
    for cred in (quiet, busy):
        with CaptureQueriesContext(connection) as queries:
            r = admin.get(f"/w/{org.slug}/credentials/{cred.public_id}/")
        counts[cred.recipient_name] = len(queries)
        summary, whats = _history(r.content.decode())
        assert whats == ["Issued"] and len(summary) == 2
    assert counts["Busy Person"] == counts["Quiet Person"] <= 12, counts
    assert "300 times" in r.content.decode() and "Valid credential 100" in r.content.decode()


def test_history_of_a_much_changed_credential_shows_the_latest_changes(
    signed_in, org, issue, django_assert_max_num_queries
):
    from credstack.workspace.queries import HISTORY_ROWS

    admin = signed_in("viewer")
    cred = issue()
    CredentialEvent.objects.bulk_create(
        [
            CredentialEvent(credential=cred, kind="delivered", note=f"resend email {i}")
            for i in range(HISTORY_ROWS + 5)
        ]
    )
    with django_assert_max_num_queries(12):
        html = admin.get(f"/w/{org.slug}/credentials/{cred.public_id}/").content.decode()
    assert len(_history(html)[1]) == HISTORY_ROWS
    assert f"The latest {HISTORY_ROWS} changes are shown" in html


def _stat(html: str, label: str) -> int:
    return int(re.search(rf"<b>(\d+)</b><span>{label}</span>", html).group(1))


def test_dashboard_counts_expired_credentials_apart_from_active(signed_in, org, issue):
    viewer = signed_in("viewer")
    issue("Current One", "one@example.org")
    issue("Current Two", "two@example.org", valid_until=timezone.now() + timedelta(days=30))
    issue("Lapsed Person", "old@example.org", valid_until=timezone.now() - timedelta(days=3))
    actions.revoke_credential(issue("Gone Person", "gone@example.org"), reason="duplicate")
    actions.suspend_credential(issue("Paused Person", "paused@example.org"), reason="audit")

    html = viewer.get(f"/w/{org.slug}/").content.decode()
    counts = {k: _stat(html, k) for k in ("credentials", "active", "expired", "revoked", "suspended")}
    assert counts == {"credentials": 5, "active": 2, "expired": 1, "revoked": 1, "suspended": 1}
    # the same credential is called expired in the recent list
    row = re.search(r"Lapsed Person.*?</tr>", html, re.S).group(0)
    assert "pill-expired" in row


def test_settings_page_is_called_settings_and_picks_the_brand_colour(signed_in, org):
    admin = signed_in("admin")
    html = admin.get(f"/w/{org.slug}/settings").content.decode()
    assert "<h1>Settings</h1>" in html and "Organization profile" not in html
    assert re.search(r'aria-current="page">Settings<', html)  # the menu item of the page it is on
    # a colour picker showing the current colour, beside its hex code (what the form sends)
    assert re.search(rf'<input type="color" value="{org.brand_color.lower()}"', html)
    text_box = re.search(r'<input type="text" name="brand_color"[^>]*>', html).group(0)
    assert f'value="{org.brand_color}"' in text_box and 'pattern="#[0-9a-fA-F]{6}"' in text_box
    assert 'id="id_brand_color"' in text_box and '<label for="id_brand_color">Brand colour</label>' in html

    base = {"name": org.name, "url": "", "email": ""}
    r = admin.post(f"/w/{org.slug}/settings", {**base, "brand_color": "#12ab"})
    assert "use a colour like #1d3f6e" in r.content.decode()
    # the typed (invalid) code stays in the box to be corrected; the picker cannot show it
    assert (
        'value="#12ab"' in r.content.decode() and '<input type="color" value="#000000"' in r.content.decode()
    )
    r = admin.post(f"/w/{org.slug}/settings", {**base, "brand_color": " #12AB9F "}, follow=True)
    assert "Settings saved" in r.content.decode()
    org.refresh_from_db()
    assert org.brand_color == "#12ab9f"


def test_the_notes_credstack_wrote_are_read_in_the_users_language(signed_in, org, issue):
    """Issue 17: the history keeps its notes as written (English, codes, addresses); the workspace of a
    German user reads credstack's own notes in German, and a reason a person typed as it was typed."""
    from credstack.accounts.actions import set_language  # the Language page's action
    from credstack.organizations.actors import Actor  # (the same)

    admin = signed_in("admin")
    set_language(admin.user, "de", Actor.for_user(admin.user))
    cred = issue()
    CredentialEvent.objects.filter(credential=cred, kind="issued").update(note="via bulk")
    CredentialEvent.objects.create(
        credential=cred, kind="delivered", note="issued email to ada@example.org (attempt 2)"
    )
    CredentialEvent.objects.create(credential=cred, kind="shared", note="email")
    actions.change_expiry(cred, valid_until=None, note="Vertrag verlängert", actor=admin.user)
    actions.suspend_credential(cred, reason="checking the transcript", actor=admin.user)
    notes = list(CredentialEvent.objects.filter(credential=cred).values_list("note", flat=True))
    html = admin.get(f"/w/{org.slug}/credentials/{cred.public_id}/").content.decode()
    card = html[html.index('id="history"') :]
    cells = [c.strip() for c in re.findall(r'data-label="Notiz">([^<]*)<', card)]
    assert cells == [
        "checking the transcript",  # typed by a person: as typed
        f"{notes[-2].split(' -> ')[0].replace('never', 'nie')} → nie: Vertrag verlängert",
        "Nachweis-E-Mail an ada@example.org (Versuch 2)",
        "aus einer Sammelausstellung",
    ]
    assert "per E-Mail 1" in card
    # the rows themselves are unchanged
    assert list(CredentialEvent.objects.filter(credential=cred).values_list("note", flat=True)) == notes
    assert "via bulk" in notes
