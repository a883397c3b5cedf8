"""Pathways: all / N of M, ordered, time window, nested, back-fill, revocation policy, progress."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from credstack.achievements.actions import create_achievement
from credstack.credentials import actions as cred
from credstack.credentials.models import Credential
from credstack.outbox import actions as outbox
from credstack.pathways import actions, rules
from credstack.pathways.models import Pathway, PathwayAward
from credstack.pathways.queries import pathway_overview, progress_for_emails
from tests.outbox.test_outbox import commit_then_die

pytestmark = pytest.mark.django_db(transaction=True)


def _achievements(org, n, prefix="unit"):
    return [
        create_achievement(
            organization=org,
            slug=f"{prefix}-{i}",
            name=f"{prefix.title()} {i}",
            description="d",
            criteria_narrative="c",
        )
        for i in range(1, n + 1)
    ]


def _stack(org, slug="data-analyst"):
    return create_achievement(
        organization=org,
        slug=slug,
        name=slug.replace("-", " ").title(),
        description="A stacked credential.",
        criteria_narrative="Earn the components.",
        achievement_type="Certificate",
    )


def _issue(achievement, email="ada@example.org", name="Ada Lovelace"):
    return cred.issue_credential(achievement=achievement, recipient_name=name, recipient_email=email)


def _stacked(pathway, email="ada@example.org"):
    return Credential.objects.filter(achievement=pathway.achievement, recipient_email=email).first()


def test_all_of_awards_on_the_last_component_with_evidence_and_associations(org):
    units = _achievements(org, 3)
    pathway = actions.create_pathway(achievement=_stack(org), components=units)
    first = _issue(units[0])
    _issue(units[1])
    assert _stacked(pathway) is None
    [progress] = progress_for_emails(["ADA@example.org"])
    assert progress.label == "2 of 3" and not progress.complete
    last = _issue(units[2])
    stacked = _stacked(pathway)
    assert stacked is not None and stacked.source == "pathway"
    doc = stacked.signed()
    assert {e["id"] for e in doc["evidence"]} == {
        first.uri,
        *(c.uri for c in Credential.objects.filter(achievement__in=units[1:])),
    }
    assert doc["credentialSubject"]["activityEndDate"] == last.signed()["validFrom"]
    assert {a["associationType"] for a in pathway.associations} == {"isPartOf"}
    [progress] = progress_for_emails(["ada@example.org"])
    assert progress.complete and progress.credential_url == stacked.uri
    _issue(units[0])  # a second credential for a component changes nothing
    assert Credential.objects.filter(achievement=pathway.achievement).count() == 1


def test_n_of_m(org):
    units = _achievements(org, 5)
    pathway = actions.create_pathway(
        achievement=_stack(org), components=units, rule="n_of_m", required_count=3
    )
    for unit in (units[4], units[0]):
        _issue(unit)
    assert _stacked(pathway) is None
    assert progress_for_emails(["ada@example.org"])[0].label == "2 of 3"
    _issue(units[2])
    assert _stacked(pathway) is not None
    assert len(_stacked(pathway).signed()["evidence"]) == 3


def test_ordered_rule(org):
    units = _achievements(org, 3)
    pathway = actions.create_pathway(achievement=_stack(org), components=units, ordered=True)
    assert [a["associationType"] for a in pathway.associations].count("precedes") == 2
    # out of order for one learner: unit 2 before unit 1
    early = _issue(units[1], "grace@example.org", "Grace")
    Credential.objects.filter(pk=early.pk).update(issued_at=early.issued_at - timedelta(days=1))
    _issue(units[0], "grace@example.org", "Grace")
    _issue(units[2], "grace@example.org", "Grace")
    assert _stacked(pathway, "grace@example.org") is None
    # in order for another
    for unit in units:
        _issue(unit, "ada@example.org")
    assert _stacked(pathway, "ada@example.org") is not None


def test_ordered_rule_pure_cases():
    t0 = timezone_now()
    held = {0: t0 + timedelta(days=2), 1: t0, 2: t0 + timedelta(days=3)}
    assert rules.satisfied(held, 3, ordered=True) is None
    assert [p for p, _ in rules.satisfied(held, 2, ordered=True)] in ([0, 2], [1, 2])
    assert [p for p, _ in rules.satisfied(held, 3)] == [0, 1, 2]
    window = timedelta(days=1)
    assert [p for p, _ in rules.satisfied(held, 2, window=window)] == [0, 2]
    assert rules.satisfied(held, 3, window=window) is None
    # component 1 earned again later: now in order
    again = [*held.items(), (1, t0 + timedelta(days=2, hours=1))]
    assert [p for p, _ in rules.satisfied(again, 3, ordered=True)] == [0, 1, 2]


def timezone_now():
    from django.utils import timezone

    return timezone.now()


def test_time_window(org):
    units = _achievements(org, 2)
    pathway = actions.create_pathway(achievement=_stack(org), components=units, window_days=30)
    old = _issue(units[0])
    Credential.objects.filter(pk=old.pk).update(issued_at=old.issued_at - timedelta(days=45))
    _issue(units[1])
    assert _stacked(pathway) is None
    _issue(units[0])  # earned again, now within the window
    assert _stacked(pathway) is not None


def test_a_new_pathway_backfills_existing_holders(org):
    units = _achievements(org, 2)
    for email in ("a@example.org", "b@example.org"):
        for unit in units:
            _issue(unit, email, email[0].upper())
    _issue(units[0], "c@example.org", "C")
    pathway = actions.create_pathway(achievement=_stack(org), components=units)
    assert set(PathwayAward.objects.filter(pathway=pathway).values_list("email", flat=True)) == {
        "a@example.org",
        "b@example.org",
    }
    assert _stacked(pathway, "c@example.org") is None
    overview = pathway_overview(pathway)
    assert overview["awarded"] == 2 and [r["email"] for r in overview["one_away"]] == ["c@example.org"]
    # changing the pathway (now 1 of 2) back-fills too
    actions.update_pathway(pathway, rule="n_of_m", required_count=1)
    assert _stacked(pathway, "c@example.org") is not None


def test_nested_pathways(org):
    units = _achievements(org, 2)
    inner = actions.create_pathway(achievement=_stack(org, "inner"), components=units)
    other = _achievements(org, 1, prefix="extra")[0]
    outer = actions.create_pathway(achievement=_stack(org, "outer"), components=[inner.achievement, other])
    with pytest.raises(ValidationError, match="cannot contain itself"):
        actions.update_pathway(inner, components=[units[0], outer.achievement])
    _issue(other)
    _issue(units[0])
    _issue(units[1])
    assert _stacked(inner) is not None and _stacked(outer) is not None


def test_revoking_a_component_suspends_the_stacked_credential_under_the_suspend_policy(org):
    units = _achievements(org, 2)
    pathway = actions.create_pathway(achievement=_stack(org), components=units, revocation_policy="suspend")
    component = _issue(units[0])
    _issue(units[1])
    stacked = _stacked(pathway)
    cred.revoke_credential(component, reason="academic misconduct")
    stacked.refresh_from_db()
    assert stacked.state == "suspended"
    assert "Unit 1" in stacked.events.get(kind="suspended").note


def test_revoking_a_component_keeps_the_stacked_credential_under_the_keep_policy(org):
    units = _achievements(org, 2)
    pathway = actions.create_pathway(achievement=_stack(org), components=units, revocation_policy="keep")
    component = _issue(units[0])
    _issue(units[1])
    cred.revoke_credential(component, reason="error")
    assert _stacked(pathway).state == "active"


def test_suspended_component_reinstated_reinstates_the_stack(org):
    units = _achievements(org, 2)
    pathway = actions.create_pathway(achievement=_stack(org), components=units)
    component = _issue(units[0])
    _issue(units[1])
    cred.suspend_credential(component, reason="review")
    assert _stacked(pathway).state == "suspended"
    cred.reinstate_credential(component)
    assert _stacked(pathway).state == "active"


def test_validation(org):
    units = _achievements(org, 2)
    stack = _stack(org)
    with pytest.raises(ValidationError) as exc:
        actions.create_pathway(achievement=stack, components=units, rule="n_of_m", required_count=3)
    assert exc.value.message_dict == {"required_count": ["N is 3 but there are only 2 components"]}
    with pytest.raises(ValidationError, match="cannot contain itself"):
        actions.create_pathway(achievement=stack, components=[stack])
    assert not Pathway.objects.exists()


def test_earning_a_revoked_component_again_reinstates_the_stack(org):
    units = _achievements(org, 2)
    pathway = actions.create_pathway(achievement=_stack(org), components=units)
    component = _issue(units[0])
    _issue(units[1])
    cred.revoke_credential(component, reason="issued in error")
    assert _stacked(pathway).state == "suspended"
    _issue(units[0])  # re-issued correctly
    stacked = _stacked(pathway)
    assert stacked.state == "active"
    assert Credential.objects.filter(achievement=pathway.achievement).count() == 1
    assert stacked.events.filter(kind="reinstated").exists()


def test_a_backfill_lost_in_a_crash_is_run_by_the_sweep(org):
    """The new pathway commits, the process dies before queueing its backfill: the sweep queues it."""
    units = _achievements(org, 2)
    for unit in units:
        _issue(unit)
    pathway = commit_then_die(lambda: actions.create_pathway(achievement=_stack(org), components=units))
    assert _stacked(pathway) is None
    outbox.dispatch_due(timezone_now() + timedelta(minutes=1))
    assert _stacked(pathway) is not None


def test_a_batch_completing_a_pathway_for_several_people_awards_each_once(org):
    """The last components issued as one batch: the pathway consumer takes the batch's rows at once and
    awards the stacked credential to each person who completed it (and only to them)."""
    units = _achievements(org, 2)
    pathway = actions.create_pathway(achievement=_stack(org), components=units)
    other = _achievements(org, 1, prefix="other")[0]
    people = [(f"p{n}@example.org", f"Person {n}") for n in range(4)]
    for email, name in people[:3]:
        _issue(units[0], email=email, name=name)
    batch = [
        cred.IssueRequest(achievement=units[1], recipient_name=name, recipient_email=email)
        for email, name in people
    ] + [cred.IssueRequest(achievement=other, recipient_name="Someone", recipient_email="p0@example.org")]
    results = cred.issue_credentials(batch)
    assert all(r.credential for r in results)
    assert [bool(_stacked(pathway, email)) for email, _ in people] == [True, True, True, False]
    assert Credential.objects.filter(achievement=pathway.achievement).count() == 3
