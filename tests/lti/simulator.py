"""A fake LTI 1.3 platform (an LMS): its own RSA key and JWKS, id_token signing, and a token and score
endpoint on loopback that checks the tool's client assertion against the tool's published JWKS."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from jwcrypto.jwk import JWK

ISSUER, CLIENT_ID, DEPLOYMENT = "https://lms.example", "credstack-tool", "deployment-1"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


class FakePlatform:
    def __init__(self):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = json.loads(JWK.from_pem(self.private_pem).export_public())
        self.jwks = {"keys": [{**public, "kid": "platform-key-1", "alg": "RS256", "use": "sig"}]}
        self.tool_jwks: dict = {}
        self.scores: list[dict] = []
        self.token_requests: list[dict] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                if self.path == "/token":
                    form = {k: v[0] for k, v in parse_qs(body).items()}
                    platform.token_requests.append(form)
                    assertion = form["client_assertion"]
                    kid = jwt.get_unverified_header(assertion)["kid"]
                    jwk = next(k for k in platform.tool_jwks["keys"] if k["kid"] == kid)
                    claims = jwt.decode(
                        assertion, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=platform.url + "/token"
                    )
                    assert claims["iss"] == claims["sub"] == CLIENT_ID
                    self._json(
                        200,
                        {
                            "access_token": "platform-token",
                            "token_type": "Bearer",
                            "expires_in": 3600,
                            "scope": form["scope"],
                        },
                    )
                elif self.path == "/lineitems/7/lineitem/scores":
                    assert self.headers["Authorization"] == "Bearer platform-token"
                    platform.scores.append(json.loads(body))
                    self._json(200, {})
                else:
                    self._json(404, {})

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
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()

    def id_token(self, nonce: str, **claims) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "lms-user-42",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            CLAIM + "deployment_id": DEPLOYMENT,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "target_link_uri": "http://testserver/lti/launch",
            CLAIM + "resource_link": {"id": "resource-link-1", "title": "Python in Five Lessons"},
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            CLAIM + "custom": {"course": "python-101"},
            "email": "learner@school.example",
            "name": "Lin Wei 林伟",
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitem": self.url + "/lineitems/7/lineitem",
                "lineitems": self.url + "/lineitems",
            },
        }
        body.update(claims)
        return jwt.encode(body, self.private_pem, algorithm="RS256", headers={"kid": "platform-key-1"})

    def close(self):
        self.server.shutdown()


def start_login(browser: Client) -> dict:
    response = browser.post(
        "/lti/login",
        {
            "iss": ISSUER,
            "client_id": CLIENT_ID,
            "login_hint": "lms-user-42",
            "target_link_uri": "http://testserver/lti/launch",
            "lti_message_hint": "resource-link-1",
        },
    )
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == ISSUER + "/auth"
    return {k: v[0] for k, v in parse_qs(location.query).items()}
