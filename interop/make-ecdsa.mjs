#!/usr/bin/env node
/*
 * Makes the ecdsa-rdfc-2019 test credentials of tests/vc/fixtures/ecdsa/ with
 * Digital Bazaar's own suite (@digitalbazaar/ecdsa-rdfc-2019-cryptosuite and
 * @digitalbazaar/ecdsa-multikey, the versions in package-lock.json):
 *
 *   node interop/make-ecdsa.mjs tests/vc/fixtures/proof-sets/unsigned.json P-256 \
 *     > tests/vc/fixtures/ecdsa/p-256.json
 *   node interop/make-ecdsa.mjs tests/vc/fixtures/proof-sets/unsigned.json P-384 \
 *     > tests/vc/fixtures/ecdsa/p-384.json
 *
 * Each run makes a fresh key pair (ECDSA signatures are randomized anyway, so
 * the output differs every run) under its did:key, signs the credential with
 * a DataIntegrityProof / ecdsa-rdfc-2019, checks it with the same suite, and
 * prints it. Contexts come from interop/contexts; nothing is fetched.
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from
  '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';

const HERE = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(
  readFileSync(join(HERE, 'contexts', '_manifest.json'), 'utf8'));
const [file, curve = 'P-256'] = process.argv.slice(2);
if(!file || !['P-256', 'P-384'].includes(curve)) {
  process.stderr.write('usage: node make-ecdsa.mjs UNSIGNED.json [P-256|P-384]\n');
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
const suite = new DataIntegrityProof({
  signer: key.signer(), cryptosuite: ecdsaRdfc2019, date: '2025-06-01T12:00:00Z'
});
const signed = await vc.issue({credential, suite, documentLoader});
const check = await vc.verifyCredential({
  credential: signed, documentLoader,
  suite: new DataIntegrityProof({cryptosuite: ecdsaRdfc2019})
});
if(!check.verified) {
  process.stderr.write(JSON.stringify(check.error ?? check, null, 2) + '\n');
  process.exit(1);
}
process.stdout.write(JSON.stringify(signed, null, 2) + '\n');
