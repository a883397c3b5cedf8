"""Per-credential actions: correct (replace), change expiry (re-sign), resend; and what verifiers see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from credstack.credentials import actions
from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from tests.interop.conftest import node_verifier  # noqa: F401


def _verify(node_verifier, credential):  # noqa: F811
    credential.refresh_from_db()
    doc = credential.signed()
    documents = {credential.organization.did: local_fetch(credential.organization.did)}
    entries = doc["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    return node_verifier.verify(doc, documents, check_status=True)


@pytest.mark.interop
@pytest.mark.django_db
def test_correction_replaces_and_revokes_and_both_verify_as_expected(node_verifier, issue):  # noqa: F811
    old = issue(name="Ada Lovelase", merge_fields={"cohort": "A"})
    new = actions.correct_credential(old, recipient_name="Ada Lovelace", reason="typo in the name")
    old.refresh_from_db()
    assert old.state == "revoked" and old.replaced_by_id == new.pk
    assert old.revocation_reason == f"Replaced by {new.uri}: typo in the name"
    assert old.events.last().kind == "replaced"
    assert new.recipient_name == "Ada Lovelace" and new.merge_fields == {"cohort": "A"}
    assert new.achievement_version_id == old.achievement_version_id
    replaced = _verify(node_verifier, old)  # one suspension entry, set for good (decision 0032)
    assert replaced["valid"] is False and replaced["suspended"] is True
    result = _verify(node_verifier, new)
    assert result["verified"] is True and result["revoked"] is False, result


@pytest.mark.interop
@pytest.mark.django_db
def test_change_expiry_re_signs_under_the_same_id(node_verifier, issue, achievement):  # noqa: F811
    from credstack.achievements.actions import update_achievement

    update_achievement(achievement, credits="2.50", field_of_study="Computer science", language="en")
    c = issue()
    doc = c.signed()
    assert doc["credentialSubject"]["achievement"]["creditsAvailable"] == 2.5
    assert doc["credentialSubject"]["achievement"]["inLanguage"] == "en"
    when = datetime(2031, 6, 30, 23, 59, 59, tzinfo=UTC)
    actions.change_expiry(c, valid_until=when, note="extended")
    c.refresh_from_db()
    assert c.signed()["id"] == doc["id"] and c.signed()["validUntil"] == "2031-06-30T23:59:59Z"
    assert c.events.last().kind == "expiry_changed" and "never -> 2031-06-30" in c.events.last().note
    result = _verify(node_verifier, c)
    assert result["verified"] is True, result
    actions.change_expiry(c, valid_until=None)
    c.refresh_from_db()
    assert "validUntil" not in c.signed()
    assert _verify(node_verifier, c)["verified"] is True


def test_correction_needs_a_reason_and_a_change(issue):
    c = issue()
    with pytest.raises(ValidationError, match="reason"):
        actions.correct_credential(c, recipient_name="X", reason=" ")
    with pytest.raises(ValidationError, match="unchanged"):
        actions.correct_credential(c, recipient_name=c.recipient_name, reason="r")
    with pytest.raises(ValidationError, match="control character"):
        actions.correct_credential(c, recipient_name="Ada\x07", reason="r")
    assert Credential.objects.count() == 1
    actions.revoke_credential(c, reason="gone")
    with pytest.raises(actions.CredentialStateError):
        actions.correct_credential(c, recipient_name="Ada L", reason="r")


def test_expiry_must_be_after_issue_and_not_for_revoked(issue):
    c = issue()
    with pytest.raises(ValidationError, match="after the issue date"):
        actions.change_expiry(c, valid_until=datetime(2000, 1, 1, tzinfo=UTC))
    actions.revoke_credential(c, reason="x")
    with pytest.raises(actions.CredentialStateError):
        actions.change_expiry(c, valid_until=None)


def test_resend_sends_the_email_again(issue, mailoutbox, run_on_commit):
    c = issue()
    from django.core import mail

    n = len(mail.outbox)
    with run_on_commit():
        actions.resend_credential(c)
    assert len(mail.outbox) == n + 1 and mail.outbox[-1].to == ["ada@example.org"]
    assert c.events.filter(kind="delivered", note__contains="resen").exists()


def test_workspace_actions_through_the_pages(signed_in, org, issue):
    from credstack.organizations.models import AuditEntry

    client = signed_in("issuer")
    c = issue()
    base = f"/w/{org.slug}/credentials/{c.public_id}"
    r = client.post(f"{base}/revoke", {"reason": ""}, follow=True)
    assert "a reason is required to revoke" in r.content.decode()
    c.refresh_from_db()
    assert c.state == "active"
    client.post(f"{base}/suspend", {"reason": "review", "confirmed": "1"})
    client.post(f"{base}/reinstate", {})
    r = client.post(
        f"{base}/correct",
        {"recipient_name": "Ada King", "recipient_email": c.recipient_email, "reason": "married name"},
    )
    new = Credential.objects.get(recipient_name="Ada King")
    assert r["Location"] == f"/w/{org.slug}/credentials/{new.public_id}/"
    page = client.get(f"{base}/").content.decode()
    assert "Replaced" in page and new.public_id in page
    r = client.post(
        f"/w/{org.slug}/credentials/{new.public_id}/expiry", {"valid_until": "not a date"}, follow=True
    )
    assert "is not a date" in r.content.decode()
    client.post(f"/w/{org.slug}/credentials/{new.public_id}/revoke", {"reason": "fraud", "confirmed": "1"})
    new.refresh_from_db()
    assert new.state == "revoked" and new.revocation_reason == "fraud"
    actions_logged = list(
        AuditEntry.objects.filter(actor_kind="user").order_by("id").values_list("action", flat=True)
    )
    assert actions_logged == [
        "credential.suspend",
        "credential.reinstate",
        "credential.corrected",
        "credential.revoke",
    ]
    history = client.get(f"/w/{org.slug}/credentials/{c.public_id}/").content.decode()
    for word in ("Issued", "Suspended", "Reinstated", "Replaced"):
        assert word in history
