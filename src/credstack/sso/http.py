"""allauth's OpenID Connect provider calls the IdP (its configuration, token endpoint, userinfo, keys)
through a ``requests.Session``; this transport sends those calls through ``credstack.httpclient``, the one
outbound client (pinned address, address policy, time and size caps)."""

from __future__ import annotations

import requests
from django.conf import settings
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from credstack import httpclient


def address_policy() -> httpclient.AddressPolicy:
    """An IdP on the private network (a university's own Keycloak) needs ``CREDSTACK_SSO_ALLOW_PRIVATE``."""
    return httpclient.any_address if settings.CREDSTACK_SSO_ALLOW_PRIVATE else httpclient.public_only


class HttpClientAdapter(BaseAdapter):
    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = request.body
        if isinstance(body, str):
            body = body.encode()
        try:
            answer = httpclient.request(
                request.method,
                request.url,
                body=body,
                headers={k: v for k, v in request.headers.items() if k.lower() != "content-length"},
                policy=address_policy(),
                user_agent="credstack-sso",
            )
        except httpclient.BlockedTarget as exc:
            raise requests.exceptions.InvalidURL(str(exc)) from exc
        except httpclient.HTTPClientError as exc:
            raise requests.exceptions.ConnectionError(str(exc)) from exc
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.body
        response.headers = CaseInsensitiveDict(answer.headers)
        response.url = answer.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def session() -> requests.Session:
    s = requests.Session()
    s.trust_env = False
    adapter = HttpClientAdapter()
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    return s
