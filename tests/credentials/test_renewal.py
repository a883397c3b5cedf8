"""Renewal: an expiring credential is replaced by a new one with a new end date, exactly once, by the
issuer or by a new completion (an LMS or quiz tool reporting a pass again, a course taken again)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.utils import timezone

from credstack.awarding import actions as awarding
from credstack.credentials import actions
from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import AuditEntry
from credstack.vc.verify import verify_credential

pytestmark = pytest.mark.django_db


@pytest.fixture
def yearly(achievement):
    achievement.valid_for_months = 12
    achievement.save()
    return achievement


def _expiring(credential: Credential, days: int) -> Credential:
    """Move the credential's end date (as if it had been issued long ago)."""
    Credential.objects.filter(pk=credential.pk).update(valid_until=timezone.now() + timedelta(days=days))
    credential.refresh_from_db()
    return credential


def _request(achievement, name="Ada Lovelace", email="ada@example.org"):
    return actions.IssueRequest(achievement=achievement, recipient_name=name, recipient_email=email)


def test_renewing_issues_a_new_year_and_retires_the_old_one(yearly, issue):
    old = _expiring(issue(), days=10)
    new = actions.renew_credential(old, _request(yearly))
    old.refresh_from_db()
    assert new.state == "active" and new.pk != old.pk
    assert new.valid_until > timezone.now() + timedelta(days=360)
    assert old.state == "revoked" and old.replaced_by_id == new.pk
    assert old.revocation_reason == f"Renewed: replaced by {new.uri}"
    assert AuditEntry.objects.filter(action="credential.renewed", target=old.public_id).count() == 1
    assert verify_credential(new.signed(), fetch=local_fetch).valid
    # one status entry (decision 0032): verifiers read the retired credential's bit as "suspended"
    assert verify_credential(old.signed(), fetch=local_fetch).valid is False


def test_not_yet_due_says_when_renewal_opens_and_issues_nothing(yearly, issue):
    old = issue()  # a year left
    with pytest.raises(actions.CredentialStateError, match="renewal opens on"):
        actions.renew_credential(old, _request(yearly))
    assert Credential.objects.count() == 1
    never = issue(email="grace@example.org", valid_until=None)
    Credential.objects.filter(pk=never.pk).update(valid_until=None)
    never.refresh_from_db()
    with pytest.raises(actions.CredentialStateError, match="does not expire"):
        actions.renew_credential(never, _request(yearly, email="grace@example.org"))


def test_an_expired_credential_can_be_renewed_and_only_once(yearly, issue):
    old = _expiring(issue(), days=-40)
    first = actions.renew_credential(old, _request(yearly))
    again = actions.renew_credential(old, _request(yearly))  # a retry, a double click
    assert again.pk == first.pk
    assert Credential.objects.filter(state="active").count() == 1
    with pytest.raises(actions.CredentialStateError):  # the renewal itself is a year away
        actions.renew_credential(first, _request(yearly))


def test_a_renewal_interrupted_between_its_two_steps_is_finished_by_the_next_call(yearly, issue):
    old = _expiring(issue(), days=5)
    # the first step alone, as a process killed before the second would leave it
    new = actions.issue_credential(replace(_request(yearly), idempotency_key=f"renew:{old.public_id}"))
    old.refresh_from_db()
    assert old.state == "active"
    finished = actions.renew_credential(old, _request(yearly))
    old.refresh_from_db()
    assert finished.pk == new.pk and old.replaced_by_id == new.pk and old.state == "revoked"


def test_a_new_completion_renews_a_credential_that_is_due_and_not_one_that_is_not(yearly):
    def complete():
        return awarding.handle_event(
            organization=yearly.organization,
            event_type="lti.completed",
            achievement=yearly,
            recipient_email="ada@example.org",
            recipient_name="Ada Lovelace",
            data={"score": 91},
        )

    first = complete()
    assert first.status == "issued"
    assert complete().status == "already_issued"  # a year left: nothing changes
    _expiring(first.credential, days=20)
    renewed = complete()
    assert renewed.status == "issued" and renewed.credential.pk != first.credential.pk
    assert renewed.credential.signed()["credentialSubject"]["result"][0]["value"] == "91"
    first.credential.refresh_from_db()
    assert first.credential.replaced_by_id == renewed.credential.pk
    later = complete()  # the same report again: the renewal stands
    assert later.status == "already_issued" and later.credential.pk == renewed.credential.pk
    assert Credential.objects.filter(state="active").count() == 1


def test_a_suspended_credential_is_not_renewed_by_a_completion(yearly):
    outcome = awarding.handle_event(
        organization=yearly.organization,
        event_type="lti.completed",
        achievement=yearly,
        recipient_email="ada@example.org",
        recipient_name="Ada",
    )
    _expiring(outcome.credential, days=3)
    actions.suspend_credential(outcome.credential, reason="under review")
    again = awarding.handle_event(
        organization=yearly.organization,
        event_type="lti.completed",
        achievement=yearly,
        recipient_email="ada@example.org",
        recipient_name="Ada",
    )
    assert again.status == "already_issued" and again.credential.pk == outcome.credential.pk
