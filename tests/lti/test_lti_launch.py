"""A fake LTI 1.3 platform (an LMS) launches a credstack course; the grade goes back; the credential is issued.

The platform is real enough to be honest: it signs the launch with its own RSA key, and its token and
score endpoints run as an HTTP server on loopback that checks the tool's client assertion against the
tool's published JWKS.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from credstack.credentials.resolver import local_fetch
from credstack.learning import actions as learning
from credstack.lti.models import LtiGradeTarget
from credstack.vc import verify as vc_verify
from tests.courses.factory import make_course
from tests.lti.simulator import CLIENT_ID, FakePlatform, start_login

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)  # the grade goes back on commit, to a platform served by a thread
def test_launch_enrols_then_grade_returns_and_credential_issues(platform, node_verifier):
    browser = Client()
    auth = start_login(browser)
    assert auth["client_id"] == CLIENT_ID and auth["response_type"] == "id_token"
    launched = browser.post(
        "/lti/launch", {"id_token": platform.id_token(auth["nonce"]), "state": auth["state"]}
    )
    assert launched.status_code == 302 and launched["Location"].endswith("/learn/acme/python-101")

    learner = learning.learner_for("learner@school.example")
    enrolment = learner.enrolments.get()
    assert enrolment.source == "lti" and learner.name == "Lin Wei 林伟"
    assert LtiGradeTarget.objects.get(enrolment=enrolment).user_sub == "lms-user-42"
    page = browser.get(launched["Location"])
    assert page.status_code == 200  # signed in to the course player

    for lesson in enrolment.version.lessons:
        learning.mark_read(enrolment, lesson["key"])
        answers = {q["key"]: "right" for q in lesson["quiz"]["questions"]}
        learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), answers)
    enrolment.refresh_from_db()
    assert enrolment.status == "completed" and enrolment.credential is not None

    [score] = platform.scores
    assert score["userId"] == "lms-user-42" and score["scoreGiven"] == 100 and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert LtiGradeTarget.objects.get(enrolment=enrolment).sent_at is not None

    signed = enrolment.credential.signed()
    assert signed["credentialSubject"]["name"] == "Lin Wei 林伟"
    assert vc_verify.verify_credential(signed, fetch=local_fetch).valid
    documents = {enrolment.credential.organization.did: local_fetch(enrolment.credential.organization.did)}
    assert node_verifier.verify(signed, documents)["verified"] is True


def test_forged_or_replayed_launches_are_refused(platform):
    browser = Client()
    auth = start_login(browser)
    forger = FakePlatform()  # another key, same claims
    forged = browser.post("/lti/launch", {"id_token": forger.id_token(auth["nonce"]), "state": auth["state"]})
    forger.close()
    assert forged.status_code == 401
    wrong_nonce = browser.post(
        "/lti/launch", {"id_token": platform.id_token(str(uuid.uuid4())), "state": auth["state"]}
    )
    assert wrong_nonce.status_code == 401
    assert not LtiGradeTarget.objects.exists()


def test_launch_without_email_explains_what_to_change(platform):
    browser = Client()
    auth = start_login(browser)
    response = browser.post(
        "/lti/launch", {"id_token": platform.id_token(auth["nonce"], email=""), "state": auth["state"]}
    )
    assert response.status_code == 400 and "email address" in response.content.decode()


def test_unknown_platform_is_refused(client, db):
    response = client.post(
        "/lti/login",
        {
            "iss": "https://unknown.example",
            "login_hint": "x",
            "target_link_uri": "http://testserver/lti/launch",
        },
    )
    assert response.status_code == 400


def test_tool_private_key_is_sealed(platform):
    from credstack.lti.models import LtiPlatform

    row = LtiPlatform.objects.get()
    assert b"PRIVATE KEY" not in bytes(row.sealed_tool_private_key)
    assert "PRIVATE KEY" in row.tool_private_pem()


def _launch(platform, browser: Client, **claims):
    auth = start_login(browser)
    launched = browser.post(
        "/lti/launch", {"id_token": platform.id_token(auth["nonce"], **claims), "state": auth["state"]}
    )
    assert launched.status_code == 302
    return launched


def test_a_launch_signs_in_to_the_player_but_the_portfolio_asks_for_a_code(platform, achievement):
    """Decision 0023: the LMS vouches for its user's address: enough for the course player, not for the
    portfolio, exports, privacy or deletion."""
    import re

    from django.core import mail

    from credstack.credentials.actions import issue_credential
    from credstack.portal.models import AccountEmail

    credential = issue_credential(
        achievement=achievement, recipient_name="Lin Wei", recipient_email="learner@school.example"
    )
    browser = Client()
    launched = _launch(platform, browser)
    assert browser.get(launched["Location"]).status_code == 200
    assert browser.get("/learn/").status_code == 200
    address = AccountEmail.objects.get(normalized="learner@school.example")
    assert address.verified_by == "lti"
    learner = learning.learner_for("learner@school.example")
    assert learner.account == address.account

    for path in ("/me/", "/me/export.zip", "/me/delete", "/me/emails"):
        response = browser.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/me/login?next="), path
    assert browser.post("/me/delete", {"confirm": "DELETE"}).status_code == 302
    assert browser.post(f"/me/c/{credential.public_id}/visibility", {"public": "0"}).status_code == 404
    page = browser.get("/me/login?next=/me/").content.decode()
    assert "Confirm it is you" in page and 'value="learner@school.example"' in page

    # a code to the address: the portfolio opens, the player stays signed in, the address is upgraded
    browser.post("/me/login", {"email": "learner@school.example", "next": "/me/"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    assert browser.post("/me/login/code", {"code": code, "next": "/me/"})["Location"] == "/me/"
    html = browser.get("/me/").content.decode()
    assert credential.public_id in html
    assert browser.get(launched["Location"]).status_code == 200
    address.refresh_from_db()
    assert address.verified_by == "code" and address.account.learner == learner

    # a later launch does not weaken the code sign-in
    _launch(platform, browser)
    assert browser.get("/me/").status_code == 200


def test_a_launch_for_an_address_with_an_account_joins_it(platform, client):
    from credstack.portal.actions import account_for_email

    account = account_for_email("learner@school.example", verified_by="code")
    browser = Client()
    _launch(platform, browser)
    learner = learning.learner_for("learner@school.example")
    assert learner.account == account and learner.enrolments.count() == 1
    assert account.emails.get().verified_by == "code"  # an LMS does not downgrade a code
    # a different person launching from the same browser is signed in as themselves
    _launch(platform, browser, email="other@school.example", sub="lms-user-43", name="Other")
    assert browser.session["portal_account"] == learning.learner_for("other@school.example").account.public_id
    assert browser.session["portal_assurance"] == "lti"


# ---- issue 13: an LMS reaches its own organization only; an id_token is accepted once ------------------


def test_a_launch_reaches_only_the_courses_of_the_platforms_organization(platform, client):
    """Before: the LTI session opened any organization's course and lessons for the launched address."""
    from credstack.achievements.actions import create_achievement
    from credstack.organizations.actions import create_organization

    globex = create_organization(slug="globex", name="Globex University")
    sql = create_achievement(
        organization=globex, slug="sql", name="SQL", description="SQL.", criteria_narrative="Pass."
    )
    other = make_course(globex, sql, lessons=2, slug="sql-101", title="SQL Essentials")
    # the same address was invited to Globex's course (progress there is Globex's business)
    elsewhere = learning.enrol(other, learning.learner_for("learner@school.example", "Lin"))
    learning.mark_read(elsewhere, elsewhere.version.lessons[0]["key"])

    browser = Client()
    launched = _launch(platform, browser)
    assert browser.get(launched["Location"]).status_code == 200  # Acme's course: yes
    key = elsewhere.version.lessons[0]["key"]
    for path in (
        f"/learn/globex/sql-101/lessons/{key}",
        f"/learn/globex/sql-101/lessons/{key}/quiz",
        "/learn/globex/sql-101/review",
    ):
        response = browser.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/learn/sign-in"), path
    page = browser.get("/learn/globex/sql-101").content.decode()
    # the public outline, not the learner's progress there
    assert "Lesson 1" in page and "Continue where you left off" not in page and "Start the course" not in page
    assert browser.post("/learn/globex/sql-101/enrol").status_code == 302
    mine = browser.get("/learn/").content.decode()
    assert "Python in Five Lessons" in mine and "SQL Essentials" not in mine
    # a code to the address reaches everything of the account again
    browser.post("/learn/sign-in", {"email": "learner@school.example"})
    import re

    from django.core import mail

    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    browser.post("/learn/sign-in", {"email": "learner@school.example", "code": code})
    assert browser.get(f"/learn/globex/sql-101/lessons/{key}").status_code == 200
    assert "SQL Essentials" in browser.get("/learn/").content.decode()


def test_an_id_token_is_accepted_once(platform):
    """Before: posting the same id_token and state again in the same browser session signed in again."""
    browser = Client()
    auth = start_login(browser)
    form = {"id_token": platform.id_token(auth["nonce"], jti=str(uuid.uuid4())), "state": auth["state"]}
    assert browser.post("/lti/launch", form).status_code == 302
    replayed = browser.post("/lti/launch", form)
    assert replayed.status_code == 401
    # a fresh login in the same browser session, with the old token: refused too
    again = start_login(browser)
    assert browser.post("/lti/launch", {**form, "state": again["state"]}).status_code == 401
    # a state is good for one attempt (the refused one above used it); a new login and launch work
    fresh = start_login(browser)
    assert (
        browser.post(
            "/lti/launch", {"id_token": platform.id_token(fresh["nonce"]), "state": fresh["state"]}
        ).status_code
        == 302
    )


def test_a_refused_launch_explains_itself_in_the_learners_language(platform):
    """Issue 17: the learner launching from a German LMS reads what went wrong, and what to ask for, in
    German; a forged launch too (the library's own reason stays as it gives it, below the German words)."""
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    auth = start_login(browser)
    response = browser.post(
        "/lti/launch", {"id_token": platform.id_token(auth["nonce"], email=""), "state": auth["state"]}
    )
    html = response.content.decode()
    assert response.status_code == 400 and '<html lang="de"' in html
    assert "Ihre E-Mail-Adresse wurde nicht weitergegeben" in html
    assert "Bitten Sie die Administration Ihres LMS" in html
    assert "was not shared" not in html
    forger = FakePlatform()
    auth = start_login(browser)
    forged = browser.post("/lti/launch", {"id_token": forger.id_token(auth["nonce"]), "state": auth["state"]})
    forger.close()
    assert forged.status_code == 401
    assert "Dieser Start konnte nicht geprüft werden" in forged.content.decode()
    assert "Die Startnachricht des LMS wurde aus diesem Grund abgelehnt:" in forged.content.decode()
