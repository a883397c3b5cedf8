"""Verify a credential end to end and say why: one pipeline, one :class:`Report`.

A JWT (VC-JOSE-COSE or VC-JWT 1.1, given as text) goes through :mod:`credstack.vc.jose`, which reports
the same checks.

Checks, in order (a check that cannot start stops the pipeline):

- ``format``: a JSON object within the size limits, a Verifiable Credential with an issuer, a subject and
  a proof, naming only bundled JSON-LD contexts;
- ``proof``: the signature verifies (``eddsa-rdfc-2022``, ``ecdsa-rdfc-2019``, ``ecdsa-sd-2023`` or
  ``Ed25519Signature2020``), the proof is for
  ``assertionMethod``, and the signing key is listed for that by its controller, who is the issuer;
- ``validity``: ``validFrom``/``validUntil`` (or v1 ``issuanceDate``/``expirationDate``) against ``now``;
- ``status``: one check per ``credentialStatus`` entry. The status list credential is fetched, verified
  (signature and validity) and must be issued by the credential's issuer, as Digital Bazaar's verifier
  requires; a list signed by someone else is reported as untrusted (the credential is then invalid: its
  status cannot be known), with the bit it holds.

``fetch(url) -> dict`` supplies DID documents (did:web, as the ``did.json`` URL) and status list
credentials; without it, anything that needs it is reported as not checked (``ok`` None), never as
passed, and the report's status is ``unverified``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from credstack.vc import canon, contexts, dates, did, jose, proofs, status
from credstack.vc.errors import DidError, DocumentError, DocumentTooLargeError, VCError

Fetch = Callable[[str], dict[str, Any]]

# Report statuses, most severe first: a report's status is the most severe outcome of its checks.
STATUSES = ("invalid", "revoked", "suspended", "expired", "not-yet-valid", "unverified", "valid")

_LIST_TYPES = {
    "BitstringStatusListEntry": (
        "BitstringStatusListCredential",
        "BitstringStatusList",
        status.StatusBits.decode,
    ),
    "StatusList2021Entry": (
        "StatusList2021Credential",
        "StatusList2021",
        status.StatusBits.decode_status_list_2021,
    ),
}


@dataclass(frozen=True)
class Check:
    """One step of verification. ``ok`` is None when the step could not be carried out."""

    name: str
    ok: bool | None
    message: str
    outcome: str = "valid"
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        out: dict[str, Any] = {
            "name": self.name,
            "ok": self.ok,
            "outcome": self.outcome,
            "message": self.message,
        }
        if self.details:
            out["details"] = self.details
        return out


@dataclass(frozen=True)
class Report:
    """The result of :func:`verify_credential`."""

    checks: list[Check]
    checked_at: datetime

    @property
    def status(self) -> str:
        """``invalid``, ``revoked``, ``suspended``, ``expired``, ``not-yet-valid``, ``unverified`` or
        ``valid`` (the most severe outcome of the checks, in that order)."""
        return min((c.outcome for c in self.checks), key=STATUSES.index, default="invalid")

    @property
    def valid(self) -> bool:
        """True only if every check passed."""
        return self.status == "valid"

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "valid": self.valid,
            "status": self.status,
            "checked_at": dates.format_datetime(self.checked_at),
            "checks": [c.to_dict() for c in self.checks],
        }


def verify_credential(
    doc: dict[str, Any] | str | bytes, fetch: Fetch | None = None, now: datetime | None = None
) -> Report:
    """Verify a credential (a parsed JSON object, or its JSON text) and report on every check."""
    now = _aware(now) if now is not None else datetime.now(UTC)
    if isinstance(doc, str | bytes) and jose.looks_like_jwt(doc):  # VC-JOSE-COSE or VC-JWT 1.1
        return jose.verify_jwt(doc, fetch, now)
    return Report(Verifier(fetch, now).checks(doc, with_status=True), now)


class Unavailable(Exception):
    """Something needed could not be fetched (or there is no fetch): the check is not carried out."""


class Verifier:
    """One verification: the checks of a Data Integrity credential, each fetched document fetched once.

    :mod:`credstack.vc.jose` reuses it for JWT-secured credentials (``fetch_document``, ``status_check``)."""

    def __init__(self, fetch: Fetch | None, now: datetime) -> None:
        self.fetch = fetch
        self.now = now
        self.fetched: dict[str, dict[str, Any]] = {}  # one fetch per URL per verification

    def checks(self, doc: Any, with_status: bool) -> list[Check]:
        if isinstance(doc, str | bytes):
            try:
                doc = _parse(doc)
            except VCError as exc:
                return [Check("format", False, str(exc), "invalid")]
        problem = _format_problem(doc)
        if problem:
            return [Check("format", False, problem, "invalid")]
        result = [Check("format", True, "a Verifiable Credential with a proof, using bundled contexts")]
        result.extend(self._proofs(doc))
        result.append(validity_check(doc, self.now))
        if with_status:
            entries = doc.get("credentialStatus")
            if entries is None:
                result.append(
                    Check("status", True, "the credential has no credentialStatus (it cannot be revoked)")
                )
            else:
                result.extend(
                    self.status_check(doc, entry)
                    for entry in (entries if isinstance(entries, list) else [entries])
                )
        return result

    # -- proof

    def _proofs(self, doc: dict[str, Any]) -> list[Check]:
        """One ``proof`` check per proof: a proof set or chain is valid only if every proof is."""
        items = proofs.proof_list(doc)
        if not items:
            return [Check("proof", False, "the credential's proof is empty: it is not signed", "invalid")]
        if len(items) == 1:
            return [self._proof(doc, items[0], "")]
        checks = []
        for i, proof in enumerate(items):
            check = self._proof(doc, proof, f"proof {i + 1} of {len(items)}: ")
            checks.append(replace(check, details={**check.details, "index": i}))
        return checks

    def _proof(self, doc: dict[str, Any], proof: Any, label: str) -> Check:
        vm = proof.get("verificationMethod") if isinstance(proof, dict) else None
        vm = vm.get("id") if isinstance(vm, dict) else vm
        issuer = _issuer_id(doc)
        if isinstance(proof, dict) and proof.get("proofPurpose") != "assertionMethod":
            return Check(
                "proof",
                False,
                f"{label}the proof's purpose is {proof.get('proofPurpose')!r}, not 'assertionMethod'",
                "invalid",
            )
        if isinstance(vm, str) and vm.split("#", 1)[0] != issuer:
            return Check(
                "proof",
                False,
                f"{label}the signing key {vm!r} is not controlled by the issuer {issuer!r}",
                "invalid",
            )
        unavailable: list[str] = []

        def resolve_key(vm_id: str) -> bytes:
            controller = vm_id.split("#", 1)[0]
            try:
                document = self._controller_document(controller)
            except Unavailable as exc:
                unavailable.append(str(exc))
                raise DidError(str(exc)) from exc
            return did.public_key(did.verification_method(document, vm_id), controller)

        result = proofs.verify_one(doc, proof, resolve_key)
        if unavailable:
            return Check("proof", None, f"{label}not checked: {unavailable[0]}", "unverified")
        if not result.verified:
            return Check("proof", False, label + (result.error or "the proof does not verify"), "invalid")
        details = {"verificationMethod": vm, "suite": _suite(result)}
        disclosure = ""
        if result.disclosure is not None:
            details["disclosure"] = result.disclosure
            disclosure = (
                "; a selective disclosure: the holder shows only some of the issuer's statements"
                if result.disclosure == "derived"
                else "; a base proof, the holder's full copy: every statement is disclosed"
            )
        return Check(
            "proof",
            True,
            f"{label}signed by {result.verification_method} ({_suite(result)}) on "
            f"{result.created or 'an unstated date'}{disclosure}",
            details=details,
        )

    def _controller_document(self, controller: str) -> dict[str, Any]:
        if controller.startswith("did:key:"):
            return did.resolve_did_key(controller)
        if controller.startswith("did:web:"):
            url = did.did_web_url(controller)
        elif controller.startswith(("https://", "http://")):
            url = controller
        else:
            raise DidError(
                f"the key controller {controller!r} uses a method credstack cannot resolve "
                "(only did:key, did:web and https URLs)"
            )
        return self.fetch_document(url, "the issuer's DID document")

    def fetch_document(self, url: str, what: str) -> dict[str, Any]:
        if url in self.fetched:
            return self.fetched[url]
        if self.fetch is None:
            raise Unavailable(f"{what} ({url}) is needed, and this verification is offline")
        try:
            document = self.fetch(url)
        except Exception as exc:  # any failure of the caller's fetch means: could not check
            raise Unavailable(f"{what} could not be fetched from {url}: {exc}") from exc
        if not isinstance(document, dict):
            raise Unavailable(f"{what} at {url} is not a JSON object")
        self.fetched[url] = document
        return document

    # -- status

    def status_check(self, doc: dict[str, Any], entry: Any) -> Check:
        if not isinstance(entry, dict) or entry.get("type") not in _LIST_TYPES:
            kind = entry.get("type") if isinstance(entry, dict) else entry
            return Check(
                "status", None, f"not checked: the status type {kind!r} is not supported", "unverified"
            )
        purpose = entry.get("statusPurpose")
        url = entry.get("statusListCredential")
        index = entry.get("statusListIndex")
        details = {"purpose": purpose, "index": index, "statusListCredential": url}
        if purpose not in status.PURPOSES:
            return Check(
                "status",
                None,
                f"not checked: the status purpose {purpose!r} is not supported",
                "unverified",
                details,
            )
        if not isinstance(url, str) or not isinstance(index, str) or not index.isdigit():
            return Check(
                "status",
                False,
                "the credentialStatus entry needs a statusListCredential URL and "
                "a statusListIndex (a number, as a string)",
                "invalid",
                details,
            )
        try:
            status_list = self.fetch_document(url, "the status list")
        except Unavailable as exc:
            return Check("status", None, f"{purpose} not checked: {exc}", "unverified", details)
        credential_type, list_type, decode = _LIST_TYPES[entry["type"]]
        subject = status_list.get("credentialSubject")
        if not isinstance(subject, dict) or subject.get("statusPurpose") != purpose:
            return Check(
                "status", False, f"the status list at {url} is not a {purpose} list", "invalid", details
            )
        failed = [c for c in self.checks(status_list, with_status=False) if c.ok is not True]
        if failed:
            ok, outcome = (None, "unverified") if failed[0].ok is None else (False, "invalid")
            return Check(
                "status",
                ok,
                f"the status list at {url} does not verify: {failed[0].message}",
                outcome,
                details,
            )
        if credential_type not in _as_list(status_list.get("type")) or subject.get("type") != list_type:
            return Check(
                "status",
                False,
                f"the status list at {url} is not a {credential_type} of a {list_type}",
                "invalid",
                details,
            )
        try:
            is_set = decode(subject.get("encodedList")).get(int(index))
        except VCError as exc:
            return Check("status", False, f"the status list at {url}: {exc}", "invalid", details)
        details["set"] = is_set
        list_issuer, issuer = _issuer_id(status_list), _issuer_id(doc)
        if list_issuer != issuer:
            details["trusted"] = False
            return Check(
                "status",
                False,
                f"untrusted status list: {url} is issued by {list_issuer}, not by "
                f"the credential's issuer {issuer}, so its {purpose} bit ({'set' if is_set else 'clear'}) "
                "cannot be relied on",
                "invalid",
                details,
            )
        if is_set:
            outcome = "revoked" if purpose == "revocation" else "suspended"
            return Check("status", False, f"{outcome}: bit {index} of {url} is set", outcome, details)
        return Check(
            "status",
            True,
            f"not {'revoked' if purpose == 'revocation' else 'suspended'} (bit {index} of {url} is clear)",
            details=details,
        )


def validity_check(doc: dict[str, Any], now: datetime) -> Check:
    """The ``validity`` check of a credential's window (``validFrom``/``validUntil``, or VC 1.1's names)."""
    start_name = "validFrom" if "validFrom" in doc else "issuanceDate"
    end_name = "validUntil" if "validUntil" in doc else "expirationDate"
    start, end = doc.get(start_name), doc.get(end_name)
    parsed = {}
    for name, value in ((start_name, start), (end_name, end)):
        if value is not None:
            parsed[name] = dates.parse_datetime(value)
            if parsed[name] is None:
                return Check("validity", False, f"{name} {value!r} is not an XML Schema dateTime", "invalid")
    begins, ends = parsed.get(start_name), parsed.get(end_name)
    if begins and now < begins:
        return Check("validity", False, f"not valid until {start}", "not-yet-valid")
    if ends and now > ends:
        return Check("validity", False, f"expired on {end}", "expired")
    window = f"valid from {start or 'any time'} until {end or 'no end date'}"
    return Check("validity", True, window)


def _format_problem(doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return "a credential is a JSON object"
    try:
        canon.js_json(doc)
        contexts.check_allowed(doc)
    except VCError as exc:
        return str(exc)
    context = _as_list(doc.get("@context"))
    if not context or context[0] not in (contexts.VC_V2, contexts.VC_V1):
        return (
            f"the first @context must be {contexts.VC_V2} (or {contexts.VC_V1}): this is not a "
            "Verifiable Credential"
        )
    if "VerifiableCredential" not in _as_list(doc.get("type")):
        return "the type does not include VerifiableCredential"
    if not _issuer_id(doc):
        return "the credential names no issuer"
    if not doc.get("credentialSubject"):
        return "the credential has no credentialSubject"
    if "proof" not in doc:
        return "the credential has no proof: it is not signed"
    return None


def _parse(data: str | bytes) -> Any:
    if len(data) > canon.MAX_DOCUMENT_BYTES:
        raise DocumentTooLargeError(f"the document is larger than {canon.MAX_DOCUMENT_BYTES // 1024} KiB")
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise DocumentError("the document is nested too deeply") from None
    except ValueError as exc:
        raise DocumentError(f"the document is not JSON: {exc}") from exc


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _issuer_id(doc: dict[str, Any]) -> str | None:
    issuer = doc.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer if isinstance(issuer, str) and issuer else None


def _suite(result: proofs.ProofResult) -> str:
    return result.cryptosuite or str(result.proof_type)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
