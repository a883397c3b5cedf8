"""credstack's standards core: Open Badges 3.0 credentials, signed and verified, in pure Python.

Imports nothing from Django and never touches the network by itself (JSON-LD contexts are bundled;
DID documents and status lists come from a ``fetch`` the caller passes). The contract with the rest of
the project is ``docs/vc-api.md``. Modules:

- :mod:`~credstack.vc.keys` Ed25519 keys, Multikey, did:key
- :mod:`~credstack.vc.did` did:web, DID documents, key lookup
- :mod:`~credstack.vc.contexts` the bundled JSON-LD contexts and the offline loader
- :mod:`~credstack.vc.canon` JSON-LD to RDF in safe mode, bounded (with pyld)
- :mod:`~credstack.vc.rdfc` RDFC-1.0 canonical N-Quads, as rdf-canonize writes them
- :mod:`~credstack.vc.proofs` eddsa-rdfc-2022 sign/verify, Ed25519Signature2020 verify
- :mod:`~credstack.vc.ob3` compose OpenBadgeCredentials
- :mod:`~credstack.vc.status` Bitstring Status List
- :mod:`~credstack.vc.verify` the verification pipeline and its report
- :mod:`~credstack.vc.errors`, :mod:`~credstack.vc.dates` errors, XML Schema dateTime
"""
