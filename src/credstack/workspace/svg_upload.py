"""The upload check for SVG images (logos, badges, backgrounds): the allowlist of
:mod:`credstack.render.svg_sanitise`, its refusal worded as a form error."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from credstack.render.svg_sanitise import UnsafeSvg, check_svg


def check_svg_upload(data: bytes, name: str = "image.svg", field: str = "file") -> None:
    try:
        check_svg(data)
    except UnsafeSvg as exc:
        raise ValidationError({field: f"{name} {exc}"}) from None
