from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.workspace.queries import PAGE_SIZE


def test_keyset_pages_cover_everything_once_in_order(signed_in, org, issue):
    for i in range(PAGE_SIZE + 7):
        issue(name=f"Person {i:03}", email=f"p{i}@example.org")
    now = timezone.now()
    Credential.objects.update(issued_at=now)  # same timestamp: the id breaks the tie
    client = signed_in("viewer")
    seen, url = [], f"/w/{org.slug}/credentials/"
    while url:
        page = client.get(url).context["page"]
        seen += [c.public_id for c in page.items]
        url = f"/w/{org.slug}/credentials/?after={page.next_cursor}" if page.next_cursor else None
    assert len(seen) == len(set(seen)) == PAGE_SIZE + 7
    assert seen == list(Credential.objects.order_by("-issued_at", "-id").values_list("public_id", flat=True))


def test_search_and_filters(signed_in, org, issue, achievement):
    a = issue(name="Ada Lovelace", email="ada@example.org")
    b = issue(name="Грейс Хоппер", email="grace@Example.ORG")
    issue(name="Alan Turing", email="alan@example.org")
    from credstack.credentials.actions import revoke_credential

    revoke_credential(b, reason="x")
    Credential.objects.filter(pk=a.pk).update(issued_at=timezone.now() - timedelta(days=40))
    client = signed_in("viewer")
    base = f"/w/{org.slug}/credentials/"

    def names(**q):
        return {c.recipient_name for c in client.get(base, q).context["page"].items}

    assert names(q="lovelace") == {"Ada Lovelace"}
    assert names(q="хоппер") == {"Грейс Хоппер"} or names(q="Хоппер") == {"Грейс Хоппер"}
    assert names(q="grace@example.org") == {"Грейс Хоппер"}
    assert names(q=a.public_id) == {"Ada Lovelace"}
    assert names(q=a.uri) == {"Ada Lovelace"}
    assert names(state="revoked") == {"Грейс Хоппер"}
    assert names(achievement=achievement.public_id) == {"Ada Lovelace", "Грейс Хоппер", "Alan Turing"}
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    assert names(**{"from": since}) == {"Грейс Хоппер", "Alan Turing"}
    first = next(iter(client.get(base, {"sort": "name"}).context["page"].items))
    assert first.recipient_name == "Ada Lovelace"
    partial = client.get(base, {"q": "alan"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Alan Turing" in partial


def test_bulk_select_revoke_needs_a_reason_and_skips_wrong_states(signed_in, org, issue):
    a, b = issue(email="a@example.org"), issue(email="b@example.org")
    client = signed_in("issuer")
    url = f"/w/{org.slug}/credentials/bulk-action"
    r = client.post(url, {"action": "revoke", "ids": [a.public_id, b.public_id], "reason": ""}, follow=True)
    assert "A reason is required to revoke." in r.content.decode()
    assert Credential.objects.filter(state="revoked").count() == 0
    client.post(url, {"action": "revoke", "ids": [a.public_id], "reason": "fraud", "confirmed": "1"})
    r = client.post(
        url, {"action": "suspend", "ids": [a.public_id, b.public_id], "confirmed": "1"}, follow=True
    )
    assert "Suspend: 1 credential(s). 1 skipped" in r.content.decode()


def test_emails_wrap_at_their_joints_not_mid_word(signed_in, issue):
    """Issue 14: at 1,280 px the credentials table broke emails in the middle of a word."""
    issue(name="Long Address", email="bartholomew.featherstonehaugh@continuing-education.example.org")
    issue(name="Apostrophe", email="o'brien@example.org")
    page = signed_in("viewer").get("/w/acme/credentials/").text
    assert "bartholomew<wbr>.featherstonehaugh@<wbr>continuing-education<wbr>.example<wbr>.org" in page
    assert "o&#x27;brien@<wbr>example<wbr>.org" in page


def test_the_holder_whose_name_is_the_search_comes_first_once(signed_in, org, issue, other_org):
    """Searching "Lernende 42" among "Lernende 1" to "Lernende 500" (newest first) shows Lernende 42 first,
    marked as the exact match, though 420 to 429 and 4 of the others are newer; paging on never shows it
    again. Case and accents do not count; a name held by more than ten people is not put first."""
    now = timezone.now()
    made = {}
    for i in range(1, PAGE_SIZE + 40):
        made[i] = issue(name=f"Lernende {i * 10 if i > 42 else i}", email=f"l{i}@example.org")
    extra = [issue(name=f"Lernende 42{d}", email=f"x{d}@example.org") for d in range(10)]
    Credential.objects.update(issued_at=now)
    Credential.objects.filter(pk=made[42].pk).update(issued_at=now - timedelta(days=3))  # the oldest
    twin = issue(name="LERNENDE 42", email="twin@example.org")  # the same name, other case: exact too
    client = signed_in("viewer")
    base = f"/w/{org.slug}/credentials/"

    page = client.get(base, {"q": "Lernende 42"}).context["page"]
    assert [c.recipient_name for c in page.items[:2]] == ["LERNENDE 42", "Lernende 42"]
    assert page.exact == {made[42].pk, twin.pk}
    rest = {c.recipient_name for c in page.items[2:]}
    assert {c.recipient_name for c in extra} <= rest and "Lernende 42" not in rest
    html = client.get(base, {"q": "lernende 42"}).content.decode()
    assert html.count('class="pill pill-exact"') == 2

    # the rows shown first are not shown again on the next pages
    seen, params = [], {"q": "Lernende 4"}
    while True:
        page = client.get(base, params).context["page"]
        seen += [c.public_id for c in page.items]
        if not page.next_cursor:
            break
        params = {"q": "Lernende 4", "after": page.next_cursor}
    assert len(seen) == len(set(seen))

    # accents and case: "Łukasz Żółć" is what "lukasz zolc" finds first
    accented = issue(name="Łukasz Żółć", email="lz@example.org")
    issue(name="Łukasz Żółćiński", email="lz2@example.org")
    page = client.get(base, {"q": "lukasz zolc"}).context["page"]
    assert page.items[0].pk == accented.pk and page.exact == {accented.pk}

    # only what the other filters keep, and a name too common to mean one person is not put first
    assert client.get(base, {"q": "Lernende 42", "state": "revoked"}).context["page"].exact == set()
    for n in range(11):
        issue(name="Common Name", email=f"c{n}@example.org")
    assert client.get(base, {"q": "Common Name"}).context["page"].exact == set()
    # an address, an id and another organization's holder are never "exact names"
    assert client.get(base, {"q": "l42@example.org"}).context["page"].exact == set()
    assert client.get(base, {"q": made[42].public_id}).context["page"].exact == set()
    issue(name="Only Elsewhere", email="e@example.org", achievement=other_org.achievements.get())
    assert client.get(base, {"q": "Only Elsewhere"}).context["page"].items == []
