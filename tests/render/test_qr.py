"""A certificate's QR code: credstack's own encoder (decision 0072) gives segno's very modules, and a
scanner reads the code as drawn in the PDF."""

from __future__ import annotations

import random
import string

import pypdfium2 as pdfium
import segno
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.render import builtin_design, qr, qrencode, render_pdf
from credstack.render.samples import sample_values

URL_CHARACTERS = string.ascii_letters + string.digits + "-._~:/?#[]@!$&()*+,;=% "


def _segno(value: str) -> list[list[int]]:
    code = segno.make_qr(value, error="m", mask=qr.FIXED_MASK, boost_error=False)
    return [list(row) for row in code.matrix]


def test_every_length_and_version_gives_segnos_modules():
    rng = random.Random(12)
    versions, fast = set(), 0
    for length in range(1, 216):
        for _ in range(4):
            value = "".join(rng.choice(URL_CHARACTERS) for _ in range(length))
            made = qrencode.matrix(value)
            if made is not None:
                fast += 1
                versions.add((len(made) - 17) // 4)
            assert qr.matrix(value) == _segno(value), value
    assert versions == set(range(1, qrencode.MAX_VERSION + 1))  # every version of the fast path met
    assert fast > 800


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=240))
def test_any_ascii_text_gives_segnos_modules(value):
    assert qr.matrix(value) == _segno(value)


def test_what_the_fast_path_leaves_to_segno():
    assert qrencode.matrix("0123456789") is None  # numeric mode
    assert qrencode.matrix("HTTPS://EXAMPLE.ORG/C/AB12") is None  # alphanumeric mode
    assert qrencode.matrix("https://exämple.org/c/1") is None  # not ASCII
    assert qrencode.matrix("https://example.org/" + "a" * 300) is None  # past version 10
    for value in ("0123456789", "HTTPS://EXAMPLE.ORG/C/AB12", "https://exämple.org/c/1", "x" * 400):
        assert qr.matrix(value) == _segno(value)


def test_the_code_on_a_certificate_scans_to_its_url():
    url = "https://credentials.example.org/c/7QXK4M9PZT2Wb3kq"
    assert qrencode.matrix(url) is not None  # drawn by credstack's encoder
    pdf = render_pdf(builtin_design("classic"), sample_values("latin", credential_url=url))
    doc = pdfium.PdfDocument(pdf)
    try:
        image = doc[0].render(scale=3).to_pil()
    finally:
        doc.close()
    found = [r.text for r in zxingcpp.read_barcodes(image)]
    assert found == [url]
