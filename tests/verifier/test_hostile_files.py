"""Files built to exhaust the verifier: what a stranger can upload to /verify is read in bounded memory."""

from __future__ import annotations

import tracemalloc
import zlib

from credstack.verifier import extract


def _pdf_with_attachments(files: dict[str, bytes]) -> bytes:
    """A minimal PDF (one page) whose EmbeddedFiles name tree holds ``files``, each stream compressed
    with FlateDecode: 10 MB of spaces is 10 KB in the file."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    specs = []
    for name, data in files.items():
        packed = zlib.compress(data)
        stream = add(
            b"<< /Type /EmbeddedFile /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
            + packed
            + b"\nendstream"
        )
        specs.append(
            (name, add(b"<< /Type /Filespec /F (%s) /EF << /F %d 0 R >> >>" % (name.encode(), stream)))
        )
    names = b" ".join(b"(%s) %d 0 R" % (n.encode(), ref) for n, ref in sorted(specs))
    tree = add(b"<< /Names [" + names + b"] >>")
    page = add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 200 200] >>" % (len(objects) + 2))
    pages = add(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R /Names << /EmbeddedFiles %d 0 R >> >>" % (pages, tree))
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


def _peak(fn) -> tuple[object, int]:
    tracemalloc.start()
    try:
        try:
            result: object = fn()
        except extract.ExtractError as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_pdf_of_large_compressed_attachments_is_read_one_small_file_at_a_time():
    """Sixty-four attachments of 10 MB each fit in a 670 KB PDF; the verifier held all of them
    (689 MB) before applying its 1 MB limit to credentials. It now decompresses one at a time and
    stops each at the limit."""
    pdf = _pdf_with_attachments({f"big{i:02}.json": b" " * (10 * 1024 * 1024) for i in range(12)})
    assert len(pdf) < 200 * 1024
    result, peak = _peak(lambda: extract.extract(pdf))
    assert isinstance(result, extract.ExtractError)
    assert "big00.json" in str(result) and "larger than" in str(result)
    assert peak < 24 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def test_the_credential_is_found_among_attachments_too_large_to_be_one(issue):
    """A certificate with other, large files attached still verifies from its credential.json."""
    credential = issue()
    files = {"aa-scan.json": b" " * (5 * 1024 * 1024), "credential.json": credential.document.encode()}
    found = extract.extract(_pdf_with_attachments(files))
    assert found.kind == "pdf" and found.details["attachment"] == "credential.json"
    assert found.credential["id"] == credential.uri
