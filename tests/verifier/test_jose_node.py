"""JOSE interop with an independent implementation: Node's own crypto (no npm package; Digital Bazaar
publishes no VC-JOSE-COSE verifier). Node signs, credstack verifies; credstack signs, Node verifies."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credstack.vc import jose, verify

NODE_SIGN = r"""
const crypto = require('node:crypto');
const b64 = (b) => Buffer.from(b).toString('base64url');
const out = [];
for (const [alg, kind, opts] of [['EdDSA', 'ed25519', {}], ['ES256', 'ec', {namedCurve: 'P-256'}]]) {
  const {publicKey, privateKey} = crypto.generateKeyPairSync(kind, opts);
  const jwk = publicKey.export({format: 'jwk'});
  const did = 'did:jwk:' + b64(JSON.stringify(jwk));
  const vc = {'@context': ['https://www.w3.org/ns/credentials/v2'], type: ['VerifiableCredential'],
              issuer: did, validFrom: '2025-01-01T00:00:00Z', credentialSubject: {name: 'Zoë Ñandú 学生'}};
  const input = b64(JSON.stringify({alg, typ: 'vc+jwt', kid: did + '#0'})) + '.' + b64(JSON.stringify(vc));
  const sig = alg === 'EdDSA'
    ? crypto.sign(null, Buffer.from(input), privateKey)
    : crypto.sign('sha256', Buffer.from(input), {key: privateKey, dsaEncoding: 'ieee-p1363'});
  out.push(input + '.' + b64(sig));
}
console.log(JSON.stringify(out));
"""

NODE_VERIFY = r"""
const crypto = require('node:crypto');
const [token, jwkText] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
const [h, p, s] = token.split('.');
const header = JSON.parse(Buffer.from(h, 'base64url'));
const key = crypto.createPublicKey({key: JSON.parse(jwkText), format: 'jwk'});
const data = Buffer.from(h + '.' + p), sig = Buffer.from(s, 'base64url');
const ok = header.alg === 'EdDSA' ? crypto.verify(null, data, key, sig)
  : crypto.verify('sha256', data, {key, dsaEncoding: 'ieee-p1363'}, sig);
console.log(ok ? 'verified' : 'failed');
"""


def _node(script: str, stdin: str = "") -> str:
    node = shutil.which("node")
    assert node, "node is not on PATH (apt-get install nodejs)"
    return subprocess.run([node, "-e", script], input=stdin, capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()  # fmt: skip


def test_tokens_signed_by_node_verify_here():
    for token in json.loads(_node(NODE_SIGN)):
        report = verify.verify_credential(token)
        assert report.status == "valid", report.to_dict()
        head, payload, signature = token.split(".")
        assert verify.verify_credential(f"{head}.{payload}.{signature[::-1]}").status == "invalid"


@pytest.mark.parametrize("alg", ["EdDSA", "ES256"])
def test_tokens_signed_here_verify_in_node(alg):
    if alg == "EdDSA":
        private = Ed25519PrivateKey.generate()
        jwk = {
            "kty": "OKP",
            "crv": "Ed25519",
            "x": jose.b64url_encode(private.public_key().public_bytes_raw()),
        }
    else:
        private = ec.generate_private_key(ec.SECP256R1())
        n = private.public_key().public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": jose.b64url_encode(n.x.to_bytes(32, "big")),
               "y": jose.b64url_encode(n.y.to_bytes(32, "big"))}  # fmt: skip
    did = jose.did_jwk(jwk)
    vc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
          "issuer": did, "credentialSubject": {"name": "Ольга"}}  # fmt: skip
    token = jose.sign(vc, private, f"{did}#0", alg)
    assert verify.verify_credential(token).status == "valid"
    assert _node(NODE_VERIFY, json.dumps([token, json.dumps(jwk)])) == "verified"
    tampered = token[:-6] + ("AAAAAA" if not token.endswith("AAAAAA") else "BBBBBB")
    assert _node(NODE_VERIFY, json.dumps([tampered, json.dumps(jwk)])) == "failed"
