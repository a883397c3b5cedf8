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
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from
  '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {ecdsaIssuer} from './ecdsa-issuer.mjs';

const [file, curve = 'P-256'] = process.argv.slice(2);
if(!file || !['P-256', 'P-384'].includes(curve)) {
  process.stderr.write('usage: node make-ecdsa.mjs UNSIGNED.json [P-256|P-384]\n');
  process.exit(2);
}

const {key, documentLoader, credentialFrom} = await ecdsaIssuer(curve);
const credential = credentialFrom(file);
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
