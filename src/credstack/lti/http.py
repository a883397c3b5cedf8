"""pylti1p3 makes its HTTP calls (the platform's JWKS, the AGS token and score posts) through a
``requests.Session``; this stand-in sends them through ``credstack.httpclient``, the one outbound client
(pinned address, address policy, time and size caps). Only what pylti1p3 uses is provided."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings

from credstack import httpclient


def address_policy() -> httpclient.AddressPolicy:
    """An LMS on the private network (a school's Moodle) needs ``CREDSTACK_LTI_ALLOW_PRIVATE``."""
    return httpclient.any_address if settings.CREDSTACK_LTI_ALLOW_PRIVATE else httpclient.public_only


@dataclass
class Answer:
    """The part of ``requests.Response`` pylti1p3 reads."""

    url: str
    status_code: int
    content: bytes
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 400

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


class Session:
    def request(self, method: str, url: str, data=None, headers: dict | None = None) -> Answer:
        headers = dict(headers or {})
        body: bytes | None = None
        if isinstance(data, dict):
            body = urlencode(data).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif isinstance(data, str):
            body = data.encode()
        elif isinstance(data, bytes):
            body = data
        try:
            answer = httpclient.request(
                method, url, body=body, headers=headers, policy=address_policy(), user_agent="credstack-lti"
            )
        except (httpclient.HTTPClientError, httpclient.BlockedTarget) as exc:
            raise OSError(f"{url}: {exc}") from exc
        return Answer(url=answer.url, status_code=answer.status, content=answer.body, headers=answer.headers)

    def get(self, url: str, headers: dict | None = None, **_ignored) -> Answer:
        return self.request("GET", url, headers=headers)

    def post(self, url: str, data=None, headers: dict | None = None, **_ignored) -> Answer:
        return self.request("POST", url, data=data, headers=headers)
