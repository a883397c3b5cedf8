"""An LTI 1.3 launch that works as a cross-site form POST and inside the LMS's iframe (decision 0042).

The OIDC login keeps its state and nonce on the server, keyed by a digest of the state value, in the
cache the web nodes share: the launch (a cross-site POST, which carries no ``SameSite=Lax`` cookie)
finds them by the state the platform posts back. A state is taken once: its nonce is used once. On
HTTPS the login also sets a ``SameSite=None; Secure`` cookie naming the state; a browser that carries
such cookies must carry the one of this state (a launch begun in another browser is refused), a browser
that carries none (third-party cookies blocked, inside an iframe) is judged by the server-side state alone.

The audience rule of the 1EdTech Security Framework (§5.1.3): ``aud`` must contain the tool's client id;
with several audiences, ``azp`` must be present and equal to the client id; ``azp``, when present, must
be the client id.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode, urlsplit

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from pylti1p3.contrib.django import DjangoMessageLaunch
from pylti1p3.exception import LtiException

from .http import Session
from .models import LtiPlatform

STATE_SECONDS = 600
JWKS_SECONDS = 300
STATE_COOKIE = "lti-state-"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def _state_key(state: str) -> str:
    return "credstack:lti:state:" + hashlib.sha256(state.encode()).hexdigest()


def state_cookie_name(state: str) -> str:
    return STATE_COOKIE + hashlib.sha256(state.encode()).hexdigest()[:20]


def begin_login(
    platform: LtiPlatform, *, redirect_uri: str, login_hint: str, lti_message_hint: str = ""
) -> tuple[str, str]:
    """Remember a fresh state and nonce; return the platform's authorization URL and the state."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    cache.set(
        _state_key(state),
        {"nonce": nonce, "iss": platform.issuer, "client_id": platform.client_id},
        timeout=STATE_SECONDS,
    )
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if lti_message_hint:
        params["lti_message_hint"] = lti_message_hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(params), state


def set_state_cookie(request: HttpRequest, response: HttpResponse, state: str) -> None:
    """On HTTPS only: a ``SameSite=None; Secure`` cookie binds the state to this browser where it can."""
    if request.is_secure():
        response.set_cookie(
            state_cookie_name(state),
            "1",
            max_age=STATE_SECONDS,
            path="/lti/",
            secure=True,
            httponly=True,
            samesite="None",
        )


def take_state(state: str) -> dict | None:
    """The login behind ``state``, forgotten as it is read: a second launch with it finds nothing."""
    key = _state_key(state)
    login = cache.get(key)
    if login is None or not cache.delete(key):
        return None  # unknown, expired, or taken by a concurrent request a moment ago
    return login


def audience_problem(claims: dict) -> str | None:
    """What is wrong with the token's audience (1EdTech Security Framework §5.1.3), or None."""
    aud, azp = claims.get("aud"), claims.get("azp")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else None
    if not audiences or not all(isinstance(a, str) and a for a in audiences):
        return "the id_token has no audience (aud)"
    if len(audiences) > 1 and not azp:
        return "the id_token has several audiences and no authorized party (azp)"
    if azp is not None and azp not in audiences:
        return "the id_token's authorized party (azp) is not one of its audiences"
    return None


def client_id_of(claims: dict) -> str | None:
    aud, azp = claims.get("aud"), claims.get("azp")
    if azp:
        return azp
    if isinstance(aud, list):
        return aud[0] if len(aud) == 1 else None
    return aud


def origin(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def frame_origins(platform: LtiPlatform | None, claims: dict | None = None) -> list[str]:
    """Where an LTI page may be framed: the platform's registered origins and, from a verified launch,
    the origins the platform states it runs at (``launch_presentation.return_url``, ``tool_platform.url``:
    Canvas's issuer is not the school's host)."""
    urls: list[str] = []
    if platform is not None:
        urls += [platform.issuer, platform.auth_login_url]
    if claims:
        urls.append((claims.get(CLAIM + "launch_presentation") or {}).get("return_url") or "")
        urls.append((claims.get(CLAIM + "tool_platform") or {}).get("url") or "")
    found: list[str] = []
    for url in urls:
        o = origin(url)
        if o and o not in found:
            found.append(o)
    return found


class CredstackMessageLaunch(DjangoMessageLaunch):
    """pylti1p3's launch validation (signature, registration, deployment, message claims), with the state
    and nonce taken from the server and the audience rule checked."""

    login: dict | None = None

    def __init__(self, request: HttpRequest, tool_config) -> None:
        super().__init__(request, tool_config, requests_session=Session())
        self.cookies = dict(request.COOKIES)

    def fetch_public_key(self, key_set_url: str):
        """The platform's JWKS through credstack.httpclient, kept a few minutes in the shared cache."""
        key = "credstack:lti:jwks:" + hashlib.sha256(key_set_url.encode()).hexdigest()
        keys = cache.get(key)
        if keys is None:
            try:
                answer = Session().get(key_set_url)
                keys = answer.json() if answer.ok else None
            except (OSError, ValueError) as exc:
                raise LtiException(f"The platform's keys at {key_set_url} could not be read: {exc}") from None
            if not isinstance(keys, dict) or not isinstance(keys.get("keys"), list):
                raise LtiException(f"The platform's keys at {key_set_url} are not a JWKS")
            cache.set(key, keys, timeout=JWKS_SECONDS)
        return keys

    def get_client_id(self) -> str:
        return client_id_of(dict(self._get_jwt_body())) or ""

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LtiException("Missing state param")
        cookies = [name for name, value in self.cookies.items() if name.startswith(STATE_COOKIE) and value]
        if cookies and state_cookie_name(state) not in cookies:
            raise LtiException("This launch began in another browser (state cookie missing)")
        self.login = take_state(state)
        if self.login is None:
            raise LtiException("State not found: the login expired or this launch was already used")
        return self

    def validate_nonce(self):
        nonce = self._get_jwt_body().get("nonce")
        if not nonce:
            raise LtiException('"nonce" is empty')
        assert self.login is not None  # validate_state ran first
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce, self.login["nonce"]):
            raise LtiException("Invalid Nonce")
        return self

    def validate_registration(self):
        body = self._get_jwt_body()
        problem = audience_problem(body)
        if problem:
            raise LtiException(problem)
        assert self.login is not None
        if body.get("iss") != self.login["iss"] or self.get_client_id() != self.login["client_id"]:
            raise LtiException("The id_token is not from the platform the login began with")
        return super().validate_registration()

    def save_launch_data(self):
        return self  # nothing in the session: the launch data the tool needs is kept by the view
