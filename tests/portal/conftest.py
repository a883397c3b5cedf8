from __future__ import annotations

import re

import pytest
from django.core import mail


@pytest.fixture
def portal_login(client):
    """Sign ``client`` in to the portal as the holder of ``email`` (through the real code email)."""

    def _login(email: str, c=None):
        c = c or client
        mail.outbox.clear()
        response = c.post("/me/login", {"email": email})
        assert response.status_code == 302, response.content.decode()[:500]
        code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
        response = c.post("/me/login/code", {"code": code})
        assert response.status_code == 302 and response["Location"] == "/me/"
        return c

    return _login
