"""Issue 13: failed password logins limit the one who fails, not everyone behind the same proxy, and not
the account's owner. Before: allauth's `10/m/ip,5/5m/key` on REMOTE_ADDR (the proxy's address for all)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from credstack.accounts import adapter

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _behind_a_proxy(settings):
    settings.CREDSTACK_TRUSTED_PROXIES = ["10.0.0.0/8"]


def _via_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=client_address)


def _login(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_twelve_failures_for_one_user_do_not_block_another_users_password(member):
    """Before: the 11th failure through the proxy refused everyone's correct password for a minute."""
    member("viewer", email="pat@example.org")
    member("viewer", email="sam@example.org")
    attacker = _via_proxy("203.0.113.66")
    for _ in range(12):
        assert _login(attacker, "pat@example.org", "guess").status_code == 200
    assert _login(_via_proxy("198.51.100.7"), "sam@example.org", PASSWORD).status_code == 302


def test_failures_by_a_stranger_do_not_lock_the_owner_out(member):
    """Before: five failures for an address refused its owner's correct password for five minutes."""
    member("viewer", email="pat@example.org")
    attacker = _via_proxy("203.0.113.66")
    for _ in range(5):
        _login(attacker, "pat@example.org", "guess")
    refused = _login(attacker, "pat@example.org", PASSWORD).content.decode()
    assert "Too many failed sign-ins for this account from your network" in refused
    assert re.search(r"Try again in \d+ (minute|second)s?\.", refused)
    assert _login(_via_proxy("198.51.100.7"), "pat@example.org", PASSWORD).status_code == 302


def test_a_client_failing_on_many_accounts_waits_and_others_do_not(member):
    member("viewer", email="sam@example.org")
    attacker = _via_proxy("203.0.113.66")
    for n in range(adapter.FAILURES_PER_CLIENT.amount):
        _login(attacker, f"user{n}@example.org", "guess")
    refused = _login(attacker, "sam@example.org", PASSWORD).content.decode()
    assert "Too many failed sign-ins from your network. Try again in" in refused
    assert _login(_via_proxy("198.51.100.7"), "sam@example.org", PASSWORD).status_code == 302


def test_distributed_guessing_of_one_account_is_still_capped(member, settings):
    member("viewer", email="pat@example.org")
    for n in range(adapter.FAILURES_PER_ACCOUNT.amount):
        _login(_via_proxy(f"203.0.{n // 200}.{n % 200 + 1}"), "pat@example.org", "guess")
    refused = _login(_via_proxy("198.51.100.7"), "pat@example.org", PASSWORD).content.decode()
    assert "Too many failed sign-ins for this account. Try again in" in refused


def test_the_refusal_is_in_the_browsers_language(member):
    """Issue 17: a German browser reads the refusal, and when to try again, in German."""
    member("viewer", email="pat@example.org")
    attacker = Client(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.66", HTTP_ACCEPT_LANGUAGE="de")
    for _ in range(5):
        _login(attacker, "pat@example.org", "guess")
    refused = _login(attacker, "pat@example.org", PASSWORD).content.decode()
    assert "Zu viele fehlgeschlagene Anmeldungen für dieses Konto aus Ihrem Netzwerk" in refused
    assert re.search(r"Versuchen Sie es in \d+ (Minuten?|Sekunden?) erneut\.", refused)
