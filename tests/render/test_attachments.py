"""Files attached to a certificate PDF come back byte for byte; bad input is refused clearly."""

import io
import json
import os

import pytest
from pypdf import PdfReader

from credstack.render import AttachmentError, builtin_design, extract_attachments, render_pdf, sample_values


def test_attachments_round_trip_byte_for_byte():
    credential = json.dumps(
        {"@context": ["https://www.w3.org/ns/credentials/v2"], "name": "Ахмед محمد 王"}, ensure_ascii=False
    ).encode()
    blob = os.urandom(50_000)  # incompressible binary
    files = [
        ("credential.json", credential, "application/json"),
        ("évidence — ü.bin", blob, "application/octet-stream"),
        ("empty.txt", b"", "text/plain"),
    ]
    pdf = render_pdf(builtin_design("classic"), sample_values(), attachments=files)
    got = extract_attachments(pdf)
    assert got == {name: data for name, data, _ in files}


def test_attachments_are_associated_files_with_their_mime_type():
    pdf = render_pdf(
        builtin_design("minimal"),
        sample_values(),
        attachments=[("credential.json", b"{}", "application/json")],
    )
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    af = root["/AF"]
    assert len(af) == 1
    spec = af[0].get_object()
    assert spec["/AFRelationship"] == "/Data" and spec["/UF"] == "credential.json"
    assert spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"
    assert spec["/EF"]["/F"].get_object()["/Params"]["/Size"] == 2


def test_a_pdf_without_attachments_gives_an_empty_dict():
    assert extract_attachments(render_pdf(builtin_design("modern"), sample_values())) == {}


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "not a PDF"),
        (b"hello world", "not a PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "not a PDF"),
        (b"%PDF-1.7\n" + b"\0" * 1000, "unreadable PDF"),
        (
            b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj trailer << /Root 1 0 R >>",
            "unreadable PDF",
        ),
    ],
)
def test_non_pdf_input_is_refused_clearly(data, message):
    with pytest.raises(AttachmentError, match=message):
        extract_attachments(data)


def test_wrong_type_is_refused():
    with pytest.raises(AttachmentError, match="expected the PDF's bytes"):
        extract_attachments("a string")  # type: ignore[arg-type]


def test_huge_input_is_refused_before_parsing():
    with pytest.raises(AttachmentError, match="limit"):
        extract_attachments(b"%PDF-1.7\n" + b" " * (26 * 1024 * 1024))
    pdf = render_pdf(builtin_design("minimal"), sample_values(), attachments=[("a.bin", b"x" * 5000, "x/y")])
    with pytest.raises(AttachmentError, match="limit"):
        extract_attachments(pdf, max_bytes=1000)
    with pytest.raises(AttachmentError, match="larger than"):
        extract_attachments(pdf, max_attachment_bytes=1000)


def test_bad_attachment_arguments():
    with pytest.raises(TypeError):
        render_pdf(builtin_design("minimal"), sample_values(), attachments=[("a.json", "not bytes", "x/y")])
