"""Find the credential in what someone pastes or uploads: JSON, a JWT, a PDF (attachment), a PNG or SVG
(baked). Pure (no Django): the ``credstack verify`` command uses it too.

Returns an :class:`Extracted`: the credential as a dict when there is one we can check (and, for a
JWT-secured credential, the token to verify), else an explanation of what the input is and why it cannot
be checked here.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field

from credstack.vc import baking, jose
from credstack.vc.errors import VCError, error_reason

MAX_INPUT_BYTES = 20 * 1024 * 1024
MAX_JSON_BYTES = 1024 * 1024
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_JWT = re.compile(r"^[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*$")


class ExtractError(ValueError):
    """The input cannot be read as a credential; the message says what it is and what to do (English, for
    the API); ``code`` and ``params`` let the page say it in its viewer's language (verifier.messages)."""

    def __init__(self, message: str, code: str = "", **params) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def reason(self) -> dict:
        return {"code": self.code, "params": self.params, "message": str(self)}


@dataclass
class Extracted:
    kind: str  # "json", "jwt", "pdf", "png", "svg"
    credential: dict | None = None
    # for inputs we recognise but cannot check (a JWT, an OB 2.0 assertion)
    explanation: str = ""
    explanation_code: str = ""  # its code in verifier.messages
    explanation_params: dict = field(default_factory=dict)
    details: dict = field(default_factory=dict)
    # the compact JWS when the credential came secured as a JWT: verify this, not ``credential``
    jwt: str = ""

    @property
    def source(self) -> str:
        return {
            "json": "pasted or uploaded JSON",
            "jwt": "a JWT",
            "pdf": "the PDF's attachment",
            "png": "the PNG badge's baked credential",
            "svg": "the SVG badge's baked credential",
        }[self.kind]


def sniff(data: bytes) -> str:
    head = data[:1024].lstrip()
    if data.startswith(baking.PNG_SIGNATURE):
        return "png"
    if b"%PDF-" in data[:1024]:
        return "pdf"
    low = head[:256].lower()
    if low.startswith((b"<svg", b"<?xml", b"<!--")) and b"<svg" in data[:65536].lower():
        return "svg"
    if head.startswith((b"{", b"[")):
        return "json"
    if _JWT.match(data.strip()[: MAX_JSON_BYTES * 2].decode("ascii", "replace")):
        return "jwt"
    if head.startswith(b"\xff\xd8"):
        return "jpeg"
    return "unknown"


def extract(data: bytes | str) -> Extracted:
    """Find the credential in ``data``. Raises ExtractError with a specific message."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_INPUT_BYTES:
        raise ExtractError(
            f"the input is {len(data)} bytes; the limit is {MAX_INPUT_BYTES // (1024 * 1024)} MiB",
            "extract.too-large",
            size=len(data),
            limit=MAX_INPUT_BYTES // (1024 * 1024),
        )
    if not data.strip():
        raise ExtractError("nothing to verify: paste a credential or choose a file", "extract.empty")
    kind = sniff(data)
    if kind == "json":
        return _from_json(data, "json")
    if kind == "jwt":
        return _from_jwt(data.decode("ascii").strip(), "jwt")
    if kind == "pdf":
        return _from_pdf(data)
    if kind in ("png", "svg"):
        try:
            payloads = baking.png_payloads(data) if kind == "png" else baking.svg_payloads(data)
        except baking.BakingError as exc:
            raise ExtractError(
                f"cannot read the {kind.upper()} image: {exc}",
                "extract.image-unreadable",
                kind=kind.upper(),
                error=str(exc),
            ) from None
        if baking.OB3_KEYWORD in payloads:
            return _from_text(payloads[baking.OB3_KEYWORD], kind)
        if baking.OB2_KEYWORD in payloads:
            ob2 = payloads[baking.OB2_KEYWORD].strip()
            if ob2.startswith("{"):
                return _from_json(ob2.encode("utf-8"), kind)
            return Extracted(
                kind,
                explanation="This badge carries an Open Badges 2.0 hosted assertion, which is checked by fetching "
                f"it from its issuer: {ob2[:300]}. It has no Open Badges 3.0 credential to verify here.",
                explanation_code="extract.ob2-baked",
                explanation_params={"assertion": ob2[:300]},
                details={"ob2_assertion": ob2[:2000]},
            )
        raise ExtractError(
            f"this {kind.upper()} image is not a baked badge: it carries no Open Badges credential "
            "(no 'openbadgecredential' or 'openbadges' data)",
            "extract.not-baked",
            kind=kind.upper(),
        )
    if kind == "jpeg":
        raise ExtractError(
            "a JPEG image cannot carry a baked badge; use the PNG or SVG badge, or the PDF", "extract.jpeg"
        )
    raise ExtractError(
        "not a credential: expected JSON, a JWT, a PDF certificate, or a PNG/SVG badge", "extract.unknown"
    )


def _from_text(text: str, kind: str) -> Extracted:
    text = text.strip()
    if _JWT.match(text):
        return _from_jwt(text, kind)
    return _from_json(text.encode("utf-8"), kind)


def _from_json(data: bytes, kind: str) -> Extracted:
    if len(data) > MAX_JSON_BYTES:
        raise ExtractError(
            f"the credential is {len(data)} bytes of JSON; the limit is {MAX_JSON_BYTES} bytes",
            "extract.json-too-large",
            size=len(data),
            limit=MAX_JSON_BYTES,
        )
    try:
        doc = json.loads(data)
    except RecursionError:
        raise ExtractError("the JSON is nested too deeply", "extract.json-too-deep") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ExtractError(f"not valid JSON: {exc}", "extract.not-json", error=str(exc)) from None
    if isinstance(doc, str) and _JWT.match(doc.strip()):
        return _from_jwt(doc.strip(), kind)
    if (
        isinstance(doc, dict)
        and isinstance(doc.get("verifiableCredential"), dict | list)
        and "proof" not in doc
    ):
        vcs = doc["verifiableCredential"]
        vcs = vcs if isinstance(vcs, list) else [vcs]
        if len(vcs) == 1 and isinstance(vcs[0], dict):  # a Verifiable Presentation holding one credential
            return Extracted(kind, vcs[0], details={"from_presentation": True})
    if not isinstance(doc, dict):
        raise ExtractError(
            "a credential is a JSON object, not " + type(doc).__name__,
            "extract.not-object",
            type=type(doc).__name__,
        )
    context = doc.get("@context")
    contexts = context if isinstance(context, list) else [context]
    if OB2_CONTEXT in contexts or doc.get("type") == "Assertion":
        return Extracted(
            kind,
            explanation="This is an Open Badges 2.0 assertion. OB 2.0 hosted assertions are checked by fetching "
            "them from their issuer's URL (its id), and are not signed credentials; this verifier checks "
            "Open Badges 3.0 / W3C Verifiable Credentials.",
            explanation_code="extract.ob2-assertion",
            details={"ob2_assertion": doc.get("id", "")},
        )
    return Extracted(kind, doc)


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _from_jwt(token: str, kind: str) -> Extracted:
    """A JWT-secured credential (VC-JOSE-COSE or VC-JWT 1.1): checked by ``credstack.vc.jose``."""
    try:
        decoded = jose.decode(token)
    except jose.JoseError as exc:
        header = _jwt_header(token)
        if header is None:
            raise ExtractError(
                f"this looks like a JWT, but {exc}", "extract.jwt", reason=error_reason(exc)
            ) from None
        # verified all the same, so that the page, the API and the CLI refuse it with the same message
        return Extracted(kind, details={"jwt_header": header}, jwt=token)
    except VCError as exc:
        raise ExtractError(
            f"this looks like a JWT, but {exc}", "extract.jwt", reason=error_reason(exc)
        ) from None
    return Extracted(
        kind,
        decoded.credential,
        details={"jwt_header": decoded.header, "securing": decoded.flavour},
        jwt=token,
    )


def _jwt_header(token: str) -> dict | None:
    try:
        header = json.loads(_b64(token.split(".", 1)[0]))
    except (ValueError, binascii.Error, UnicodeDecodeError, RecursionError):
        return None
    return header if isinstance(header, dict) else None


def _from_pdf(data: bytes) -> Extracted:
    """The first attachment that is a credential (credential.json first, then other JSON files), holding
    one attachment at a time and none larger than a credential may be."""
    from credstack.render.attachments import AttachmentError, iter_attachments  # heavy: PDFs only

    def preferred(name: str) -> tuple:
        return (name != "credential.json", not name.lower().endswith((".json", ".jsonld")), name)

    problems, seen = [], 0
    try:
        for name, content in iter_attachments(
            data, max_bytes=MAX_INPUT_BYTES, max_attachment_bytes=MAX_JSON_BYTES, order=preferred
        ):
            seen += 1
            try:
                if isinstance(content, AttachmentError):
                    raise content
                found = _from_text(content.decode("utf-8-sig"), "pdf")
            except (ExtractError, AttachmentError, UnicodeDecodeError) as exc:
                problems.append(f"{name}: {exc}")
                continue
            found.details["attachment"] = name
            return found
    except AttachmentError as exc:
        raise ExtractError(f"cannot read the PDF: {exc}", "extract.pdf-unreadable", error=str(exc)) from None
    if not seen:
        raise ExtractError(
            "this PDF has no attached credential: only certificates that embed their signed credential "
            "(as credstack's do) can be verified from the file",
            "extract.pdf-no-attachment",
        )
    raise ExtractError(
        "none of the PDF's attachments is a credential (" + "; ".join(problems)[:500] + ")",
        "extract.pdf-no-credential",
        problems="; ".join(problems)[:500],
    )
