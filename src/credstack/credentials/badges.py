"""A credential's badge images, served at permanent links: ``{id}.png`` and ``{id}.svg``.

The achievement's badge (uploaded, or generated from the organization's brand) baked with the signed
credential (Open Badges 3.0 ``openbadgecredential``) and the OB 2.0 hosted assertion's JSON. A revoked or
suspended credential's badge carries a diagonal band with its state, as its certificate does
(``files.stamp_for``); the unbaked image is cached per achievement and state, because rasterising it costs
~70 ms and baking microseconds.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Literal, overload

from credstack.achievements.models import Achievement
from credstack.render import badge_png, badge_svg, stamp_png, stamp_svg
from credstack.ui.storage import storage_failure
from credstack.vc import baking

from . import hosted
from .files import brand_color, stamp_for, stamp_label
from .models import Credential

_BADGE_CACHE: OrderedDict[tuple, bytes | str] = OrderedDict()
_BADGE_CACHE_SIZE = 256
_lock = threading.Lock()


def _uploaded_badge(achievement: Achievement) -> tuple[str, bytes] | None:
    field = getattr(achievement, "badge_image", None)
    if not field:
        return None
    try:
        with field.open("rb") as fh:
            data = fh.read(baking.MAX_IMAGE_BYTES + 1)
    except Exception as exc:  # the upload unreadable (gone, S3 down): the generated badge instead
        if not isinstance(exc, OSError) and storage_failure(exc) is None:
            raise
        return None
    if data.startswith(baking.PNG_SIGNATURE):
        return "png", data
    head = data[:4096].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:65536].lower():
        return "svg", data
    return None


def _cached(key: tuple, make: Callable[[], bytes | str]) -> bytes | str:
    with _lock:
        if key in _BADGE_CACHE:
            _BADGE_CACHE.move_to_end(key)
            return _BADGE_CACHE[key]
    value = make()
    with _lock:
        _BADGE_CACHE[key] = value
        while len(_BADGE_CACHE) > _BADGE_CACHE_SIZE:
            _BADGE_CACHE.popitem(last=False)
    return value


@overload
def badge_image(credential: Credential, kind: Literal["png"]) -> bytes: ...
@overload
def badge_image(credential: Credential, kind: Literal["svg"]) -> str: ...
def badge_image(credential: Credential, kind: str) -> bytes | str:
    """The achievement's badge before baking: PNG bytes or SVG text; marked when the credential is
    revoked or suspended."""
    stamp = stamp_for(credential)
    plain = _plain_badge(credential, kind)
    if not stamp:
        return plain
    source = plain if isinstance(plain, bytes) else plain.encode("utf-8")
    label = stamp_label(credential)
    key = (hashlib.sha256(source).hexdigest(), kind, stamp, label)  # the state and its word in the key
    if isinstance(plain, bytes):
        return _cached(key, lambda: stamp_png(plain, label, stamp))
    return _cached(key, lambda: stamp_svg(plain, label, stamp))


def _plain_badge(credential: Credential, kind: str) -> bytes | str:
    achievement, org = credential.achievement, credential.organization
    uploaded = _uploaded_badge(achievement)
    if uploaded and uploaded[0] == kind:
        return uploaded[1] if kind == "png" else uploaded[1].decode("utf-8", "replace")
    color = brand_color(org)
    key = (kind, achievement.name, org.name, color)
    digest = hashlib.sha256(repr(key).encode()).hexdigest()
    if kind == "png":
        return _cached((digest,), lambda: badge_png(achievement.name, color, issuer=org.name, size=512))
    return _cached((digest,), lambda: badge_svg(achievement.name, color, issuer=org.name, size=512))


def baked_png(credential: Credential) -> bytes:
    """The badge PNG with the signed credential (``openbadgecredential``) and the OB 2.0 hosted
    assertion's JSON (``openbadges``)."""
    png = baking.bake_png(badge_image(credential, "png"), credential.document, baking.OB3_KEYWORD)
    return baking.bake_png(png, hosted.assertion_json(credential), baking.OB2_KEYWORD)


def baked_svg(credential: Credential) -> str:
    """The badge SVG with the signed credential (``<openbadges:credential>``) and the OB 2.0 hosted
    assertion (``<openbadges:assertion verify="its URL">`` with its JSON)."""
    svg = baking.bake_svg(
        badge_image(credential, "svg"),
        hosted.assertion_json(credential),
        ob2_verify_url=hosted.assertion_url(credential),
    )
    return baking.bake_svg(svg, credential.document)
