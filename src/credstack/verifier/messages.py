"""The messages of the verification checks (``credstack.vc``), and of what the verify page could not read
(``extract``), in the viewer's language.

The pure core imports no Django, so each message it reports has a stable ``code`` and its ``params``
beside the English ``message`` (the CLI, logs and the API's JSON keep the English). This catalogue says
each code in the page's language, with the params put in; a param may itself be a message (``{"code",
"params", "message"}``: the reason a status list did not verify, say), said the same way. A code this
catalogue does not know, and every message on an English page, is shown as the core wrote it.
``tests/verifier/test_check_messages.py`` finds every code in the core's source and fails on one missing
here.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, pgettext_lazy

from credstack.ui.bidi import isolate

MESSAGES = {
    "format.ok": pgettext_lazy(
        "verification message", "a Verifiable Credential with a proof, using bundled contexts"
    ),
    "format.not-object": pgettext_lazy("verification message", "a credential is a JSON object"),
    "format.not-vc-context": pgettext_lazy(
        "verification message",
        "the first @context must be %(v2)s (or %(v1)s): this is not a Verifiable Credential",
    ),
    "format.not-vc-type": pgettext_lazy(
        "verification message", "the type does not include VerifiableCredential"
    ),
    "format.no-issuer": pgettext_lazy("verification message", "the credential names no issuer"),
    "format.no-subject": pgettext_lazy("verification message", "the credential has no credentialSubject"),
    "format.no-proof": pgettext_lazy("verification message", "the credential has no proof: it is not signed"),
    "format.too-large": pgettext_lazy("verification message", "the document is larger than %(limit)s KiB"),
    "format.too-large-move": pgettext_lazy(
        "verification message",
        "the document is larger than %(limit)s KiB; credentials this large are not accepted (move big content such as images out of the credential and link to it)",
    ),
    "format.too-deep": pgettext_lazy("verification message", "the document is nested too deeply"),
    "format.depth": pgettext_lazy(
        "verification message", "the document nests objects and arrays deeper than %(limit)s levels"
    ),
    "format.not-json": pgettext_lazy("verification message", "the document is not JSON: %(error)s"),
    "format.not-a-number": pgettext_lazy("verification message", "NaN and Infinity are not JSON numbers"),
    "format.no-context": pgettext_lazy("verification message", "the document has no @context"),
    "format.context-not-bundled": pgettext_lazy(
        "verification message",
        "the JSON-LD context %(url)s is not one credstack bundles, and contexts are never fetched from the network; use the standard context URLs, or bundle this one",
    ),
    "format.undefined-property": pgettext_lazy(
        "verification message",
        "the property “%(name)s” at %(path)s is not defined by the document’s @context, so it would not be signed",
    ),
    "format.undefined-type": pgettext_lazy(
        "verification message",
        "the type “%(type)s” is not defined by the document’s @context, so it would not be signed",
    ),
    "proof.empty": pgettext_lazy("verification message", "the credential’s proof is empty: it is not signed"),
    "proof.nth": pgettext_lazy("verification message", "proof %(number)s of %(count)s: %(reason)s"),
    "proof.purpose": pgettext_lazy(
        "verification message", "the proof’s purpose is “%(purpose)s”, not “assertionMethod”"
    ),
    "proof.key-not-issuers": pgettext_lazy(
        "verification message", "the signing key %(key)s is not controlled by the issuer %(issuer)s"
    ),
    "proof.not-checked": pgettext_lazy("verification message", "not checked: %(reason)s"),
    "proof.does-not-verify": pgettext_lazy("verification message", "the proof does not verify"),
    "proof.none": pgettext_lazy("verification message", "the document has no proof"),
    "proof.not-object": pgettext_lazy("verification message", "a proof is not a JSON object"),
    "proof.key-not-found": pgettext_lazy("verification message", "the key %(key)s could not be found"),
    "proof.key-is-ecdsa": pgettext_lazy(
        "verification message", "the key %(key)s is a P-256/P-384 key, which cannot make a %(suite)s proof"
    ),
    "proof.key-is-ed25519": pgettext_lazy(
        "verification message", "the key %(key)s is an Ed25519 key, which cannot make a %(suite)s proof"
    ),
    "proof.signature-mismatch": pgettext_lazy(
        "verification message",
        "the signature does not match the document: it was changed after signing, or signed by another key",
    ),
    "proof.previous-not-ids": pgettext_lazy(
        "verification message", "previousProof must name earlier proofs by their id"
    ),
    "proof.previous-missing": pgettext_lazy(
        "verification message",
        "previousProof “%(previous)s” is not a proof of this document (a broken chain)",
    ),
    "proof.previous-self": pgettext_lazy("verification message", "a proof names itself in previousProof"),
    "proof.cryptosuite-unsupported": pgettext_lazy(
        "verification message", "the cryptosuite “%(cryptosuite)s” is not supported (only %(supported)s)"
    ),
    "proof.type-unsupported": pgettext_lazy(
        "verification message", "the proof type “%(type)s” is not supported (only %(supported)s)"
    ),
    "proof.no-verification-method": pgettext_lazy(
        "verification message", "the proof names no verificationMethod"
    ),
    "proof.created-not-a-date": pgettext_lazy(
        "verification message", "the proof’s created “%(created)s” is not an XML Schema dateTime"
    ),
    "proof.value-not-ecdsa": pgettext_lazy(
        "verification message",
        "the proofValue is not a z-base58btc P-256 or P-384 signature (64 or 96 bytes)",
    ),
    "proof.value-not-ed25519": pgettext_lazy(
        "verification message", "the proofValue is not a z-base58btc Ed25519 signature (64 bytes)"
    ),
    "did.method-unsupported": pgettext_lazy(
        "verification message",
        "the key controller %(controller)s uses a method credstack cannot resolve (only did:key, did:web and https URLs)",
    ),
    "did.method-unsupported-jwt": pgettext_lazy(
        "verification message",
        "the key controller %(controller)s uses a method credstack cannot resolve (only did:key, did:jwk, did:web and https URLs)",
    ),
    "did.key-controller": pgettext_lazy(
        "verification message", "the key %(key)s is controlled by %(controller)s, not by %(expected)s"
    ),
    "did.key-not-listed": pgettext_lazy(
        "verification message", "%(did)s does not list the key %(key)s for %(relationship)s"
    ),
    "did.key-type-unsupported": pgettext_lazy(
        "verification message",
        "the key %(key)s has type “%(type)s”; only Multikey and Ed25519VerificationKey2020 keys are supported",
    ),
    "did.web-invalid": pgettext_lazy("verification message", "%(did)s is not a valid did:web DID"),
    "did.wrong-document": pgettext_lazy(
        "verification message", "the DID document fetched for %(did)s is not that DID’s document"
    ),
    "fetch.offline.did": pgettext_lazy(
        "verification message",
        "the issuer’s DID document (%(url)s) is needed, and this verification is offline",
    ),
    "fetch.offline.status-list": pgettext_lazy(
        "verification message", "the status list (%(url)s) is needed, and this verification is offline"
    ),
    "fetch.failed.did": pgettext_lazy(
        "verification message", "the issuer’s DID document could not be fetched from %(url)s: %(error)s"
    ),
    "fetch.failed.status-list": pgettext_lazy(
        "verification message", "the status list could not be fetched from %(url)s: %(error)s"
    ),
    "fetch.not-object.did": pgettext_lazy(
        "verification message", "the issuer’s DID document at %(url)s is not a JSON object"
    ),
    "fetch.not-object.status-list": pgettext_lazy(
        "verification message", "the status list at %(url)s is not a JSON object"
    ),
    "status.none": pgettext_lazy(
        "verification message", "the credential has no credentialStatus (it cannot be revoked)"
    ),
    "status.type-unsupported": pgettext_lazy(
        "verification message", "not checked: the status type “%(type)s” is not supported"
    ),
    "status.purpose-unsupported": pgettext_lazy(
        "verification message", "not checked: the status purpose “%(purpose)s” is not supported"
    ),
    "status.entry-incomplete": pgettext_lazy(
        "verification message",
        "the credentialStatus entry needs a statusListCredential URL and a statusListIndex (a number, as a string)",
    ),
    "status.revocation-not-checked": pgettext_lazy(
        "verification message", "revocation not checked: %(reason)s"
    ),
    "status.suspension-not-checked": pgettext_lazy(
        "verification message", "suspension not checked: %(reason)s"
    ),
    "status.list-not-revocation": pgettext_lazy(
        "verification message", "the status list at %(url)s is not a revocation list"
    ),
    "status.list-not-suspension": pgettext_lazy(
        "verification message", "the status list at %(url)s is not a suspension list"
    ),
    "status.list-does-not-verify": pgettext_lazy(
        "verification message", "the status list at %(url)s does not verify: %(reason)s"
    ),
    "status.list-wrong-type": pgettext_lazy(
        "verification message", "the status list at %(url)s is not a %(credential_type)s of a %(list_type)s"
    ),
    "status.list-unreadable": pgettext_lazy("verification message", "the status list at %(url)s: %(reason)s"),
    "status.untrusted-revocation-set": pgettext_lazy(
        "verification message",
        "untrusted status list: %(url)s is issued by %(list_issuer)s, not by the credential’s issuer %(issuer)s, so its revocation bit (set) cannot be relied on",
    ),
    "status.untrusted-revocation-clear": pgettext_lazy(
        "verification message",
        "untrusted status list: %(url)s is issued by %(list_issuer)s, not by the credential’s issuer %(issuer)s, so its revocation bit (clear) cannot be relied on",
    ),
    "status.untrusted-suspension-set": pgettext_lazy(
        "verification message",
        "untrusted status list: %(url)s is issued by %(list_issuer)s, not by the credential’s issuer %(issuer)s, so its suspension bit (set) cannot be relied on",
    ),
    "status.untrusted-suspension-clear": pgettext_lazy(
        "verification message",
        "untrusted status list: %(url)s is issued by %(list_issuer)s, not by the credential’s issuer %(issuer)s, so its suspension bit (clear) cannot be relied on",
    ),
    "status.revoked": pgettext_lazy("verification message", "revoked: bit %(index)s of %(url)s is set"),
    "status.suspended": pgettext_lazy("verification message", "suspended: bit %(index)s of %(url)s is set"),
    "status.not-revoked": pgettext_lazy(
        "verification message", "not revoked (bit %(index)s of %(url)s is clear)"
    ),
    "status.not-suspended": pgettext_lazy(
        "verification message", "not suspended (bit %(index)s of %(url)s is clear)"
    ),
    "status.index-outside": pgettext_lazy(
        "verification message", "status index %(index)s is outside the list (0-%(last)s)"
    ),
    "status.encoded-not-multibase": pgettext_lazy(
        "verification message", "a Bitstring Status List encodedList starts with “u” (multibase base64url)"
    ),
    "status.encoded-not-string": pgettext_lazy("verification message", "encodedList must be a string"),
    "status.encoded-not-gzip": pgettext_lazy(
        "verification message", "encodedList is not base64url-encoded gzip data (%(error)s)"
    ),
    "status.list-too-large": pgettext_lazy(
        "verification message", "the status list is larger than %(limit)s bytes"
    ),
    "status.encoded-truncated": pgettext_lazy(
        "verification message", "encodedList holds truncated gzip data"
    ),
    "validity.not-a-date": pgettext_lazy(
        "verification message", "%(name)s “%(value)s” is not an XML Schema dateTime"
    ),
    "validity.not-yet": pgettext_lazy("verification message", "not valid until %(start)s"),
    "validity.expired": pgettext_lazy("verification message", "expired on %(end)s"),
    "validity.window": pgettext_lazy("verification message", "valid from %(start)s until %(end)s"),
    "validity.window-no-end": pgettext_lazy("verification message", "valid from %(start)s, with no end date"),
    "validity.window-no-start": pgettext_lazy("verification message", "valid at any time until %(end)s"),
    "validity.window-always": pgettext_lazy("verification message", "valid at any time, with no end date"),
    "jwt.ok": pgettext_lazy(
        "verification message", "a Verifiable Credential secured as a JWT (%(securing)s, %(alg)s)"
    ),
    "jwt.signed": pgettext_lazy("verification message", "signed by %(key)s (%(alg)s, JWS)"),
    "jwt.too-large": pgettext_lazy(
        "verification message", "the JWT is %(size)s bytes; the limit is %(limit)s KiB"
    ),
    "jwt.not-compact": pgettext_lazy(
        "verification message", "not a compact JWT (three base64url parts separated by dots)"
    ),
    "jwt.alg-unsupported": pgettext_lazy(
        "verification message",
        "the JWT’s algorithm “%(alg)s” is not accepted: only EdDSA (Ed25519) and ES256 are",
    ),
    "jwt.alg-none": pgettext_lazy(
        "verification message",
        "the JWT’s algorithm “%(alg)s” is not accepted: only EdDSA (Ed25519) and ES256 are (an unsigned JWT, alg “none”, is never accepted)",
    ),
    "jwt.not-vc": pgettext_lazy(
        "verification message",
        "this JWT is not a Verifiable Credential: its payload has neither a “vc” claim (VC-JWT 1.1) nor an @context (VC-JOSE-COSE)",
    ),
    "jwt.not-vc-context": pgettext_lazy(
        "verification message", "the first @context must be %(context)s: this is not a Verifiable Credential"
    ),
    "jwt.not-vc2": pgettext_lazy(
        "verification message",
        "a VC-JOSE-COSE credential uses the VC 2.0 data model (first @context %(context)s)",
    ),
    "jwt.iss-not-issuer": pgettext_lazy(
        "verification message", "the JWT’s iss “%(iss)s” is not the credential’s issuer “%(issuer)s”"
    ),
    "jwt.claim-not-date": pgettext_lazy(
        "verification message",
        "the JWT’s %(claim)s claim “%(value)s” is not a NumericDate (seconds since 1970)",
    ),
    "jwt.jti-not-id": pgettext_lazy(
        "verification message", "the JWT’s jti “%(jti)s” is not the credential’s id “%(id)s”"
    ),
    "jwt.sub-not-subject": pgettext_lazy(
        "verification message", "the JWT’s sub “%(sub)s” is not the credential subject’s id “%(subject)s”"
    ),
    "jwt.typ-not-vc": pgettext_lazy(
        "verification message", "the JWT’s typ “%(typ)s” is not a credential’s (vc+jwt)"
    ),
    "jwt.typ-sd-jwt": pgettext_lazy(
        "verification message",
        "the JWT’s typ “%(typ)s” is not a credential’s (vc+jwt); selective disclosure (SD-JWT) is not supported",
    ),
    "jwt.no-kid": pgettext_lazy(
        "verification message", "the JWT’s header has no kid, so the issuer’s signing key cannot be found"
    ),
    "jwt.kid-invalid": pgettext_lazy("verification message", "the JWT’s kid is not a key id"),
    "jwt.signature-mismatch": pgettext_lazy(
        "verification message", "the JWT’s signature does not verify with the issuer’s key"
    ),
    "jwt.key-not-ed25519": pgettext_lazy(
        "verification message", "the JWT is signed with %(alg)s but the issuer’s key is not an Ed25519 key"
    ),
    "jwt.key-not-p256": pgettext_lazy(
        "verification message", "the JWT is signed with %(alg)s but the issuer’s key is not a P-256 key"
    ),
    "jwt.es256-length": pgettext_lazy("verification message", "an ES256 signature is 64 bytes (r and s)"),
    "jwt.nbf": pgettext_lazy("verification message", "not valid until %(start)s (nbf)"),
    "jwt.exp": pgettext_lazy("verification message", "expired on %(end)s (exp)"),
    "proof.ok": pgettext_lazy("verification message", "signed by %(key)s (%(suite)s) on %(created)s"),
    "proof.ok-undated": pgettext_lazy(
        "verification message", "signed by %(key)s (%(suite)s) on an unstated date"
    ),
    "proof.ok-derived": pgettext_lazy(
        "verification message",
        "signed by %(key)s (%(suite)s) on %(created)s; a selective disclosure: the holder shows only some of the issuer’s statements",
    ),
    "proof.ok-undated-derived": pgettext_lazy(
        "verification message",
        "signed by %(key)s (%(suite)s) on an unstated date; a selective disclosure: the holder shows only some of the issuer’s statements",
    ),
    "proof.ok-base": pgettext_lazy(
        "verification message",
        "signed by %(key)s (%(suite)s) on %(created)s; a base proof, the holder’s full copy: every statement is disclosed",
    ),
    "proof.ok-undated-base": pgettext_lazy(
        "verification message",
        "signed by %(key)s (%(suite)s) on an unstated date; a base proof, the holder’s full copy: every statement is disclosed",
    ),
    "sd.value-not-multibase": pgettext_lazy(
        "verification message", "an ecdsa-sd-2023 proofValue is multibase base64url (it must start with “u”)"
    ),
    "sd.value-not-base64url": pgettext_lazy(
        "verification message", "the ecdsa-sd-2023 proofValue is not valid base64url"
    ),
    "sd.value-header": pgettext_lazy(
        "verification message",
        "the ecdsa-sd-2023 proofValue starts with %(header)s, neither a base proof (0xd95d00) nor a derived proof (0xd95d01)",
    ),
    "sd.value-not-cbor": pgettext_lazy(
        "verification message", "the ecdsa-sd-2023 proofValue is not valid CBOR"
    ),
    "sd.value-not-5-items": pgettext_lazy(
        "verification message", "the ecdsa-sd-2023 proofValue is not a CBOR array of 5 items"
    ),
    "sd.key-not-ecdsa": pgettext_lazy(
        "verification message", "an ecdsa-sd-2023 proof is made by a P-256 or P-384 key"
    ),
    "sd.mandatory-index": pgettext_lazy(
        "verification message",
        "the derived proof names mandatory statement %(index)s, but the disclosed credential has %(count)s statements",
    ),
    "sd.signature-count": pgettext_lazy(
        "verification message",
        "the proof carries %(signatures)s statement signatures for %(statements)s non-mandatory statements: a signature was dropped or a statement added",
    ),
    "sd.statement-mismatch": pgettext_lazy(
        "verification message",
        "the signature of disclosed statement %(number)s of %(count)s does not match: the statement “%(statement)s” was changed after signing, or its blank node labels (the label map) are wrong",
    ),
    "sd.base-signature-mismatch": pgettext_lazy(
        "verification message",
        "the base signature does not match: the proof options or the mandatory statements were changed after signing, or it was signed by another key",
    ),
    "sd.label-missing": pgettext_lazy(
        "verification message", "the proof’s label map has no label for the blank node %(node)s"
    ),
    "did.key-unusable": pgettext_lazy("verification message", "the key %(key)s: %(reason)s"),
    "key.not-a-point": pgettext_lazy(
        "verification message", "%(value)s is not a compressed elliptic-curve point"
    ),
    "key.not-a-public-key": pgettext_lazy(
        "verification message",
        "%(value)s is not an Ed25519, P-256 or P-384 public key (multicodec 0xed01, 0x1200, 0x1201)",
    ),
    "key.not-multibase": pgettext_lazy(
        "verification message", "%(value)s is not multibase base58btc (it must start with “z”)"
    ),
    "key.not-base58": pgettext_lazy("verification message", "%(value)s is not valid base58btc"),
    "key.not-ed25519": pgettext_lazy(
        "verification message", "%(value)s is not an Ed25519 public key (multicodec 0xed01, 32 bytes)"
    ),
    "format.language-tag": pgettext_lazy(
        "verification message", "the language tag “%(tag)s” is not a valid BCP 47 tag"
    ),
    "format.relative-subject": pgettext_lazy(
        "verification message",
        "the subject “%(id)s” is not an absolute IRI (relative references are not resolved against any base when signing); use a full URL, URN or DID",
    ),
    "format.relative-object": pgettext_lazy(
        "verification message",
        "the object “%(id)s” is not an absolute IRI (relative references are not resolved against any base when signing); use a full URL, URN or DID",
    ),
    "format.relative-graph": pgettext_lazy(
        "verification message",
        "the graph name “%(id)s” is not an absolute IRI (relative references are not resolved against any base when signing); use a full URL, URN or DID",
    ),
    "extract.too-large": pgettext_lazy(
        "verification message", "the input is %(size)s bytes; the limit is %(limit)s MiB"
    ),
    "extract.empty": pgettext_lazy(
        "verification message", "nothing to verify: paste a credential or choose a file"
    ),
    "extract.image-unreadable": pgettext_lazy(
        "verification message", "cannot read the %(kind)s image: %(error)s"
    ),
    "extract.ob2-baked": pgettext_lazy(
        "verification message",
        "This badge carries an Open Badges 2.0 hosted assertion, which is checked by fetching it from its issuer: %(assertion)s. It has no Open Badges 3.0 credential to verify here.",
    ),
    "extract.not-baked": pgettext_lazy(
        "verification message",
        "this %(kind)s image is not a baked badge: it carries no Open Badges credential (no “openbadgecredential” or “openbadges” data)",
    ),
    "extract.jpeg": pgettext_lazy(
        "verification message",
        "a JPEG image cannot carry a baked badge; use the PNG or SVG badge, or the PDF",
    ),
    "extract.unknown": pgettext_lazy(
        "verification message",
        "not a credential: expected JSON, a JWT, a PDF certificate, or a PNG/SVG badge",
    ),
    "extract.json-too-large": pgettext_lazy(
        "verification message", "the credential is %(size)s bytes of JSON; the limit is %(limit)s bytes"
    ),
    "extract.json-too-deep": pgettext_lazy("verification message", "the JSON is nested too deeply"),
    "extract.not-json": pgettext_lazy("verification message", "not valid JSON: %(error)s"),
    "extract.not-object": pgettext_lazy(
        "verification message", "a credential is a JSON object, not %(type)s"
    ),
    "extract.ob2-assertion": pgettext_lazy(
        "verification message",
        "This is an Open Badges 2.0 assertion. OB 2.0 hosted assertions are checked by fetching them from their issuer’s URL (its id), and are not signed credentials; this verifier checks Open Badges 3.0 / W3C Verifiable Credentials.",
    ),
    "extract.jwt": pgettext_lazy("verification message", "this looks like a JWT, but %(reason)s"),
    "extract.pdf-unreadable": pgettext_lazy("verification message", "cannot read the PDF: %(error)s"),
    "extract.pdf-no-attachment": pgettext_lazy(
        "verification message",
        "this PDF has no attached credential: only certificates that embed their signed credential (as credstack’s do) can be verified from the file",
    ),
    "extract.pdf-no-credential": pgettext_lazy(
        "verification message", "none of the PDF’s attachments is a credential (%(problems)s)"
    ),
    "jwt.b64-false": pgettext_lazy(
        "verification message", "unencoded JWS payloads (b64: false) are not accepted"
    ),
    "jwt.crit": pgettext_lazy(
        "verification message",
        "the JWT marks header parameters %(crit)s as critical; none are understood here",
    ),
    "jwt.signature-not-base64url": pgettext_lazy(
        "verification message", "the JWT’s signature is not base64url"
    ),
    "jwt.header-too-deep": pgettext_lazy("verification message", "the JWT’s header is nested too deeply"),
    "jwt.header-not-json": pgettext_lazy(
        "verification message", "the JWT’s header is not base64url-encoded JSON"
    ),
    "jwt.header-not-object": pgettext_lazy("verification message", "the JWT’s header is not a JSON object"),
    "jwt.payload-too-deep": pgettext_lazy("verification message", "the JWT’s payload is nested too deeply"),
    "jwt.payload-not-json": pgettext_lazy(
        "verification message", "the JWT’s payload is not base64url-encoded JSON"
    ),
    "jwt.payload-not-object": pgettext_lazy("verification message", "the JWT’s payload is not a JSON object"),
    "did.jwk-invalid": pgettext_lazy("verification message", "%(did)s is not a did:jwk (base64url JSON)"),
    "did.jwk-not-object": pgettext_lazy("verification message", "a did:jwk holds a JSON object"),
    "did.key-type-unsupported-jwt": pgettext_lazy(
        "verification message", "the key %(key)s has type “%(type)s”, which is not supported for JWTs"
    ),
    "did.key-invalid": pgettext_lazy(
        "verification message", "%(did)s is not an Ed25519, P-256 or P-384 did:key: %(reason)s"
    ),
    "key.p256-not-on-curve": pgettext_lazy(
        "verification message", "the P-256 key is not a point on the curve"
    ),
    "key.not-ed25519-or-p256": pgettext_lazy(
        "verification message", "%(value)s is neither an Ed25519 nor a P-256 public key"
    ),
    "key.jwk-not-object": pgettext_lazy("verification message", "publicKeyJwk must be a JSON object"),
    "key.jwk-ed25519-length": pgettext_lazy("verification message", "an Ed25519 JWK’s x is 32 bytes"),
    "key.jwk-p256-length": pgettext_lazy("verification message", "a P-256 JWK’s x and y are 32 bytes each"),
    "key.jwk-invalid": pgettext_lazy("verification message", "the JWK is not a valid public key: %(error)s"),
    "key.jwk-unsupported": pgettext_lazy(
        "verification message", "the JWK (kty %(kty)s, crv %(crv)s) is neither Ed25519 nor P-256"
    ),
    "format.poison-graph": pgettext_lazy(
        "verification message",
        "canonicalizing this document needs more than %(limit)s deep iterations of RDFC-1.0 (its blank nodes are too alike, as in a crafted “poison graph”); give the repeated anonymous objects an “id” or make them differ",
    ),
    "format.lone-surrogate": pgettext_lazy(
        "verification message",
        "the string %(value)s holds a lone UTF-16 surrogate, which is not valid Unicode text",
    ),
    "format.key-not-string": pgettext_lazy(
        "verification message", "JSON object keys are strings, not %(key)s"
    ),
    "format.number-too-large": pgettext_lazy(
        "verification message", "a number in the document is too large for a JSON number"
    ),
}


def say(code: str, params: dict[str, Any] | None, english: str) -> str:
    """The message ``code`` in the active language with ``params`` put in; ``english`` (the core's own
    text) for an English page, an unknown code, or params that do not fit the message."""
    template = MESSAGES.get(code or "")
    if template is None or (get_language() or "en").split("-")[0] == "en":
        return english
    values = {name: isolate(_value(value)) for name, value in (params or {}).items()}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return english


def _value(value: Any) -> str:
    if isinstance(value, dict) and "message" in value:  # a nested message: say it too
        return say(str(value.get("code") or ""), value.get("params"), str(value["message"]))
    return "" if value is None else str(value)


def reason_text(reason: dict[str, Any]) -> str:
    """A message given as data (``{"code", "params", "message"}``) in the active language."""
    return _value(reason)


def check_text(check: Any) -> str:
    """A check's message (a ``credstack.vc.verify.Check``, or its ``to_dict()``) in the active language."""
    if isinstance(check, dict):
        return say(str(check.get("code") or ""), check.get("params"), str(check.get("message", "")))
    return say(getattr(check, "code", ""), getattr(check, "params", None), str(check.message))
