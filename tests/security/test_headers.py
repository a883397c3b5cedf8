"""Security headers: a Content-Security-Policy with a fresh nonce on every HTML page, no inline handler a
policy would block, and HSTS / secure cookies / https redirect when the base URL is https."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
TEMPLATES = sorted(p for p in (SRC / "credstack").rglob("templates/**/*.html") if "/email/" not in str(p))


def test_every_html_page_has_a_csp_with_a_fresh_nonce(client, db):
    first = client.get("/verify")
    second = client.get("/verify")
    csp = first["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert re.search(r"'nonce-([^']+)'", second["Content-Security-Policy"]).group(1) != nonce
    assert (
        "script-src 'self' 'nonce-" in csp
        and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    )
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp
    html = first.content.decode()
    # every inline <script>/<style> of the page carries this request's nonce
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        assert "src=" in tag or f'nonce="{nonce}"' in tag, tag


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_template_runs_script_the_policy_would_block(path):
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler: use a data- attribute (page.js)"
    assert "javascript:" not in text
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
        assert "src=" in tag or 'nonce="{{ csp_nonce }}"' in tag, tag


HTTPS_PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
c = Client()
out = {}
r = c.get("/healthz")
out["healthz"] = r.status_code
r = c.get("/verify")
out["plain"] = [r.status_code, r.get("Location")]
r = c.get("/verify", secure=True)
out["secure"] = [r.status_code, r.get("Strict-Transport-Security"), bool(r.get("Content-Security-Policy"))]
r = c.get("/verify", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="203.0.113.9")
out["forged_proto"] = r.status_code
r = c.get("/verify", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.1.2.3")
out["proxy_proto"] = r.status_code
out["cookies"] = [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]
print(json.dumps(out))
"""


def _run(args, tmp_path, **env):
    environ = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "CREDSTACK_HOME": str(tmp_path),
        "CREDSTACK_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
        **env,
    }
    environ.pop("CREDSTACK_DEBUG", None)
    environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests' process, never in deployment
    return subprocess.run([sys.executable, *args], env=environ, capture_output=True, text=True, timeout=120)


def test_https_base_url_redirects_plain_http_sends_hsts_and_trusts_only_the_proxy(tmp_path):
    done = _run(
        ["-c", HTTPS_PROBE],
        tmp_path,
        CREDSTACK_BASE_URL="https://creds.example.org",
        CREDSTACK_ALLOWED_HOSTS="testserver",
        CREDSTACK_TRUSTED_PROXIES="10.0.0.0/8",
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["healthz"] == 200  # a load balancer's plain-http probe is not redirected
    assert out["plain"] == [301, "https://testserver/verify"]
    status, hsts, has_csp = out["secure"]
    assert status == 200 and has_csp
    assert hsts.startswith("max-age=31536000") and "includeSubDomains" in hsts
    assert out["forged_proto"] == 301  # a client cannot claim https itself
    assert out["proxy_proto"] == 200  # the trusted proxy can
    assert out["cookies"] == [True, True]


def test_check_deploy_is_clean_for_an_https_deployment(tmp_path):
    done = _run(
        ["-m", "credstack.cli", "manage", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        CREDSTACK_BASE_URL="https://creds.example.org",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
