"""The verification checks' messages in the viewer's language: credstack.vc (no Django) gives each message
a code and params beside its English text; credstack.verifier.messages says each code in the page's
language. The page and the credential page translate; the CLI and the API keep the English."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from django.utils import translation

from credstack.credentials import actions
from credstack.vc import verify as vc_verify
from credstack.verifier.messages import MESSAGES, check_text

SRC = Path(__file__).resolve().parents[2] / "src/credstack"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# the constructors that take a code positionally: Check(name, ok, message, outcome, details, code, params),
# reason(message, code, params), Issue(text, code, **params), MergeTagError(message, code, **params),
# ExtractError(message, code, **params), UnsafeSvg(message, code, **params)
CODE_POSITION = {
    "Check": 5,
    "check": 5,
    "reason": 1,
    "Issue": 1,
    "MergeTagError": 1,
    "ExtractError": 1,
    "UnsafeSvg": 1,
}


def emitted_codes(package: str) -> dict[str, set[str] | None]:
    """Every message code the core's source can emit, found in the source itself (a ``code=`` or ``*_code=`` argument,
    a code in a constructor's place, or a value of a ``*_CODES`` table), with the params it is given
    every call gives (None where they cannot be read from the call, e.g. ``**params``)."""
    found: dict[str, set[str] | None] = {}

    def add(node: ast.AST, params: set[str] | None) -> None:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and "." in sub.value:
                if sub.value not in found:
                    found[sub.value] = params
                elif found[sub.value] is not None and params is not None:
                    found[sub.value] &= params  # type: ignore[operator]  # what every site gives

    for path in sorted((SRC / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                codes = [
                    kw.value
                    for kw in node.keywords
                    if kw.arg and (kw.arg == "code" or kw.arg.endswith("_code"))
                ]
                position = CODE_POSITION.get(name)
                if position is not None and len(node.args) > position:
                    codes.append(node.args[position])
                if not codes:
                    continue
                params: set[str] | None = {
                    kw.arg
                    for kw in node.keywords
                    if kw.arg and kw.arg != "code" and not kw.arg.endswith("_code")
                }
                if any(kw.arg is None for kw in node.keywords):
                    params = None  # **params: not readable here
                given = [
                    kw.value
                    for kw in node.keywords
                    if kw.arg and (kw.arg == "params" or kw.arg.endswith("_params"))
                ]
                if name in ("Check", "check") and len(node.args) > 6:
                    given.append(node.args[6])
                if name == "reason" and len(node.args) > 2:
                    given.append(node.args[2])
                for value in given:
                    if isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) for k in value.keys):
                        params = (params or set()) | {k.value for k in value.keys}  # type: ignore[union-attr]
                    else:
                        params = None
                if params is not None:
                    params = {
                        p for p in params if p != "details" and p != "params" and not p.endswith("_params")
                    }
                if name == "MergeTagError":
                    params = None  # the Issue that reports it adds the field
                for code in codes:
                    add(code, params)
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.endswith("_CODES") for t in node.targets
            ):
                add(node.value, None)
    return found


def test_every_code_the_verification_core_emits_has_a_translated_message():
    codes = emitted_codes("vc") | emitted_codes("verifier")  # the core's checks, the page's unreadable files
    assert len(codes) > 90, sorted(codes)  # the scan finds the codes (a broken scan finds none)
    missing = sorted(set(codes) - set(MESSAGES))
    assert not missing, f"codes with no message in credstack/verifier/messages.py: {missing}"
    assert not sorted(set(MESSAGES) - set(codes)), "messages for codes the core no longer emits"
    for code, params in codes.items():
        wanted = set(PLACEHOLDER.findall(str(MESSAGES[code])))
        assert params is None or wanted <= params, f"{code}: the message names {wanted - params}, not given"


def test_the_scan_sees_a_new_code(tmp_path, monkeypatch):
    """A code added to the core without a message fails the test above."""
    fake = tmp_path / "credstack/vc"
    fake.mkdir(parents=True)
    (fake / "new.py").write_text('raise ProofError("the moon is wrong", code="proof.moon", phase=1)\n')
    monkeypatch.setattr(f"{__name__}.SRC", tmp_path / "credstack")
    assert emitted_codes("vc") == {"proof.moon": {"phase"}}
    assert "proof.moon" not in MESSAGES


def test_what_the_page_cannot_read_and_where_it_read_from_in_german(client, issue):
    client.get("/verify?lang=de")
    response = client.post("/verify", {"credential": '[{"a": 1'})
    page = response.content.decode()
    assert (
        _state(response) == "unreadable" and "kein gültiges JSON: " in page and "not valid JSON" not in page
    )
    response = client.post("/verify", {"credential": issue().document})
    assert "Gelesen aus: eingefügtes oder hochgeladenes JSON." in response.content.decode()
    # the API keeps its English, with the code beside it
    body = client.post(
        "/verify/api/credential", json.dumps({"credential": '[{"a": 1'}), content_type="application/json"
    ).json()
    assert body["error"].startswith("not valid JSON: ") and body["error_reason"]["code"] == "extract.not-json"


def _state(response) -> str:
    return response.content.decode().split('data-state="', 1)[1].split('"', 1)[0]


def _checks(response) -> str:
    html = response.content.decode()
    return html.split('<ul class="checks">', 1)[1].split("</ul>", 1)[0]


pytestmark = pytest.mark.django_db


def test_a_tampered_credential_says_why_in_german_and_arabic(client, issue):
    doc = issue().signed()
    doc["credentialSubject"]["name"] = "Mallory"
    # German by the language switcher (its cookie), as a visitor picks it
    client.get("/verify?lang=de")
    response = client.post("/verify", {"credential": json.dumps(doc)})
    checks = _checks(response)
    assert _state(response) == "invalid"
    assert (
        "Signatur" in checks
        and "die Signatur passt nicht zum Dokument: es wurde nach dem Signieren" in checks
    )
    assert "does not match" not in checks and "signed by another key" not in checks
    # the checks that passed speak German too: the dates in words, the status list's bit
    assert "gültig ab " in checks and "ohne Enddatum" in checks and "nicht ausgesetzt (Bit " in checks
    assert "valid from" not in checks and "not suspended" not in checks

    # Arabic by the browser's language, for someone with no choice of their own
    client.cookies.clear()
    response = client.post("/verify", {"credential": json.dumps(doc)}, HTTP_ACCEPT_LANGUAGE="ar")
    checks = _checks(response)
    assert 'dir="rtl"' in response.content.decode()
    assert "التوقيع لا يطابق المستند: عُدّل بعد التوقيع، أو وُقّع بمفتاح آخر" in checks
    assert "does not match" not in checks


def test_a_revoked_credential_and_an_english_page(client, issue):
    credential = issue()
    actions.revoke_credential(credential, reason="fraud")
    response = client.post("/verify", {"credential": credential.document}, HTTP_ACCEPT_LANGUAGE="fr")
    assert _state(response) == "revoked"
    assert "suspendu : le bit " in _checks(response) and " est activé" in _checks(response)
    # English: the core's own words, as before
    response = client.post("/verify", {"credential": credential.document}, HTTP_ACCEPT_LANGUAGE="en")
    assert "suspended: bit " in _checks(response) and " is set" in _checks(response)


def test_the_api_keeps_the_english_message_and_gives_the_code(client, issue):
    doc = issue().signed()
    doc["credentialSubject"]["name"] = "Mallory"
    body = client.post(
        "/verify/api/credential",
        json.dumps({"credential": doc}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="de",
    ).json()
    proof = next(c for c in body["checks"] if c["name"] == "proof")
    assert proof["code"] == "proof.signature-mismatch" and proof["message"].startswith(
        "the signature does not match the document"
    )
    status = next(c for c in body["checks"] if c["name"] == "status")
    assert status["code"] == "status.not-suspended" and status["params"]["index"].isdigit()


def test_a_nested_reason_is_translated_with_its_check(issue):
    """The status check of a credential whose status list cannot be fetched: "suspension not checked:"
    and the fetch's own reason, both in the page's language."""
    doc = issue().signed()
    report = vc_verify.verify_credential(doc, fetch=None)
    status = next(c for c in report.checks if c.name == "status")
    assert status.code == "status.suspension-not-checked" and status.params["reason"]["code"] == (
        "fetch.offline.status-list"
    )
    with translation.override("es"):
        text = check_text(status)
    assert (
        text.startswith("suspensión no comprobada: se necesita la lista de estado (")
        and "sin conexión" in text
    )
    with translation.override("en"):
        assert check_text(status) == status.message


def test_the_credential_pages_checks_speak_the_viewers_language(client, issue):
    credential = issue()
    page = client.get(f"/c/{credential.public_id}", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    checks = page.split('<ul class="checks">', 1)[1].split("</ul>", 1)[0]
    assert "firmada por " in checks and "no suspendida (el bit " in checks
    assert "signed by" not in checks and "not suspended" not in checks
