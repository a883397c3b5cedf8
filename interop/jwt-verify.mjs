// An independent check of a JWT-secured credential with panva's `jose` (decision 0065): the key is taken
// from the issuer's DID document by the JWT's kid (Multikey Ed25519 or publicKeyJwk), the signature
// verified by jose.jwtVerify (EdDSA only), and the claims Open Badges 3.0 §8.2 requires checked against
// the credential they secure (iss = issuer.id, jti = id, sub = credentialSubject.id, nbf = validFrom,
// exp = validUntil). Reads {"token", "didDocument"} on stdin; prints one JSON line:
// {"verified": true, "header", "payload"} or {"verified": false, "error"}.
//
//   echo '{"token": "...", "didDocument": {...}}' | node jwt-verify.mjs
import {readFileSync} from 'node:fs';
import * as jose from 'jose';
import * as base58 from 'base58-universal';

function jwkOf(method) {
  if (method.publicKeyJwk) return method.publicKeyJwk;
  const raw = base58.decode(method.publicKeyMultibase.slice(1));
  if (raw[0] !== 0xed || raw[1] !== 0x01 || raw.length !== 34) throw new Error('not an Ed25519 Multikey');
  return {kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw.slice(2)).toString('base64url')};
}

const seconds = (text) => Math.floor(Date.parse(text) / 1000);

async function main() {
  const {token, didDocument} = JSON.parse(readFileSync(0, 'utf8'));
  const header = jose.decodeProtectedHeader(token);
  const kid = header.kid;
  if (!kid || kid.split('#')[0] !== didDocument.id) throw new Error(`kid ${kid} is not a key of ${didDocument.id}`);
  const assertion = (didDocument.assertionMethod || []).map((m) => (typeof m === 'string' ? m : m.id));
  if (!assertion.includes(kid)) throw new Error(`kid ${kid} is not an assertionMethod of the issuer`);
  const method = didDocument.verificationMethod.find((m) => m.id === kid);
  const key = await jose.importJWK(jwkOf(method), 'EdDSA');
  const {payload} = await jose.jwtVerify(token, key, {algorithms: ['EdDSA'], issuer: didDocument.id});
  const issuer = typeof payload.issuer === 'string' ? payload.issuer : payload.issuer.id;
  const checks = [
    ['iss', payload.iss, issuer],
    ['jti', payload.jti, payload.id],
    ['sub', payload.sub, payload.credentialSubject.id],
    ['nbf', payload.nbf, seconds(payload.validFrom)],
    ['exp', payload.exp, payload.validUntil === undefined ? undefined : seconds(payload.validUntil)],
  ];
  for (const [claim, got, want] of checks) {
    if (got !== want) throw new Error(`${claim} ${got} does not match the credential's ${want}`);
  }
  return {verified: true, header, payload};
}

main().then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (err) => {
    process.stdout.write(JSON.stringify({verified: false, error: String(err && err.message || err)}) + '\n');
    process.exitCode = 1;
  },
);
