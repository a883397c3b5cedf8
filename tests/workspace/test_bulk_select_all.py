"""Bulk actions on every credential matching the list's filter (all pages), with a confirmation."""

from __future__ import annotations

from credstack.credentials.models import Credential
from credstack.organizations.models import AuditEntry
from credstack.workspace.queries import PAGE_SIZE


def _post(client, org, **data):
    return client.post(f"/w/{org.slug}/credentials/bulk-action", data, follow=True)


def test_select_all_matching_confirms_the_count_then_acts_on_every_page(signed_in, org, issue, other_org):
    from credstack.credentials.actions import issue_credential

    for i in range(PAGE_SIZE + 5):
        issue(name=f"Cohort Seven {i:03}", email=f"c{i}@example.org")
    keep = issue(name="Someone Else", email="else@example.org")
    theirs = issue_credential(
        achievement=other_org.achievements.first(),
        recipient_name="Cohort Seven X",
        recipient_email="x@example.org",
    )
    client = signed_in("issuer")
    # the list carries the filter into the bulk form
    html = client.get(f"/w/{org.slug}/credentials/", {"q": "cohort seven"}).content.decode()
    assert 'name="all_matching"' in html and 'name="q" value="cohort seven"' in html

    r = _post(client, org, action="suspend", reason="audit", all_matching="1", q="cohort seven")
    page = r.content.decode()
    assert r.context["count"] == PAGE_SIZE + 5
    assert f"{PAGE_SIZE + 5}</b> credentials match the filter" in page and "search “cohort seven”" in page
    assert Credential.objects.filter(state="suspended").count() == 0  # nothing before confirming

    r = _post(
        client,
        org,
        action="suspend",
        reason="audit",
        all_matching="1",
        confirmed="1",
        cutoff=r.context["cutoff"],
        q="cohort seven",
    )
    assert f"Suspend: {PAGE_SIZE + 5} credential(s)." in r.content.decode()
    assert Credential.objects.filter(organization=org, state="suspended").count() == PAGE_SIZE + 5
    keep.refresh_from_db(), theirs.refresh_from_db()
    assert keep.state == "active" and theirs.state == "active"  # other filter, other tenant untouched
    assert AuditEntry.objects.filter(organization=org, action="credential.suspend").count() == PAGE_SIZE + 5


def test_credentials_issued_after_the_confirmation_page_are_not_included(signed_in, org, issue):
    issue(name="Early Bird", email="e@example.org")
    client = signed_in("issuer")
    r = _post(client, org, action="revoke", reason="course cancelled", all_matching="1", q="bird")
    assert r.context["count"] == 1
    late = issue(name="Late Bird", email="l@example.org")
    _post(
        client,
        org,
        action="revoke",
        reason="course cancelled",
        all_matching="1",
        confirmed="1",
        cutoff=r.context["cutoff"],
        q="bird",
    )
    late.refresh_from_db()
    assert late.state == "active"
    assert Credential.objects.get(recipient_name="Early Bird").state == "revoked"


def test_large_selections_run_as_a_task(signed_in, org, issue, settings, run_on_commit):
    settings.CREDSTACK_BULK_ACTION_SYNC_LIMIT = 3
    for i in range(5):
        issue(name=f"Bulk {i}", email=f"b{i}@example.org")
    client = signed_in("issuer")
    r = _post(client, org, action="revoke", reason="fraud ring", all_matching="1", q="bulk")
    assert r.context["background"] is True and "run in the background" in r.content.decode()
    with run_on_commit():
        r = _post(
            client,
            org,
            action="revoke",
            reason="fraud ring",
            all_matching="1",
            confirmed="1",
            cutoff=r.context["cutoff"],
            q="bulk",
        )
    assert "5 credential(s) are being processed in the background" in r.content.decode()
    assert Credential.objects.filter(state="revoked").count() == 5
    summary = AuditEntry.objects.get(organization=org, action="credentials.bulk_finished")
    assert summary.detail.startswith("revoke: 5 done, 0 skipped")


def test_select_all_needs_a_reason_to_revoke_a_valid_confirmation_and_a_match(signed_in, org, issue):
    issue(name="Ada Lovelace")
    client = signed_in("issuer")
    r = _post(client, org, action="revoke", reason="", all_matching="1")
    assert "A reason is required to revoke." in r.content.decode()
    r = _post(client, org, action="suspend", all_matching="1", q="nobody-like-this")
    assert "No credentials match the filter." in r.content.decode()
    r = _post(client, org, action="suspend", all_matching="1", confirmed="1", cutoff="yesterday-ish")
    assert "The confirmation expired or was damaged" in r.content.decode()
    r = _post(client, org, action="delete", all_matching="1")
    assert "Choose an action." in r.content.decode()
    assert Credential.objects.get().state == "active"


def test_select_all_is_issuer_only_and_tenant_scoped(signed_in, org, issue, other_org, member):
    from credstack.credentials.actions import issue_credential

    issue(name="Ours")
    theirs = issue_credential(
        achievement=other_org.achievements.first(), recipient_name="Theirs", recipient_email="t@example.org"
    )
    viewer = signed_in("viewer")
    assert (
        viewer.post(
            f"/w/{org.slug}/credentials/bulk-action", {"action": "suspend", "all_matching": "1"}
        ).status_code
        == 403
    )
    client = signed_in("issuer")
    # posting another organization's achievement id as the filter matches nothing here
    r = _post(
        client, org, action="suspend", all_matching="1", achievement=other_org.achievements.first().public_id
    )
    assert "No credentials match the filter." in r.content.decode()
    # and our slug cannot reach theirs, nor theirs be used without membership
    assert (
        client.post(
            f"/w/{other_org.slug}/credentials/bulk-action", {"action": "suspend", "all_matching": "1"}
        ).status_code
        == 404
    )
    theirs.refresh_from_db()
    assert theirs.state == "active"
