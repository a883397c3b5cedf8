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
from credstack.vc.errors import DidError, DocumentError, DocumentTooLargeError, VCError, error_reason, reason

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
    """One step of verification. ``ok`` is None when the step could not be carried out.

    ``message`` is English (the CLI, logs, the API); ``code`` and ``params`` say the same as data, for a
    page that shows it in its viewer's language (a param may be a nested :func:`~credstack.vc.errors.reason`;
    ``code`` ``""``: only the English message)."""

    name: str
    ok: bool | None
    message: str
    outcome: str = "valid"
    details: dict[str, Any] = field(default_factory=dict)
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        out: dict[str, Any] = {
            "name": self.name,
            "ok": self.ok,
            "outcome": self.outcome,
            "message": self.message,
            "code": self.code,
            "params": self.params,
        }
        if self.details:
            out["details"] = self.details
        return out

    def reason(self) -> dict[str, Any]:
        """The message as data (to nest in another check's params)."""
        return reason(self.message, self.code, self.params)


def failed_check(
    name: str, exc: BaseException, outcome: str = "invalid", details: dict[str, Any] | None = None
) -> Check:
    """A failed check whose message is an error's (its code and params too)."""
    why = error_reason(exc)
    return Check(name, False, why["message"], outcome, details or {}, why["code"], why["params"])


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
    """Something needed could not be fetched (or there is no fetch): the check is not carried out.

    Its ``code`` and ``params`` as a :class:`~credstack.vc.errors.VCError`'s."""

    def __init__(self, message: str, /, code: str = "", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# what Verifier.fetch_document fetches: the codes of its Unavailable (offline, failed, not an object)
_FETCH_CODES = {
    "the issuer's DID document": ("fetch.offline.did", "fetch.failed.did", "fetch.not-object.did"),
    "the status list": (
        "fetch.offline.status-list",
        "fetch.failed.status-list",
        "fetch.not-object.status-list",
    ),
}


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
                return [failed_check("format", exc)]
        problem = _format_problem(doc)
        if problem:
            return [failed_check("format", problem)]
        result = [
            Check(
                "format",
                True,
                "a Verifiable Credential with a proof, using bundled contexts",
                code="format.ok",
            )
        ]
        result.extend(self._proofs(doc))
        result.append(validity_check(doc, self.now))
        if with_status:
            result.extend(self.status_checks(doc))
        return result

    def status_checks(self, doc: dict[str, Any]) -> list[Check]:
        """One check per ``credentialStatus`` entry of ``doc``; without any, one that says it cannot be
        revoked (not a failure)."""
        entries = doc.get("credentialStatus")
        if entries is None:
            return [
                Check(
                    "status",
                    True,
                    "the credential has no credentialStatus (it cannot be revoked)",
                    code="status.none",
                )
            ]
        return [
            self.status_check(doc, entry) for entry in (entries if isinstance(entries, list) else [entries])
        ]

    # -- proof

    def _proofs(self, doc: dict[str, Any]) -> list[Check]:
        """One ``proof`` check per proof: a proof set or chain is valid only if every proof is."""
        items = proofs.proof_list(doc)
        if not items:
            return [
                Check(
                    "proof",
                    False,
                    "the credential's proof is empty: it is not signed",
                    "invalid",
                    code="proof.empty",
                )
            ]
        if len(items) == 1:
            return [self._proof(doc, items[0])]
        checks = []
        for i, proof in enumerate(items):
            check = self._proof(doc, proof)
            checks.append(
                replace(
                    check,
                    message=f"proof {i + 1} of {len(items)}: {check.message}",
                    details={**check.details, "index": i},
                    code="proof.nth",
                    params={"number": i + 1, "count": len(items), "reason": check.reason()},
                )
            )
        return checks

    def _proof(self, doc: dict[str, Any], proof: Any) -> Check:
        vm = proof.get("verificationMethod") if isinstance(proof, dict) else None
        vm = vm.get("id") if isinstance(vm, dict) else vm
        issuer = _issuer_id(doc)
        if isinstance(proof, dict) and proof.get("proofPurpose") != "assertionMethod":
            return Check(
                "proof",
                False,
                f"the proof's purpose is {proof.get('proofPurpose')!r}, not 'assertionMethod'",
                "invalid",
                code="proof.purpose",
                params={"purpose": proof.get("proofPurpose")},
            )
        if isinstance(vm, str) and vm.split("#", 1)[0] != issuer:
            return Check(
                "proof",
                False,
                f"the signing key {vm!r} is not controlled by the issuer {issuer!r}",
                "invalid",
                code="proof.key-not-issuers",
                params={"key": vm, "issuer": issuer},
            )
        unavailable: list[Unavailable] = []

        def resolve_key(vm_id: str) -> bytes:
            controller = vm_id.split("#", 1)[0]
            try:
                document = self._controller_document(controller)
            except Unavailable as exc:
                unavailable.append(exc)
                raise DidError(str(exc)) from exc
            return did.public_key(did.verification_method(document, vm_id), controller)

        result = proofs.verify_one(doc, proof, resolve_key)
        if unavailable:
            return Check(
                "proof",
                None,
                f"not checked: {unavailable[0]}",
                "unverified",
                code="proof.not-checked",
                params={"reason": error_reason(unavailable[0])},
            )
        if not result.verified:
            why = result.reason or reason("the proof does not verify", "proof.does-not-verify")
            return Check(
                "proof",
                False,
                (result.error or "the proof does not verify"),
                "invalid",
                code=why["code"],
                params=why["params"],
            )
        details = {"verificationMethod": vm, "suite": _suite(result)}
        disclosure = ""
        code = _PROOF_OK_CODES[(bool(result.created), result.disclosure)]
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
            f"signed by {result.verification_method} ({_suite(result)}) on "
            f"{result.created or 'an unstated date'}{disclosure}",
            details=details,
            code=code,
            params={"key": result.verification_method, "suite": _suite(result), "created": result.created},
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
                "(only did:key, did:web and https URLs)",
                code="did.method-unsupported",
                controller=controller,
            )
        return self.fetch_document(url, "the issuer's DID document")

    def fetch_document(self, url: str, what: str) -> dict[str, Any]:
        """The document at ``url`` (fetched once). ``what`` names it: "the issuer's DID document", "the
        status list" or "the issuer's JWK set" (the code of an Unavailable says which)."""
        if url in self.fetched:
            return self.fetched[url]
        offline, unfetched, not_object = _FETCH_CODES.get(what, ("", "", ""))
        if self.fetch is None:
            raise Unavailable(
                f"{what} ({url}) is needed, and this verification is offline", code=offline, url=url
            )
        try:
            document = self.fetch(url)
        except Exception as exc:  # any failure of the caller's fetch means: could not check
            raise Unavailable(
                f"{what} could not be fetched from {url}: {exc}",
                code=unfetched,
                url=url,
                error=str(exc),
            ) from exc
        if not isinstance(document, dict):
            raise Unavailable(f"{what} at {url} is not a JSON object", code=not_object, url=url)
        self.fetched[url] = document
        return document

    # -- status

    def status_check(self, doc: dict[str, Any], entry: Any) -> Check:
        if not isinstance(entry, dict) or entry.get("type") not in _LIST_TYPES:
            kind = entry.get("type") if isinstance(entry, dict) else entry
            return Check(
                "status",
                None,
                f"not checked: the status type {kind!r} is not supported",
                "unverified",
                code="status.type-unsupported",
                params={"type": kind},
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
                "status.purpose-unsupported",
                {"purpose": purpose},
            )
        if not isinstance(url, str) or not isinstance(index, str) or not index.isdigit():
            return Check(
                "status",
                False,
                "the credentialStatus entry needs a statusListCredential URL and "
                "a statusListIndex (a number, as a string)",
                "invalid",
                details,
                "status.entry-incomplete",
            )
        try:
            status_list = self.fetch_document(url, "the status list")
        except Unavailable as exc:
            return Check(
                "status",
                None,
                f"{purpose} not checked: {exc}",
                "unverified",
                details,
                "status.revocation-not-checked"
                if purpose == "revocation"
                else "status.suspension-not-checked",
                {"reason": error_reason(exc)},
            )
        credential_type, list_type, decode = _LIST_TYPES[entry["type"]]
        subject = status_list.get("credentialSubject")
        if not isinstance(subject, dict) or subject.get("statusPurpose") != purpose:
            return Check(
                "status",
                False,
                f"the status list at {url} is not a {purpose} list",
                "invalid",
                details,
                "status.list-not-revocation" if purpose == "revocation" else "status.list-not-suspension",
                {"url": url},
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
                "status.list-does-not-verify",
                {"url": url, "reason": failed[0].reason()},
            )
        if credential_type not in _as_list(status_list.get("type")) or subject.get("type") != list_type:
            return Check(
                "status",
                False,
                f"the status list at {url} is not a {credential_type} of a {list_type}",
                "invalid",
                details,
                "status.list-wrong-type",
                {"url": url, "credential_type": credential_type, "list_type": list_type},
            )
        try:
            is_set = decode(subject.get("encodedList")).get(int(index))
        except VCError as exc:
            return Check(
                "status",
                False,
                f"the status list at {url}: {exc}",
                "invalid",
                details,
                "status.list-unreadable",
                {"url": url, "reason": error_reason(exc)},
            )
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
                _UNTRUSTED_CODES[(purpose, bool(is_set))],
                {"url": url, "list_issuer": list_issuer, "issuer": issuer},
            )
        if is_set:
            outcome = "revoked" if purpose == "revocation" else "suspended"
            return Check(
                "status",
                False,
                f"{outcome}: bit {index} of {url} is set",
                outcome,
                details,
                "status.revoked" if outcome == "revoked" else "status.suspended",
                {"index": index, "url": url},
            )
        return Check(
            "status",
            True,
            f"not {'revoked' if purpose == 'revocation' else 'suspended'} (bit {index} of {url} is clear)",
            details=details,
            code="status.not-revoked" if purpose == "revocation" else "status.not-suspended",
            params={"index": index, "url": url},
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
                return Check(
                    "validity",
                    False,
                    f"{name} {value!r} is not an XML Schema dateTime",
                    "invalid",
                    code="validity.not-a-date",
                    params={"name": name, "value": value},
                )
    begins, ends = parsed.get(start_name), parsed.get(end_name)
    if begins and now < begins:
        return Check(
            "validity",
            False,
            f"not valid until {start}",
            "not-yet-valid",
            code="validity.not-yet",
            params={"start": start},
        )
    if ends and now > ends:
        return Check(
            "validity", False, f"expired on {end}", "expired", code="validity.expired", params={"end": end}
        )
    window = f"valid from {start or 'any time'} until {end or 'no end date'}"
    code = _WINDOW_CODES[(bool(start), bool(end))]
    return Check("validity", True, window, code=code, params={"start": start, "end": end})


def _format_problem(doc: Any) -> VCError | None:
    if not isinstance(doc, dict):
        return DocumentError("a credential is a JSON object", code="format.not-object")
    try:
        canon.js_json(doc)
        contexts.check_allowed(doc)
    except VCError as exc:
        return exc
    context = _as_list(doc.get("@context"))
    if not context or context[0] not in (contexts.VC_V2, contexts.VC_V1):
        return DocumentError(
            f"the first @context must be {contexts.VC_V2} (or {contexts.VC_V1}): this is not a "
            "Verifiable Credential",
            code="format.not-vc-context",
            v2=contexts.VC_V2,
            v1=contexts.VC_V1,
        )
    if "VerifiableCredential" not in _as_list(doc.get("type")):
        return DocumentError("the type does not include VerifiableCredential", code="format.not-vc-type")
    if not _issuer_id(doc):
        return DocumentError("the credential names no issuer", code="format.no-issuer")
    if not doc.get("credentialSubject"):
        return DocumentError("the credential has no credentialSubject", code="format.no-subject")
    if "proof" not in doc:
        return DocumentError("the credential has no proof: it is not signed", code="format.no-proof")
    return None


def _parse(data: str | bytes) -> Any:
    if len(data) > canon.MAX_DOCUMENT_BYTES:
        raise DocumentTooLargeError(
            f"the document is larger than {canon.MAX_DOCUMENT_BYTES // 1024} KiB",
            code="format.too-large",
            limit=canon.MAX_DOCUMENT_BYTES // 1024,
        )
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise DocumentError("the document is nested too deeply", code="format.too-deep") from None
    except ValueError as exc:
        raise DocumentError(
            f"the document is not JSON: {exc}", code="format.not-json", error=str(exc)
        ) from exc


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


# a verified proof's code by (has a created date, disclosure of an ecdsa-sd-2023 proof)
_PROOF_OK_CODES = {
    (True, None): "proof.ok",
    (False, None): "proof.ok-undated",
    (True, "derived"): "proof.ok-derived",
    (False, "derived"): "proof.ok-undated-derived",
    (True, "base"): "proof.ok-base",
    (False, "base"): "proof.ok-undated-base",
}
# the untrusted status list's code by (purpose, bit set)
_UNTRUSTED_CODES = {
    ("revocation", True): "status.untrusted-revocation-set",
    ("revocation", False): "status.untrusted-revocation-clear",
    ("suspension", True): "status.untrusted-suspension-set",
    ("suspension", False): "status.untrusted-suspension-clear",
}
# the validity window's code by (has a start, has an end)
_WINDOW_CODES = {
    (True, True): "validity.window",
    (True, False): "validity.window-no-end",
    (False, True): "validity.window-no-start",
    (False, False): "validity.window-always",
}


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
