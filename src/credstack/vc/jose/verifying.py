"""A JWT-secured credential verified: the same :class:`credstack.vc.verify.Report` as for Data Integrity
credentials (``format``, ``proof``, ``validity``, ``status``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING

from credstack.vc import did
from credstack.vc.errors import DidError, VCError, error_reason

from .compact import Decoded, JoseError, decode, signature_error
from .credential import claim_window_error, format_error, key_id
from .jwk import public_key_of, resolve_local, verification_method

if TYPE_CHECKING:
    from credstack.vc.verify import Check, Fetch, Report, Verifier


def verify_jwt(token: str | bytes, fetch: Fetch | None = None, now: datetime | None = None) -> Report:
    """Verify a JWT-secured credential: a :class:`credstack.vc.verify.Report` with the same checks as
    for Data Integrity credentials (``format``, ``proof``, ``validity``, ``status``)."""
    from credstack.vc import verify as vc_verify  # verify imports this module: a top-level import is a cycle

    now = now or datetime.now(UTC)
    now = now.replace(tzinfo=UTC) if now.tzinfo is None else now
    return vc_verify.Report(_checks(token, vc_verify.Verifier(fetch, now), vc_verify), now)


def _checks(token: str | bytes, verifier: Verifier, vc_verify: ModuleType) -> list[Check]:
    check: type[Check] = vc_verify.Check
    try:
        decoded = decode(token)
    except VCError as exc:
        return [vc_verify.failed_check("format", exc)]
    problem = format_error(decoded)
    if problem:
        return [vc_verify.failed_check("format", problem)]
    label = "VC-JOSE-COSE" if decoded.flavour == "vc-jose-cose" else "VC-JWT 1.1"
    result = [
        check(
            "format",
            True,
            f"a Verifiable Credential secured as a JWT ({label}, {decoded.alg})",
            details={"jwt_header": decoded.header, "securing": decoded.flavour},
            code="jwt.ok",
            params={"securing": label, "alg": decoded.alg},
        )
    ]
    result.append(_proof_check(decoded, verifier, vc_verify))
    vc = decoded.credential
    window = claim_window_error(decoded, verifier.now)
    result.append(
        vc_verify.failed_check("validity", window[1], window[0])
        if window
        else vc_verify.validity_check(vc, verifier.now)
    )
    result.extend(verifier.status_checks(vc))
    return result


def _proof_check(decoded: Decoded, verifier: Verifier, vc_verify: ModuleType) -> Check:
    check: type[Check] = vc_verify.Check
    failed_check: Callable[..., Check] = vc_verify.failed_check
    unavailable: type[Exception] = vc_verify.Unavailable
    try:
        vm_id = key_id(decoded)
    except JoseError as exc:
        return failed_check("proof", exc)
    controller = vm_id.split("#", 1)[0]
    try:
        document = resolve_local(controller)
        if document is None:
            if controller.startswith(did.DID_WEB_PREFIX):
                url = did.did_web_url(controller)
            elif controller.startswith("https://"):
                url = controller
            else:
                raise DidError(
                    f"the key controller {controller[:100]!r} uses a method credstack cannot resolve "
                    "(only did:key, did:jwk, did:web and https URLs)",
                    code="did.method-unsupported-jwt",
                    controller=controller[:100],
                )
            try:
                document = verifier.fetch_document(url, "the issuer's DID document")
            except unavailable as exc:  # no fetch, or it failed: the check is not carried out
                return check(
                    "proof",
                    None,
                    f"not checked: {exc}",
                    "unverified",
                    code="proof.not-checked",
                    params={"reason": error_reason(exc)},
                )
        public_key = public_key_of(verification_method(document, vm_id), controller)
    except VCError as exc:
        return failed_check("proof", exc)
    error = signature_error(decoded, public_key)
    if error:
        return failed_check("proof", error)
    return check(
        "proof",
        True,
        f"signed by {vm_id} ({decoded.alg}, JWS)",
        details={"verificationMethod": vm_id},
        code="jwt.signed",
        params={"key": vm_id, "alg": decoded.alg},
    )
