/*
 * What make-ecdsa.mjs and make-ecdsa-sd.mjs share: a fresh ECDSA key pair under
 * its own did:key, a document loader that answers from interop/contexts (and
 * for that key and DID, nothing fetched), and the unsigned credential moved
 * onto that issuer.
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';

const HERE = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(
  readFileSync(join(HERE, 'contexts', '_manifest.json'), 'utf8'));

export async function ecdsaIssuer(curve) {
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

  // the unsigned credential of FILE, issued by this did:key (no Ed25519 2020 context)
  const credentialFrom = file => {
    const credential = JSON.parse(readFileSync(file, 'utf8'));
    credential['@context'] = credential['@context'].filter(
      c => c !== 'https://w3id.org/security/suites/ed25519-2020/v1');
    credential.issuer = {...credential.issuer, id: did};
    return credential;
  };

  return {key, did, documentLoader, credentialFrom};
}
