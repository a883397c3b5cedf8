"""Endorsements (issue 17, decision 0053): an issuer asks, an endorser without an account answers through
the link, the signed EndorsementCredential passes 1EdTech's schema and the verifiers, and it is shown,
verified, on the credential page (and, for one credential, inside it)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.endorsements import actions
from credstack.endorsements.models import Endorsement, EndorsementRequest
from credstack.organizations.models import AuditEntry
from credstack.vc import verify as vc_verify
from tests.unchanged import changes_nothing
from tests.vc.test_clr_schema import ENDORSEMENT
from tests.vc.test_ob3_schema import assert_conforms, schema_errors

pytestmark = pytest.mark.django_db


def _errors(doc: dict) -> dict:
    return schema_errors(doc, ENDORSEMENT)


def _answer(client: Client, link: str, **fields):
    data = {
        "name": "Institute of Data Engineers",
        "url": "https://ide.example",
        "comment": "Rigorous and useful.",
    }
    data.update(fields)
    return client.post(link.split("testserver", 1)[-1], data)


def test_endorsing_one_credential(org, issue, client):
    credential = issue()
    made = actions.request_endorsement(org, target="credential", credential=credential, actor="test")
    page = client.get(made.link.split("testserver", 1)[-1])
    assert page.status_code == 200 and b"asks for your endorsement" in page.content
    done = _answer(client, made.link)
    assert done.status_code == 200 and b"Thank you" in done.content

    endorsement = Endorsement.objects.get()
    doc = json.loads(endorsement.document)
    assert doc["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert doc["credentialSubject"] == {
        "id": credential.uri,
        "type": ["EndorsementSubject"],
        "endorsementComment": "Rigorous and useful.",
    }
    assert doc["issuer"]["name"] == "Institute of Data Engineers"
    assert _errors(doc) == {}
    assert vc_verify.verify_credential(doc, fetch=local_fetch).status == "valid"
    served = client.get(f"/endorsements/{endorsement.public_id}")
    assert json.loads(served.content) == doc

    # inside the credential, which was signed again and still conforms and verifies
    signed = Credential.objects.get(pk=credential.pk).signed()
    assert signed["endorsement"] == [doc]
    assert_conforms(signed)
    assert vc_verify.verify_credential(signed, fetch=local_fetch).status == "valid"

    html = client.get(f"/c/{credential.public_id}").content.decode()
    assert (
        "Institute of Data Engineers" in html
        and "Signature verified" in html
        and "Rigorous and useful." in html
    )
    assert {"endorsement.requested", "endorsement.given", "credential.endorsed"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )

    # the link worked once
    with changes_nothing():
        again = _answer(client, made.link, comment="twice")
    assert again.status_code == 410 and b"already used" in again.content


def test_achievement_and_issuer_endorsements_show_on_every_credential_of_it(org, achievement, issue, client):
    credential = issue()
    for target in ("achievement", "issuer"):
        made = actions.request_endorsement(org, target=target, achievement=achievement, actor="test")
        assert _answer(client, made.link, name=f"Endorser of the {target}").status_code == 200
    docs = [json.loads(e.document) for e in Endorsement.objects.order_by("id")]
    assert [d["credentialSubject"]["id"] for d in docs] == [achievement.uri, org.did]
    assert all(_errors(d) == {} for d in docs)
    html = client.get(f"/c/{credential.public_id}").content.decode()
    assert "Endorser of the achievement" in html and "Endorser of the issuer" in html
    assert html.count("Signature verified") == 2


def test_bad_answers_change_nothing(org, issue, client):
    made = actions.request_endorsement(org, target="issuer", actor="test")
    for fields, message in (
        ({"name": ""}, b"Give your name"),
        ({"comment": "  "}, b"Say what you endorse"),
        ({"url": "javascript:alert(1)"}, b"web address"),
        ({"comment": "x" * 5001}, b"too long"),
    ):
        with changes_nothing():
            response = _answer(client, made.link, **fields)
        assert response.status_code == 400 and message in response.content
    with changes_nothing():
        assert client.get("/endorse/not-a-token").status_code == 410


def test_a_request_names_this_organization_s_things_only(org, issue):
    from credstack.organizations.actions import create_organization  # a second tenant for this test only

    other = create_organization(slug="other", name="Other")
    credential = issue()
    with changes_nothing(), pytest.raises(Exception, match="this organization"):
        actions.request_endorsement(other, target="credential", credential=credential, actor="test")
    assert not EndorsementRequest.objects.exists()


@pytest.mark.interop
def test_independent_verifier(org, issue, client, node_verifier):
    credential = issue()
    made = actions.request_endorsement(org, target="credential", credential=credential, actor="test")
    _answer(client, made.link)
    doc = json.loads(Endorsement.objects.get().document)
    issuer = doc["issuer"]["id"]
    result = node_verifier.verify(doc, {issuer: local_fetch(issuer)})
    assert result["verified"] is True, result
    signed = Credential.objects.get(pk=credential.pk).signed()
    documents = {org.did: local_fetch(org.did)}
    status = signed["credentialStatus"]["statusListCredential"]
    documents[status] = local_fetch(status)
    result = node_verifier.verify(signed, documents, check_status=True)
    assert result["verified"] is True, result
