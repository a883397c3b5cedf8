#!/usr/bin/env node
/*
 * Makes the ecdsa-sd-2023 test credentials of tests/vc/fixtures/ecdsa-sd/ with
 * Digital Bazaar's own suite (@digitalbazaar/ecdsa-sd-2023-cryptosuite,
 * @digitalbazaar/ecdsa-multikey, @digitalbazaar/data-integrity, the versions
 * in package-lock.json):
 *
 *   node interop/make-ecdsa-sd.mjs tests/vc/fixtures/proof-sets/unsigned.json \
 *     tests/vc/fixtures/ecdsa-sd
 *
 * writes p-256-base.json (the issuer's base proof, what the holder keeps)
 * and p-256-derived.json (what the holder presents: a selective disclosure
 * of the learner's name and the second alignment, with the mandatory
 * statements). Each run makes a fresh key pair under its did:key; the derived
 * credential is checked with the same suite before anything is written.
 * Digital Bazaar's suite makes P-256 proofs only (a P-384 base signature is
 * refused: "baseSignature must be a Uint8Array of length 64"). Contexts come
 * from interop/contexts; nothing is fetched.
 */
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  createDiscloseCryptosuite, createSignCryptosuite, createVerifyCryptosuite
} from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import {ecdsaIssuer} from './ecdsa-issuer.mjs';

export const MANDATORY_POINTERS = [
  '/issuer', '/validFrom', '/credentialSubject/achievement/id',
  '/credentialSubject/achievement/name'
];
export const SELECTIVE_POINTERS = [
  '/credentialSubject/name', '/credentialSubject/achievement/alignment/1'
];

const [file, outDir] = process.argv.slice(2);
const curve = 'P-256';
if(!file || !outDir) {
  process.stderr.write('usage: node make-ecdsa-sd.mjs UNSIGNED.json OUT_DIR\n');
  process.exit(2);
}

const {key, documentLoader, credentialFrom} = await ecdsaIssuer(curve);
const credential = credentialFrom(file);
const base = await vc.issue({
  credential, documentLoader,
  suite: new DataIntegrityProof({
    signer: key.signer(), date: '2025-06-01T12:00:00Z',
    cryptosuite: createSignCryptosuite(
      {mandatoryPointers: MANDATORY_POINTERS})
  })
});
const derived = await vc.derive({
  verifiableCredential: base, documentLoader,
  suite: new DataIntegrityProof({
    cryptosuite: createDiscloseCryptosuite(
      {selectivePointers: SELECTIVE_POINTERS})
  })
});
const check = await vc.verifyCredential({
  credential: derived, documentLoader,
  suite: new DataIntegrityProof(
    {cryptosuite: createVerifyCryptosuite()})
});
if(!check.verified) {
  process.stderr.write(JSON.stringify(check.error ?? check, null, 2) + '\n');
  process.exit(1);
}
writeFileSync(join(outDir, 'p-256-base.json'),
  JSON.stringify(base, null, 2) + '\n');
writeFileSync(join(outDir, 'p-256-derived.json'),
  JSON.stringify(derived, null, 2) + '\n');
