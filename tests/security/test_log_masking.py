"""No secret in a log line: the inbound webhook token (and the other URL secrets) are masked in granian's
access log of ``credstack serve`` and in Django's request logging."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from pathlib import Path

import pytest

from credstack import cli
from credstack.logmask import mask

TOKEN = "Zk3q9x_Vb2LmN4pQ7rT1sW8yA0cE5gHj"


@pytest.mark.parametrize(
    "line",
    [
        f"POST /hooks/in/{TOKEN} HTTP/1.1",
        f"GET /w/invitations/{TOKEN} HTTP/1.1",
        f"GET /d/{TOKEN}/open.gif HTTP/1.1",
        f"GET /learn/reminders/off/{TOKEN} HTTP/1.1",
        f"GET /accounts/confirm-email/{TOKEN}/ HTTP/1.1",
        f"GET /accounts/password/reset/key/1-{TOKEN}/ HTTP/1.1",
        f"GET /ims/ob/v3p0/oauth/authorize/done?state=x&code={TOKEN} HTTP/1.1",
        f"POST /lti/login?iss=https://lms.example&login_hint={TOKEN}&lti_message_hint={TOKEN} HTTP/1.1",
    ],
)
def test_every_url_secret_is_masked(line):
    masked = mask(line)
    assert TOKEN not in masked
    assert "***" in masked
    assert masked.split(" ")[0] == line.split(" ")[0] and masked.endswith("HTTP/1.1")


def test_an_ordinary_request_line_is_unchanged():
    line = "GET /c/Ab12Cd34/badge.svg?download=1 HTTP/1.1"
    assert mask(line) == line


def test_masking_a_huge_line_is_linear():
    import time

    line = "GET /" + "hooks/in/" * 50_000 + "x" * 100_000 + "?" + "a=b&" * 50_000
    start = time.perf_counter()
    mask(line)
    assert time.perf_counter() - start < 1


def _granian_access_line(config: dict) -> str:
    """A request line as granian's access logger writes it (``granian.log``'s default format), through the
    logging configuration ``config``."""
    from granian.log import DEFAULT_ACCESSLOG_FMT

    stream = io.StringIO()
    logging.config.dictConfig(config)
    try:
        for handler in logging.getLogger("granian.access").handlers:
            handler.setStream(stream)  # type: ignore[attr-defined]
        atoms = {
            "time": "2026-12-05 12:00:00 +0000",
            "addr": "203.0.113.7",
            "method": "POST",
            "path": f"/hooks/in/{TOKEN}",
            "protocol": "HTTP/1.1",
            "status": 202,
            "dt_ms": 3.0,
        }
        logging.getLogger("granian.access").info(DEFAULT_ACCESSLOG_FMT, atoms)
    finally:
        logging.getLogger("granian.access").handlers.clear()
    return stream.getvalue()


def test_credstack_serve_access_log_masks_the_inbound_token():
    args = cli.build_parser().parse_args(["serve"])
    assert args.func is cli.cmd_serve
    command = cli.web_command("127.0.0.1", 8000)
    config_path = command[command.index("--log-config") + 1]
    assert "--access-log" in command
    line = _granian_access_line(json.loads(Path(config_path).read_text()))
    assert "POST /hooks/in/*** HTTP/1.1" in line and "202" in line
    assert TOKEN not in line
    # granian's own logging configuration would have written it
    from granian.log import LOGGING_CONFIG

    assert TOKEN in _granian_access_line(LOGGING_CONFIG)


def test_django_request_logging_masks_the_inbound_token():
    from credstack.config import settings as production

    config = production.LOGGING
    stream = io.StringIO()
    try:
        logging.config.dictConfig(config)
        for name in ("django.request", "django.server"):
            for handler in logging.getLogger(name).handlers:
                handler.setStream(stream)
        logging.getLogger("django.request").warning("Not Found: %s", f"/hooks/in/{TOKEN}")
        logging.getLogger("django.server").info('"%s" %s %s', f"POST /hooks/in/{TOKEN} HTTP/1.1", 404, 0)
    finally:
        from django.conf import settings

        logging.config.dictConfig(settings.LOGGING)
    written = stream.getvalue()
    assert "Not Found: /hooks/in/***" in written
    assert '"POST /hooks/in/*** HTTP/1.1" 404' in written
    assert TOKEN not in written
