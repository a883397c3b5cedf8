"""Structured logs and request ids (credstack.requestlog)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

from credstack.logmask import MaskSecretsFilter
from credstack.requestlog import JsonFormatter, RequestContextFilter


def test_json_log_lines_parse_with_traceback_and_masked_secrets(tmp_path):
    script = f"""
import logging.config, os
os.environ["CREDSTACK_HOME"] = {str(tmp_path)!r}
os.environ["CREDSTACK_LOG_FORMAT"] = "json"
from credstack.config import settings
logging.config.dictConfig(settings.LOGGING)
try:
    raise ValueError("bad payload from /hooks/in/s3cr3t-token-value?token=abc123")
except ValueError:
    logging.getLogger("django.request").error("Internal Server Error: /hooks/in/s3cr3t-token-value", exc_info=True)
logging.getLogger("credstack.test").info("issued %d credentials", 3)
"""
    env = {**os.environ, "CREDSTACK_SECRET_KEY": "log-test-secret-" + "x" * 40}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]  # every line is one JSON object
    assert len(lines) == 2
    error, info = lines
    assert error["level"] == "ERROR" and error["logger"] == "django.request"
    assert error["message"] == "Internal Server Error: /hooks/in/***"
    assert error["traceback"].startswith("Traceback (most recent call last)")
    assert "ValueError: bad payload from /hooks/in/***?token=***" in error["traceback"]
    assert "s3cr3t" not in done.stderr and "abc123" not in done.stderr
    assert error["request_id"] is None and error["org"] is None  # outside a request
    assert info == {
        "time": info["time"],
        "level": "INFO",
        "logger": "credstack.test",
        "message": "issued 3 credentials",
        "request_id": None,
        "org": None,
    }
    assert info["time"].endswith("+00:00")


def test_the_plain_format_stays_the_default(tmp_path):
    script = f"""
import logging.config, os
os.environ["CREDSTACK_HOME"] = {str(tmp_path)!r}
os.environ.pop("CREDSTACK_LOG_FORMAT", None)
from credstack.config import settings
logging.config.dictConfig(settings.LOGGING)
logging.getLogger("credstack.test").warning("plain line")
"""
    env = {**os.environ, "CREDSTACK_SECRET_KEY": "log-test-secret-" + "x" * 40}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert " WARNING credstack.test: plain line" in done.stderr


def test_a_request_gets_an_id_echoed_and_on_its_log_lines(client, db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.addFilter(MaskSecretsFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        response = client.get("/c/no-such-credential")
    finally:
        root.removeHandler(handler)
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    not_found = [line for line in lines if line["message"].startswith("Not Found: /c/no-such-credential")]
    assert not_found and not_found[0]["request_id"] == request_id
    assert client.get("/healthz")["X-Request-ID"] != request_id  # a new one for each request


def test_a_trusted_proxys_request_id_is_kept_and_anyone_elses_replaced(client, settings, db):
    settings.CREDSTACK_TRUSTED_PROXIES = ["10.0.0.0/8"]
    kept = client.get("/healthz", REMOTE_ADDR="10.0.0.2", HTTP_X_REQUEST_ID="lb-7f3a-42")
    assert kept["X-Request-ID"] == "lb-7f3a-42"
    stranger = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_ID="lb-7f3a-42")
    assert stranger["X-Request-ID"] != "lb-7f3a-42" and len(stranger["X-Request-ID"]) == 32
    malformed = client.get("/healthz", REMOTE_ADDR="10.0.0.2", HTTP_X_REQUEST_ID="a b\nInjected: 1")
    assert malformed["X-Request-ID"] != "a b\nInjected: 1" and len(malformed["X-Request-ID"]) == 32


def test_a_workspace_log_line_names_its_organization(signed_in):
    client = signed_in("admin")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/w/acme/credentials/no-such-credential/")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    [line] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert line["org"] == "acme" and line["request_id"] == response["X-Request-ID"]
