"""Webhook secrets (outbound) and inbound endpoint tokens and signing secrets are sealed at rest like signing
keys (decision 0029): the database holds none of them in clear, the code reads them in clear, the receiving
URL is still found by its token, and the migration seals the rows written before."""

from __future__ import annotations

import base64

import pytest
from django.db import connection

from credstack.integrations import actions as inbound
from credstack.integrations.models import InboundEndpoint
from credstack.organizations.fields import seal_existing_rows
from credstack.webhooks import actions as outbound
from credstack.webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_receiver(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the URL below is never called


def _database_text() -> str:
    """Every text value of every table, as stored."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                out.extend(str(v) for v in row if isinstance(v, str | bytes | memoryview))
    return "\n".join(out)


def _forms(secret: str) -> list[str]:
    body = secret.removeprefix("whsec_")
    return (
        [secret, body, base64.b64decode(body + "=" * (-len(body) % 4)).hex()]
        if "whsec_" in secret
        else [secret]
    )


def _secrets(org, achievement):
    endpoint = outbound.create_endpoint(org, url="http://127.0.0.1:9/in")
    first = endpoint.secret
    outbound.rotate_secret(endpoint)  # the replaced secret stays for the overlap: sealed too
    endpoint.refresh_from_db()
    receiver = inbound.create_endpoint(
        org, name="LMS", achievement=achievement, signing_secret="a shared signing secret 42"
    )
    return endpoint, first, receiver


def test_the_database_holds_no_webhook_or_inbound_secret_in_clear(org, achievement):
    endpoint, first, receiver = _secrets(org, achievement)
    assert endpoint.secret.startswith("whsec_") and endpoint.previous_secret == first
    stored = _database_text()
    for secret in (endpoint.secret, first, receiver.token, receiver.signing_secret):
        for form in _forms(secret):
            assert form not in stored
    # read back in clear; the receiving URL is found by its token
    again = WebhookEndpoint.objects.get(pk=endpoint.pk)
    assert again.signing_secrets(again.created_at) == [endpoint.secret, first]
    found = InboundEndpoint.objects.get(token=receiver.token)
    assert found.pk == receiver.pk and found.signing_secret == "a shared signing secret 42"
    assert found.url.endswith(f"/hooks/in/{receiver.token}")
    other = receiver.token[:-1] + ("y" if receiver.token.endswith("x") else "x")  # not the token itself
    assert not InboundEndpoint.objects.filter(token=other).exists()


def test_the_migration_seals_rows_written_in_clear(org, achievement):
    endpoint, first, receiver = _secrets(org, achievement)
    with connection.cursor() as cursor:  # as the rows were before the migration
        cursor.execute(
            "UPDATE webhooks_webhookendpoint SET secret = %s, previous_secret = %s WHERE id = %s",
            [endpoint.secret, first, endpoint.pk],
        )
        cursor.execute(
            "UPDATE integrations_inboundendpoint SET token = %s, signing_secret = %s WHERE id = %s",
            [receiver.token, receiver.signing_secret, receiver.pk],
        )
    assert receiver.token in _database_text()

    assert seal_existing_rows(WebhookEndpoint, ["secret", "previous_secret"]) == 1
    assert seal_existing_rows(InboundEndpoint, ["token", "signing_secret"]) == 1
    assert seal_existing_rows(InboundEndpoint, ["token", "signing_secret"]) == 0  # safe to run twice
    stored = _database_text()
    for secret in (endpoint.secret, first, receiver.token, receiver.signing_secret):
        assert secret not in stored
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == endpoint.secret
    assert InboundEndpoint.objects.get(token=receiver.token).signing_secret == receiver.signing_secret


def test_a_sealed_value_copied_to_another_column_does_not_open(org, achievement):
    from credstack.organizations.sealing import SealingError

    endpoint, _first, _receiver = _secrets(org, achievement)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk])
        sealed = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE webhooks_webhookendpoint SET previous_secret = %s WHERE id = %s", [sealed, endpoint.pk]
        )
    with pytest.raises(SealingError):
        WebhookEndpoint.objects.get(pk=endpoint.pk)
