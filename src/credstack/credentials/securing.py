"""Other securings of a stored credential (decision 0065): the same credential, signed as a JWT.

The stored document (``Credential.document``, Data Integrity ``eddsa-rdfc-2022``) stays the credential of
record. :func:`as_jwt` secures its content again as a JWT (Open Badges 3.0 §8.2, VC-JOSE-COSE) for a
wallet that asked for ``jwt_vc_json``: same ``id``, same ``credentialStatus`` (revoking or suspending the
credential changes both forms), same validity, signed through the one signer with the organization's
current key under the DID that issued it. Nothing is stored; it is made again each time it is asked for.
"""

from __future__ import annotations

from credstack.organizations import signing
from credstack.organizations.actions import active_key
from credstack.vc import jose

from .models import Credential


def as_jwt(credential: Credential, holder: str | None = None) -> str:
    """The credential as a compact JWS. ``holder``: the DID it is bound to (``credentialSubject.id`` and
    ``sub``). Raises ``signing.SigningError`` if the signature does not verify right after signing."""
    document = credential.signed()
    issuer = jose.issuer_id(document)
    signer = signing.Signer(active_key(credential.organization), controller=issuer)
    return signer.sign_jwt(jose.credential_claims(document, holder))
