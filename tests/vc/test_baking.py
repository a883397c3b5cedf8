"""Baking credentials into PNG and SVG badges, and reading them back from untrusted files."""

from __future__ import annotations

import io
import json
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from credstack.render import badge_svg
from credstack.vc import baking


def _png(size=8) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", (size, size), (10, 20, 30, 255)).save(buf, "PNG")
    return buf.getvalue()


def test_png_round_trip_both_keywords_and_replacement():
    png = _png()
    baked = baking.bake_png(png, '{"a": "ü 🎓"}')
    baked = baking.bake_png(baked, "https://x.example/c/1/ob2", baking.OB2_KEYWORD)
    baked = baking.bake_png(baked, '{"a": 2}')  # replaces the first, never duplicates
    assert baking.png_payloads(baked) == {
        "openbadgecredential": '{"a": 2}',
        "openbadges": "https://x.example/c/1/ob2",
    }
    assert baked.count(b"openbadgecredential") == 1
    assert Image.open(io.BytesIO(baked)).size == (8, 8)  # still a valid PNG


def test_png_reads_compressed_itxt_from_other_bakers():
    text = json.dumps({"id": "x"}).encode()
    data = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(text)
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    png = _png()
    png = png[:-12] + chunk + png[-12:]
    assert baking.png_payloads(png)["openbadgecredential"] == text.decode()


def test_png_refuses_zip_bombs_and_truncation():
    bomb = zlib.compress(b"{" + b" " * (baking.MAX_PAYLOAD_BYTES + 10) + b"}")
    data = b"openbadgecredential\x00\x01\x00\x00\x00" + bomb
    chunk = struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    png = _png()
    with pytest.raises(baking.BakingError, match="larger than"):
        baking.png_payloads(png[:-12] + chunk + png[-12:])
    with pytest.raises(baking.BakingError, match="truncated"):
        baking.png_payloads(png[:40])
    with pytest.raises(baking.BakingError, match="not a PNG"):
        baking.png_payloads(b"GIF89a....")
    with pytest.raises(baking.BakingError, match="limit"):
        baking.png_payloads(baking.PNG_SIGNATURE + b"\x00" * (baking.MAX_IMAGE_BYTES + 1))


def test_svg_round_trip_cdata_edge_and_ob2():
    svg = badge_svg("Data ]]> Science")
    payload = json.dumps({"name": "tricky ]]> <b>&amp;</b>"})
    baked = baking.bake_svg(svg, payload)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert baking.svg_payloads(baked)["openbadgecredential"] == payload
    rebaked = baking.bake_svg(baked, '{"v": 2}')
    assert rebaked.count("<openbadges:credential>") == 1
    ob2 = baking.bake_svg(svg, "", ob2_verify_url="https://x.example/a?b=1&c=2")
    assert baking.svg_payloads(ob2) == {"openbadges": "https://x.example/a?b=1&c=2"}
    with pytest.raises(baking.BakingError, match="verify value"):
        baking.bake_svg(svg, "{}", ob2_verify_url=" ")


OB2_NS = "{http://openbadges.org}"
OB3_NS = "{https://purl.imsglobal.org/ob/v3p0}"


def test_svg_with_both_ob3_credential_and_ob2_hosted_assertion():
    """OB 2.0 baking: ``<openbadges:assertion verify="URL">`` right after ``<svg>``, the hosted assertion's
    JSON in CDATA, namespace http://openbadges.org; the OB 3.0 credential beside it keeps its own
    namespace and its exact text. An XML parser sees each element in its namespace."""
    from xml.etree import ElementTree  # our own output: a plain parser is fine in the test

    svg = badge_svg("Data ]]> Science")
    assertion = json.dumps({"id": "https://x.example/c/1/ob2", "type": "Assertion", "n": "]]> &"})
    credential = json.dumps({"id": "urn:uuid:1", "name": "ü 🎓 ]]>"}, ensure_ascii=False)
    baked = baking.bake_svg(svg, assertion, ob2_verify_url="https://x.example/c/1/ob2?a=1&b=2")
    baked = baking.bake_svg(baked, credential)
    assert baking.svg_payloads(baked) == {baking.OB3_KEYWORD: credential, baking.OB2_KEYWORD: assertion}
    root = ElementTree.fromstring(baked)  # noqa: S314 (our own output)
    first, second = list(root)[:2]  # both right after <svg>, the credential first
    assert first.tag == OB3_NS + "credential" and first.text.strip() == credential
    assert second.tag == OB2_NS + "assertion" and json.loads(second.text) == json.loads(assertion)
    assert second.get("verify") == "https://x.example/c/1/ob2?a=1&b=2"
    # re-baking either replaces it and keeps the other
    again = baking.bake_svg(
        baked, '{"id": "https://x.example/c/2/ob2"}', ob2_verify_url="https://x.example/c/2/ob2"
    )
    again = baking.bake_svg(again, credential)
    assert again.count("<openbadges:assertion") == 1 and again.count("<openbadges:credential>") == 1
    assert baking.svg_payloads(again)[baking.OB2_KEYWORD] == '{"id": "https://x.example/c/2/ob2"}'
    assert baking.svg_payloads(again)[baking.OB3_KEYWORD] == credential
    ElementTree.fromstring(again)  # noqa: S314 (our own output)
    # OB 2.0 alone: the <svg> tag binds the prefix to the OB 2.0 namespace, as that spec says
    alone = baking.bake_svg(svg, assertion, ob2_verify_url="https://x.example/c/1/ob2")
    assert 'xmlns:openbadges="http://openbadges.org"' in alone[: alone.index("<openbadges:assertion")]
    root = ElementTree.fromstring(alone)  # noqa: S314 (our own output)
    assert next(iter(root)).tag == OB2_NS + "assertion"


def test_svg_never_expands_entities():
    evil = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><openbadges:credential>&b;</openbadges:credential></svg>'
    )
    assert baking.svg_payloads(evil) == {"openbadgecredential": "&b;"}


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_text_survives_baking(text):
    payload = json.dumps({"t": text}, ensure_ascii=False)
    assert baking.png_payloads(baking.bake_png(_png(2), payload))["openbadgecredential"] == payload
    assert baking.svg_payloads(baking.bake_svg("<svg></svg>", payload))["openbadgecredential"] == payload


HOSTILE_REPEATS = [
    "<openbadges:credential>",  # opened, never closed (24 s at 184 KB with the old regular expressions)
    "<openbadges:credential x='",  # a tag that never ends
    "<openbadges:assertion verify='a'>",
    "<svg <svg ",
    "<![CDATA[",
    "</openbadges:credential x>",  # closing tags that are not closing tags
]


@pytest.mark.parametrize("unit", HOSTILE_REPEATS)
def test_a_hostile_svg_is_read_in_linear_time(unit):
    """Every search over the SVG is linear: 2 MB made of one fragment repeated is read in about 0.2 s
    of CPU on a quiet machine, where the regular expressions used before needed 24 s for 184 KB and
    would need most of an hour for this. The bound below is a hundred times the linear time, so load
    cannot make a linear reader fail it, and no quadratic one can meet it."""
    import time

    body = unit * (2 * 1024 * 1024 // len(unit))
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><openbadges:credential>{body}'
    started = time.process_time()
    try:
        found = baking.svg_payloads(svg)
    except baking.BakingError as exc:  # too large a payload is refused, with the reason
        assert "larger than" in str(exc)
    else:
        assert found == {}
    assert time.process_time() - started < 20


def test_a_well_formed_element_after_hostile_fragments_is_still_found():
    payload = '{"id": "urn:x"}'
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg">'
        + "</openbadges:credential x>" * 50
        + f"<openbadges:credential><![CDATA[{payload}]]></openbadges:credential   >"
        + "<openbadges:assertion verify='https://x.example/a?b=1&amp;c=2'/>"
        + "</svg>"
    )
    assert baking.svg_payloads(svg) == {
        baking.OB3_KEYWORD: payload,
        baking.OB2_KEYWORD: "https://x.example/a?b=1&c=2",
    }
    rebaked = baking.bake_svg(baking.bake_svg(svg, '{"id": "urn:y"}'), '{"id": "urn:z"}')
    assert rebaked.count("<openbadges:credential>") == 1
    assert baking.svg_payloads(rebaked)[baking.OB3_KEYWORD] == '{"id": "urn:z"}'
