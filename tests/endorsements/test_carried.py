"""Endorsements carried inside new credentials (decision 0062): the granted, still valid endorsements of an
achievement and of its issuer are written into each new credential of it (``Achievement.endorsement`` and
``Profile.endorsement``), signed; the credential and each endorsement conform to 1EdTech's schemas and
verify, in credstack's verifier and in Digital Bazaar's; a revoked endorsement is no longer carried."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from credstack.credentials.carried import BUDGET
from credstack.credentials.resolver import local_fetch
from credstack.endorsements import actions
from credstack.endorsements.models import Endorsement
from credstack.organizations.models import AuditEntry
from credstack.vc import verify as vc_verify
from tests.unchanged import changes_nothing
from tests.vc.test_clr_schema import ENDORSEMENT
from tests.vc.test_ob3_schema import assert_conforms, schema_errors

pytestmark = pytest.mark.django_db


def _endorse(
    org, target, achievement=None, name="Institute of Data Engineers", comment="Rigorous and useful."
):
    made = actions.request_endorsement(org, target=target, achievement=achievement, actor="test")
    return actions.endorse(made.token, name=name, url="https://ide.example", comment=comment)


def _carried(signed: dict) -> tuple[list, list]:
    return signed["credentialSubject"]["achievement"].get("endorsement", []), signed["issuer"].get(
        "endorsement", []
    )


@pytest.fixture
def endorsed(org, achievement):
    return (
        _endorse(org, "achievement", achievement, name="Guild of Data"),
        _endorse(org, "issuer", name="Ministry of Learning"),
    )


def test_new_credentials_carry_the_endorsements_of_their_achievement_and_issuer(
    org, achievement, endorsed, issue, client: Client
):
    of_achievement, of_issuer = endorsed
    before = issue(email="first@example.org")  # issued after: it carries them too
    signed = before.signed()
    inside_achievement, inside_issuer = _carried(signed)
    assert inside_achievement == [json.loads(of_achievement.document)]
    assert inside_issuer == [json.loads(of_issuer.document)]
    assert (
        inside_achievement[0]["credentialSubject"]["id"] == signed["credentialSubject"]["achievement"]["id"]
    )
    assert inside_issuer[0]["credentialSubject"]["id"] == signed["issuer"]["id"]
    # signed as issued by the endorser (named in the issuer profile), under the platform's did:web
    assert inside_issuer[0]["issuer"]["name"] == "Ministry of Learning"
    assert_conforms(signed)
    for doc in (*inside_achievement, *inside_issuer):
        assert schema_errors(doc, ENDORSEMENT) == {}
        assert vc_verify.verify_credential(doc, fetch=local_fetch).status == "valid"
    assert vc_verify.verify_credential(signed, fetch=local_fetch).status == "valid"

    html = client.get(f"/c/{before.public_id}").content.decode()
    assert html.count("Signature verified") == 2 and html.count("Carried inside this credential.") == 2
    assert "Guild of Data" in html and "Ministry of Learning" in html
    # issue 12: the stored document stays small with two endorsements inside
    assert len(before.document.encode()) < 6000


def test_a_revoked_endorsement_stops_appearing_in_new_credentials(org, endorsed, issue, client: Client):
    of_achievement, of_issuer = endorsed
    earlier = issue(email="earlier@example.org")
    actions.revoke_endorsement(of_issuer, reason="The ministry withdrew it.", actor="test")
    later = issue(email="later@example.org")
    assert _carried(later.signed()) == ([json.loads(of_achievement.document)], [])
    assert AuditEntry.objects.filter(action="endorsement.revoked", target=of_issuer.public_id).exists()
    # the earlier credential keeps its signed copy; its page says the endorsement was revoked
    assert len(_carried(earlier.signed())[1]) == 1
    earlier_page = client.get(f"/c/{earlier.public_id}").content.decode()
    assert "Ministry of Learning" in earlier_page and "Revoked by the issuer on" in earlier_page
    later_page = client.get(f"/c/{later.public_id}").content.decode()
    assert "Ministry of Learning" not in later_page and "Guild of Data" in later_page
    # twice: a clear error, nothing changes
    with changes_nothing(), pytest.raises(Exception, match="already revoked"):
        actions.revoke_endorsement(Endorsement.objects.get(pk=of_issuer.pk), actor="test")


def test_revoking_from_the_workspace(org, endorsed, signed_in, issue):
    of_achievement, _ = endorsed
    client = signed_in("issuer")
    page = client.get(f"/w/{org.slug}/endorsements/").content.decode()
    assert f"/w/{org.slug}/endorsements/{of_achievement.public_id}/revoke" in page
    done = client.post(f"/w/{org.slug}/endorsements/{of_achievement.public_id}/revoke", {"reason": "old"})
    assert done.status_code == 302
    assert Endorsement.objects.get(pk=of_achievement.pk).revocation_reason == "old"
    assert _carried(issue().signed())[0] == []
    page = client.get(f"/w/{org.slug}/endorsements/").content.decode()
    assert "revoked on" in page


def test_endorsements_beyond_the_budget_are_left_out_newest_first(org, achievement, issue):
    docs = [
        _endorse(org, "achievement", achievement, name=f"Endorser {i}", comment="x" * 900) for i in range(5)
    ]
    size = len(docs[0].document.encode())
    inside, _ = _carried(issue().signed())
    fitting = BUDGET // size
    assert 1 <= fitting < 5
    assert [d["issuer"]["name"] for d in inside] == [f"Endorser {i}" for i in range(4, 4 - fitting, -1)]


@pytest.mark.interop
def test_independent_verifier(org, endorsed, issue, node_verifier):
    signed = issue().signed()
    documents = {org.did: local_fetch(org.did)}
    status = signed["credentialStatus"]["statusListCredential"]
    documents[status] = local_fetch(status)
    result = node_verifier.verify(signed, documents, check_status=True)
    assert result["verified"] is True, result
    for doc in (*_carried(signed)[0], *_carried(signed)[1]):
        issuer = doc["issuer"]["id"]
        result = node_verifier.verify(doc, {issuer: local_fetch(issuer)})
        assert result["verified"] is True, result
