"""Optional error reports to Sentry (or a Sentry-compatible service such as GlitchTip).

Turned on by ``SENTRY_DSN`` in the environment (``credstack.config.settings`` calls :func:`init`); needs the
``sentry`` extra (``pip install credstack[sentry]``). No personal data by default: no user, no cookies, no
client address (``send_default_pii=False``), and the URL secrets ``credstack.logmask`` knows are masked in
what is sent. ``SENTRY_ENVIRONMENT``, ``SENTRY_RELEASE`` and ``SENTRY_TRACES_SAMPLE_RATE`` (default 0: errors
only) tune it; ``SENTRY_SEND_PII=1`` sends the user.
"""

from __future__ import annotations

import os
from typing import Any

from credstack.logmask import mask


def scrub(event: dict[str, Any], hint: object = None) -> dict[str, Any]:
    """``before_send``: URL secrets masked in the request's URL and query string."""
    request = event.get("request")
    if isinstance(request, dict):
        for field in ("url", "query_string"):
            if isinstance(request.get(field), str):
                request[field] = mask(request[field] if field == "url" else "?" + request[field])
                if field == "query_string":
                    request[field] = request[field].removeprefix("?")
    return event


def init(dsn: str) -> bool:
    """Start reporting; False (and a warning on stderr) when sentry-sdk is not installed."""
    try:
        import sentry_sdk  # optional extra: only a deployment that reports errors installs it
        from sentry_sdk.integrations.django import DjangoIntegration  # optional extra, as above
    except ImportError:
        print(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'credstack[sentry]'", flush=True
        )
        return False
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=os.environ.get("SENTRY_SEND_PII", "") == "1",
        environment=os.environ.get("SENTRY_ENVIRONMENT") or None,
        release=os.environ.get("SENTRY_RELEASE") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        before_send=scrub,  # type: ignore[arg-type]
    )
    return True
