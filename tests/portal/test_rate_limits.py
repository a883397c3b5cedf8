"""Issue 13, "one person locks everyone out": each case replayed through the web pages, behind a proxy.

Before: the limits were keyed on REMOTE_ADDR (the proxy's, for everyone), a new code cancelled the one sent
before, and five wrong guesses burnt the code while five requests an hour were all an address could ask.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    settings.CREDSTACK_TRUSTED_PROXIES = ["10.0.0.0/8"]


def _via_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


def _code_for(email: str) -> str:
    sent = [m for m in mail.outbox if email in m.to]
    return re.search(r"\b(\d{6})\b", sent[-1].subject).group(1)


def test_a_flood_of_code_requests_blocks_only_its_sender():
    """Before: after 30 requests for made-up addresses through the proxy, /me/login and /learn/sign-in
    refused every learner ("from your network") for an hour."""
    attacker = _via_proxy("203.0.113.66")
    for n in range(30):
        attacker.post("/me/login", {"email": f"made-up-{n}@example.org"})
    refused = attacker.post("/learn/sign-in", {"email": "one-more@example.org"}).content.decode()
    assert "Too many codes were asked from your network" in refused
    assert re.search(r"Ask for a new one in \d+ minutes?", refused)
    sent = len(mail.outbox)
    learner = _via_proxy("198.51.100.7")
    assert learner.post("/me/login", {"email": "ada@example.org"}).status_code == 302
    page = learner.post("/learn/sign-in", {"email": "bob@example.org"}).content.decode()
    assert "Too many" not in page
    assert len(mail.outbox) == sent + 2


def test_a_forged_forwarded_header_from_outside_does_not_escape_the_limit():
    """A client not among the trusted proxies cannot pick its own address with X-Forwarded-For."""
    for n in range(30):
        Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(
            "/me/login", {"email": f"made-up-{n}@example.org"}
        )
    forged = Client(REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert "from your network" in forged.post("/me/login", {"email": "x@example.org"}).content.decode()
    # nor can it through the trusted proxy by adding an address on the left (the proxy appends the real one)
    attacker = _via_proxy("192.0.2.77, 203.0.113.66")
    for n in range(30):
        attacker.post("/me/login", {"email": f"other-{n}@example.org"})
    again = _via_proxy("192.0.2.78, 203.0.113.66")
    assert "from your network" in again.post("/me/login", {"email": "y@example.org"}).content.decode()


def test_a_strangers_code_request_does_not_cancel_the_learners_code():
    """Before: each new code cancelled the previous one, so a stranger asking for codes for the learner's
    address made the code the learner was typing fail."""
    learner = _via_proxy("198.51.100.7")
    learner.post("/me/login", {"email": "ada@example.org"})
    typed = _code_for("ada@example.org")
    sent = len(mail.outbox)
    _via_proxy("203.0.113.66").post("/me/login", {"email": "ada@example.org"})
    assert len(mail.outbox) == sent + 1  # a second code was sent
    assert learner.post("/me/login/code", {"code": typed}).status_code == 302
    assert learner.get("/me/").status_code == 200


def test_code_requests_and_wrong_guesses_by_a_stranger_do_not_lock_the_learner_out():
    """Before: five code requests plus five wrong guesses by anyone, and the learner could neither use
    the code they had nor ask a new one for an hour."""
    stranger = _via_proxy("203.0.113.66")
    for _ in range(5):
        stranger.post("/me/login", {"email": "ada@example.org"})
    code = _code_for("ada@example.org")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        stranger.post("/me/login/code", {"code": wrong})
    page = stranger.post("/me/login/code", {"code": code}).content.decode()
    assert "from your network: try again in" in page  # the stranger waits, even with the right code
    learner = _via_proxy("198.51.100.7")
    refused = learner.post("/me/login", {"email": "ada@example.org"}).content.decode()
    # no new code for now, in a few minutes (not an hour), and the one in the inbox still works
    assert "The last code we sent still works" in refused
    minutes = int(re.search(r"new one in (\d+) minute", refused).group(1))
    assert minutes <= 10
    session = learner.session
    session["portal_pending_email"] = "ada@example.org"
    session.save()
    assert learner.post("/me/login/code", {"code": code}).status_code == 302
    assert learner.get("/me/").status_code == 200


def test_the_player_counts_guesses_per_client_too():
    stranger, learner = _via_proxy("203.0.113.66"), _via_proxy("198.51.100.7")
    learner.post("/learn/sign-in", {"email": "ada@example.org"})
    code = _code_for("ada@example.org")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        stranger.post("/learn/sign-in", {"email": "ada@example.org", "code": wrong})
    blocked = stranger.post("/learn/sign-in", {"email": "ada@example.org", "code": code})
    assert blocked.status_code == 200 and "try again in" in blocked.content.decode()
    response = learner.post("/learn/sign-in", {"email": "ada@example.org", "code": code})
    assert response.status_code == 302


def test_the_code_limit_speaks_the_learners_language():
    """Issue 17: the refusal and its wait in the language of the learner's browser."""
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.67", HTTP_ACCEPT_LANGUAGE="de")
    for n in range(30):
        attacker.post("/me/login", {"email": f"made-up-{n}@example.org"})
    refused = attacker.post("/learn/sign-in", {"email": "one-more@example.org"}).content.decode()
    assert "In der letzten Stunde wurden aus Ihrem Netzwerk zu viele Codes angefordert" in refused
    assert re.search(r"Fordern Sie in \d+ Minuten? einen neuen an\.", refused)
