"""SENTRY_DSN turns on error reports, without personal data (credstack.errorreports)."""

from __future__ import annotations

import os
import subprocess
import sys

from credstack.errorreports import scrub


def test_sentry_starts_from_the_environment_without_personal_data(tmp_path):
    script = f"""
import os
os.environ["CREDSTACK_HOME"] = {str(tmp_path)!r}
os.environ["SENTRY_DSN"] = "http://public@127.0.0.1:9/1"
from credstack.config import settings
import sentry_sdk
client = sentry_sdk.get_client()
print(client.is_active(), client.options["send_default_pii"], "django" in client.integrations)
"""
    env = {**os.environ, "CREDSTACK_SECRET_KEY": "sentry-test-secret-" + "x" * 40}
    env.pop("SENTRY_DSN", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "False", "True"]


def test_without_a_dsn_nothing_reports(tmp_path):
    script = f"""
import os
os.environ["CREDSTACK_HOME"] = {str(tmp_path)!r}
from credstack.config import settings
import sentry_sdk
print(sentry_sdk.get_client().is_active())
"""
    env = {**os.environ, "CREDSTACK_SECRET_KEY": "sentry-test-secret-" + "x" * 40}
    env.pop("SENTRY_DSN", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env)
    assert done.stdout.strip() == "False", done.stderr


def test_url_secrets_are_masked_in_what_is_sent():
    event = {
        "request": {
            "url": "https://certs.example.org/hooks/in/abcdef123456",
            "query_string": "token=s3cr3t&page=2",
        }
    }
    sent = scrub(event)
    assert sent["request"]["url"] == "https://certs.example.org/hooks/in/***"
    assert sent["request"]["query_string"] == "token=***&page=2"
