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
import {readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {
  createDiscloseCryptosuite, createSignCryptosuite, createVerifyCryptosuite
} from '@digitalbazaar/ecdsa-sd-2023-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';

export const MANDATORY_POINTERS = [
  '/issuer', '/validFrom', '/credentialSubject/achievement/id',
  '/credentialSubject/achievement/name'
];
export const SELECTIVE_POINTERS = [
  '/credentialSubject/name', '/credentialSubject/achievement/alignment/1'
];

const HERE = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(
  readFileSync(join(HERE, 'contexts', '_manifest.json'), 'utf8'));
const [file, outDir] = process.argv.slice(2);
const curve = 'P-256';
if(!file || !outDir) {
  process.stderr.write('usage: node make-ecdsa-sd.mjs UNSIGNED.json OUT_DIR\n');
  process.exit(2);
}

const key = await EcdsaMultikey.generate({curve});
const did = `did:key:${key.publicKeyMultibase}`;
key.id = `${did}#${key.publicKeyMultibase}`;
key.controller = did;
const publicOnly = await key.export({publicKey: true, includeContext: true});

const documentLoader = async url => {
  const entry = manifest[url];
  if(entry) {
    return {
      contextUrl: null, documentUrl: url,
      document: JSON.parse(readFileSync(join(HERE, 'contexts', entry.file), 'utf8'))
    };
  }
  if(url === key.id) {
    return {contextUrl: null, documentUrl: url, document: publicOnly};
  }
  if(url === did) {
    return {contextUrl: null, documentUrl: url, document: {
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
      id: did, verificationMethod: [{...publicOnly, '@context': undefined}],
      assertionMethod: [key.id]
    }};
  }
  throw new Error(`no bundled document for ${url}`);
};

const credential = JSON.parse(readFileSync(file, 'utf8'));
credential['@context'] = credential['@context'].filter(
  c => c !== 'https://w3id.org/security/suites/ed25519-2020/v1');
credential.issuer = {...credential.issuer, id: did};
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
