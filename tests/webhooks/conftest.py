"""Fixtures shared by the outbound webhook tests: a real loopback receiver and a signed-in admin."""

from __future__ import annotations

import pytest

from tests.webhooks.test_outbound import Receiver
from tests.workspace.conftest import make_user


@pytest.fixture
def receiver(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on loopback
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def admin(client, org):
    from credstack.organizations.models import Membership

    user = make_user("admin-acme@example.org")
    Membership.objects.create(organization=org, user=user, role="admin")
    client.force_login(user)
    return client
