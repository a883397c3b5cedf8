#!/usr/bin/env node
/*
 * Makes the proof-set test credentials of tests/vc/fixtures/proof-sets/ with
 * Digital Bazaar's own suites (the versions in package-lock.json):
 *
 *   node interop/make-proof-sets.mjs tests/vc/fixtures/proof-sets/unsigned.json \
 *     > tests/vc/fixtures/proof-sets/ed25519-2020-and-eddsa-rdfc-2022.json
 *
 * The input is an unsigned credential whose @context holds the VC 2.0 and the
 * Ed25519Signature2020 contexts. It is signed twice by one did:key (a fixed
 * seed, published here: test material only): first Ed25519Signature2020, then
 * eddsa-rdfc-2022 (DataIntegrityProof); jsonld-signatures adds the second
 * proof beside the first, a proof set as DCC's issuer emits it. Contexts come
 * from interop/contexts; nothing is fetched.
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from
  '@digitalbazaar/ed25519-verification-key-2020';

const HERE = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(
  readFileSync(join(HERE, 'contexts', '_manifest.json'), 'utf8'));
const documentLoader = async url => {
  const entry = manifest[url];
  if(!entry) {
    throw new Error(`no bundled document for ${url}`);
  }
  return {
    contextUrl: null, documentUrl: url,
    document: JSON.parse(readFileSync(join(HERE, 'contexts', entry.file), 'utf8'))
  };
};

const seed = new Uint8Array(32).fill(7);
const multikey = await Ed25519Multikey.generate({seed});
const did = `did:key:${multikey.publicKeyMultibase}`;
const vm = `${did}#${multikey.publicKeyMultibase}`;
multikey.id = vm;
multikey.controller = did;
const key2020 = await Ed25519VerificationKey2020.generate({seed});
key2020.id = vm;
key2020.controller = did;

const credential = JSON.parse(readFileSync(process.argv[2], 'utf8'));
credential.issuer = {...credential.issuer, id: did};
const legacy = new Ed25519Signature2020({key: key2020, date: '2025-06-01T12:00:00Z'});
const once = await vc.issue({credential, suite: legacy, documentLoader});
const modern = new DataIntegrityProof({
  signer: multikey.signer(), cryptosuite: eddsaRdfc2022CryptoSuite,
  date: '2025-06-01T12:00:01Z'
});
const twice = await vc.issue({credential: once, suite: modern, documentLoader});
process.stdout.write(JSON.stringify(twice, null, 2) + '\n');
