"""No secret in a log line: the inbound webhook token (and the other URL secrets) are masked in gunicorn's
access log of ``credstack serve`` and in Django's request logging."""

from __future__ import annotations

import datetime
import io
import logging
import logging.config
from types import SimpleNamespace

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


def _gunicorn_access_line(logger_class: str) -> str:
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("logger_class", logger_class)
    cfg.set("accesslog", "-")
    logger = cfg.logger_class(cfg)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.setStream(stream)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/hooks/in/{TOKEN}",
        "PATH_INFO": f"/hooks/in/{TOKEN}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.7",
        "HTTP_REFERER": f"https://creds.example.org/hooks/in/{TOKEN}",
    }
    resp = SimpleNamespace(status="202 Accepted", sent=17, headers=[])
    logger.access(resp, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=3))
    return stream.getvalue()


def test_credstack_serve_access_log_masks_the_inbound_token():
    args = cli.build_parser().parse_args(["serve"])
    assert args.func is cli.cmd_serve
    import inspect

    source = inspect.getsource(cli.cmd_serve)
    logger_class = source.split('"--logger-class",')[1].split('"')[1]
    line = _gunicorn_access_line(logger_class)
    assert "POST /hooks/in/*** HTTP/1.1" in line and "202" in line
    assert TOKEN not in line
    # gunicorn's own logger would have written it
    assert TOKEN in _gunicorn_access_line("gunicorn.glogging.Logger")


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
