"""Uploads (logos, badges, backgrounds: ui.uploads.read_upload) use the SVG allowlist: each bypass of
the old pattern filter named in issue 13 is refused with a reason; a badge credstack made is kept byte for
byte."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.render import badge_svg
from credstack.ui.uploads import MAX_IMAGE, read_upload

NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
BYPASSES = {
    "css url()": f"<svg {NS}><style>rect {{ fill: url(https://tracker.example/p.svg#g) }}</style><rect/></svg>",
    "escaped @import": f'<svg {NS}><style>@\\69mport "https://evil.example/x.css";</style></svg>',
    "xml-stylesheet": f'<?xml-stylesheet href="https://evil.example/x.css"?><svg {NS}><rect/></svg>',
    "set onmouseover": f'<svg {NS}><rect><set attributeName="onmouseover" to="alert(1)"/></rect></svg>',
    "image src": f'<svg {NS}><image src="https://tracker.example/x.png"/></svg>',
}


@pytest.mark.parametrize("svg", list(BYPASSES.values()), ids=list(BYPASSES))
def test_each_bypass_of_the_review_is_refused_on_upload(svg):
    with pytest.raises(ValidationError) as refused:
        read_upload(SimpleUploadedFile("logo.svg", svg.encode()), ("image/svg+xml",), MAX_IMAGE, field="logo")
    message = refused.value.message_dict["logo"][0]
    assert message.startswith("logo.svg ") and ("refused" in message or "allowed" in message)


def test_a_badge_credstack_made_is_accepted_unchanged():
    data = badge_svg("Foundations of Data Analysis", "#1d3f6e", shape="shield", issuer="Northbridge").encode()
    kind, kept = read_upload(SimpleUploadedFile("badge.svg", data), ("image/svg+xml",), MAX_IMAGE)
    assert kind == "image/svg+xml" and kept == data
