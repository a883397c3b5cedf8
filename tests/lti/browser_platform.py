"""A tiny LMS for browser tests, served on loopback under another site than the tool (``localhost`` vs
``127.0.0.1``): its own RSA key and JWKS, OIDC login initiation (a form POST to the tool, at the top or
into an iframe of its course page), an authorization endpoint that signs the id_token, a Deep Linking
return endpoint that verifies the tool's answer, and LTI Dynamic Registration (OpenID configuration and a
registration endpoint), with an admin page that frames the tool and waits for its close message."""

from __future__ import annotations

import html
import json
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

from credstack.lti.actions import register_platform
from credstack.organizations.actors import Actor
from tests.courses.factory import make_course

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
CLIENT_ID, DEPLOYMENT = "browser-lms-client", "browser-deployment"
REGISTRATION_TOKEN = "reg-token-" + uuid.uuid4().hex


def _page(body: str, title: str = "Tiny LMS") -> bytes:
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{title}</title></head>"
        f"<body style='font-family:sans-serif'>{body}</body></html>"
    ).encode()


class BrowserPlatform:
    def __init__(self, tool_url: str):
        self.tool_url = tool_url
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = json.loads(JWK.from_pem(self.private_pem).export_public())
        self.jwks = {"keys": [{**public, "kid": "lms-key", "alg": "RS256", "use": "sig"}]}
        self.posted_launches: list[dict] = []  # the id_token and state each auto-submit form carried
        self.deep_link_answers: list[dict] = []
        self.registrations: list[dict] = []
        self.errors: list[str] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/course":
                    self._html(platform.course_page(query.get("mode", "top")))
                elif url.path == "/auth":
                    self._html(platform.authorize(query))
                elif url.path == "/replay":
                    self._html(platform.replay_form())
                elif url.path == "/jwks":
                    self._json(200, platform.jwks)
                elif url.path == "/.well-known/openid-configuration":
                    self._json(200, platform.openid_configuration())
                elif url.path == "/admin/register":
                    self._html(platform.registration_page(query["url"]))
                else:
                    self._json(404, {})

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                url = urlsplit(self.path)
                if url.path == "/deep-link-return":
                    form = {k: v[0] for k, v in parse_qs(body).items()}
                    self._html(platform.deep_link_return(form.get("JWT", "")))
                elif url.path == "/register":
                    if self.headers.get("Authorization") != f"Bearer {REGISTRATION_TOKEN}":
                        self._json(401, {"error": "invalid_token"})
                        return
                    registration = json.loads(body)
                    platform.registrations.append(registration)
                    answer = {
                        **registration,
                        "client_id": "dyn-client-1",
                        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                            **registration["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                            "deployment_id": "dyn-deployment-1",
                        },
                    }
                    self._json(200, answer)
                else:
                    self._json(404, {})

            def _html(self, data: bytes):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        tool_host = urlsplit(tool_url).hostname
        host = "127.0.0.1" if tool_host == "localhost" else "localhost"  # another site than the tool
        self.url = f"http://{host}:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    # ---- launches

    def course_page(self, mode: str) -> bytes:
        """The LMS's course page: a third-party initiated login, posted into an iframe or at the top."""
        target = "tool" if mode in ("frame", "deeplink", "badaud") else "_self"
        fields = {
            "iss": self.url,
            "client_id": CLIENT_ID,
            "login_hint": "lms-user-7",
            "lti_message_hint": mode,
            "target_link_uri": f"{self.tool_url}/lti/launch",
            "lti_deployment_id": DEPLOYMENT,
        }
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        frame = (
            '<iframe name="tool" id="tool" title="credstack" style="width:100%;height:560px;border:1px solid #888">'
            "</iframe>"
            if target == "tool"
            else ""
        )
        return _page(
            f"<h1>Tiny LMS — Course 7</h1>{frame}"
            f'<form id="login" method="post" action="{self.tool_url}/lti/login" target="{target}">{inputs}</form>'
            "<script>document.getElementById('login').submit()</script>"
        )

    def id_token(self, nonce: str, mode: str) -> str:
        now = int(time.time())
        body = {
            "iss": self.url,
            "aud": [CLIENT_ID, "another-audience"] if mode == "badaud" else CLIENT_ID,
            "sub": "lms-user-7",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "email": "mei@school.example",
            "name": "Mei Tanaka",
            CLAIM + "deployment_id": DEPLOYMENT,
            CLAIM + "version": "1.3.0",
            CLAIM + "target_link_uri": f"{self.tool_url}/lti/launch",
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            CLAIM + "launch_presentation": {"return_url": f"{self.url}/course?mode=done"},
        }
        if mode == "deeplink":
            body[CLAIM + "message_type"] = "LtiDeepLinkingRequest"
            body[CLAIM + "roles"] = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
            body[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.url}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-lms-data-42",
            }
        else:
            body[CLAIM + "message_type"] = "LtiResourceLinkRequest"
            body[CLAIM + "resource_link"] = {"id": "link-7", "title": "Course activity"}
            body[CLAIM + "custom"] = {"course": "python-101"}
        return jwt.encode(body, self.private_pem, algorithm="RS256", headers={"kid": "lms-key"})

    def authorize(self, query: dict) -> bytes:
        """The platform's OIDC authorization endpoint: checks the tool's request, answers with a form that
        posts the signed id_token back (response_mode=form_post)."""
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": CLIENT_ID,
            "redirect_uri": f"{self.tool_url}/lti/launch",
            "login_hint": "lms-user-7",
        }
        wrong = [k for k, v in expected.items() if query.get(k) != v]
        if wrong or not query.get("state") or not query.get("nonce"):
            self.errors.append(f"bad authorization request: {wrong} {query}")
            return _page("<h1>Bad authorization request</h1>")
        fields = {
            "id_token": self.id_token(query["nonce"], query.get("lti_message_hint", "")),
            "state": query["state"],
        }
        self.posted_launches.append(fields)
        return self._auto_post(query["redirect_uri"], fields)

    def _auto_post(self, action: str, fields: dict) -> bytes:
        inputs = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        return _page(
            f'<form id="post" method="post" action="{html.escape(action)}">{inputs}</form>'
            "<script>document.getElementById('post').submit()</script>"
        )

    def replay_form(self) -> bytes:
        """An attacker (or a reload) posting the last launch again."""
        return self._auto_post(f"{self.tool_url}/lti/launch", self.posted_launches[-1])

    # ---- Deep Linking

    def deep_link_return(self, token: str) -> bytes:
        with urllib.request.urlopen(f"{self.tool_url}/lti/jwks", timeout=30) as response:  # the live tool
            tool_jwks = json.loads(response.read())
        kid = jwt.get_unverified_header(token)["kid"]
        key = jwt.PyJWK(next(k for k in tool_jwks["keys"] if k["kid"] == kid)).key
        claims = jwt.decode(token, key, algorithms=["RS256"], audience=self.url, issuer=CLIENT_ID)
        self.deep_link_answers.append(claims)
        items = claims[DL + "content_items"]
        listing = "".join(
            f"<li>Placed: {html.escape(i['title'])} (course={html.escape(i['custom']['course'])})</li>"
            for i in items
        )
        return _page(f"<h1>Activity added</h1><ul id='placed'>{listing}</ul>")

    # ---- Dynamic Registration

    def openid_configuration(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/auth",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "registration_endpoint": f"{self.url}/register",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid"],
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "claims_supported": ["iss", "sub", "name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "tinylms",
                "version": "1.0",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
        }

    def registration_page(self, tool_registration_url: str) -> bytes:
        query = urlencode(
            {
                "openid_configuration": f"{self.url}/.well-known/openid-configuration",
                "registration_token": REGISTRATION_TOKEN,
            }
        )
        return _page(
            "<h1>Tiny LMS — add a tool</h1><p id='status'>waiting</p>"
            f'<iframe id="tool" title="tool registration" style="width:100%;height:420px" '
            f'src="{html.escape(tool_registration_url)}?{query}"></iframe>'
            "<script>window.addEventListener('message', function (e) {"
            " if (e.data && e.data.subject === 'org.imsglobal.lti.close') {"
            "  document.getElementById('status').textContent = 'closed by the tool';"
            "  document.getElementById('tool').remove(); } });</script>"
        )

    def close(self):
        self.server.shutdown()


def registered_lms(base_url: str, org, achievement, settings, lessons: int = 3) -> BrowserPlatform:
    """A Tiny LMS started on loopback and registered with ``org`` as an LTI platform, with a course of
    ``lessons`` lessons for ``achievement`` to launch into. Close it when done."""
    settings.CREDSTACK_LTI_ALLOW_PRIVATE = True  # the LMS serves on loopback
    platform = BrowserPlatform(base_url)
    make_course(org, achievement, lessons=lessons)
    register_platform(
        org,
        name="Tiny LMS",
        issuer=platform.url,
        client_id=CLIENT_ID,
        deployment_ids=[DEPLOYMENT],
        auth_login_url=platform.url + "/auth",
        auth_token_url=platform.url + "/token",
        key_set_url=platform.url + "/jwks",
        actor=Actor.command_line(),
    )
    return platform
