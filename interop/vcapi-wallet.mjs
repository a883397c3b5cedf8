// A VC-API exchange client, as the Learner Credential Wallet runs one: POST {} to the exchange, answer
// its DIDAuthentication request with a presentation signed (Ed25519Signature2020, Digital Bazaar's
// suite) by a fresh did:key over the exchange's challenge and domain, receive the credential.
// Prints one JSON line: {"ok": true, "holder", "request", "response"} or {"ok": false, "status", "error"}.
//
//   node vcapi-wallet.mjs https://host/wallet/exchanges/<code> [--wrong-challenge]
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from '@digitalbazaar/ed25519-verification-key-2020';

const HERE = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(HERE, 'contexts', '_manifest.json'), 'utf8'));
const documentLoader = async url => {
  const entry = manifest[url];
  if(!entry) {
    throw new Error(`no bundled document for ${url}`);
  }
  return {contextUrl: null, documentUrl: url,
    document: JSON.parse(readFileSync(join(HERE, 'contexts', entry.file), 'utf8'))};
};

async function post(url, body) {
  const response = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'},
    body: JSON.stringify(body)});
  return {status: response.status, body: await response.json()};
}

async function main() {
  const [url, flag] = process.argv.slice(2);
  const first = await post(url, {});
  if(first.status !== 200) {
    return {ok: false, status: first.status, error: first.body};
  }
  const request = first.body.verifiablePresentationRequest;
  const key = await Ed25519VerificationKey2020.generate();
  const did = `did:key:${key.fingerprint()}`;
  key.id = `${did}#${key.fingerprint()}`;
  key.controller = did;
  const presentation = {
    '@context': ['https://www.w3.org/2018/credentials/v1', 'https://w3id.org/security/suites/ed25519-2020/v1'],
    type: ['VerifiablePresentation'],
    holder: did,
  };
  const challenge = flag === '--wrong-challenge' ? 'not-the-challenge' : request.challenge;
  const signed = await vc.signPresentation({presentation, suite: new Ed25519Signature2020({key}),
    challenge, domain: request.domain, documentLoader});
  const second = await post(url, {verifiablePresentation: signed});
  if(second.status !== 200) {
    return {ok: false, status: second.status, error: second.body};
  }
  return {ok: true, holder: did, request, response: second.body};
}

main().then(
  out => process.stdout.write(JSON.stringify(out) + '\n'),
  err => {
    process.stdout.write(JSON.stringify({ok: false, error: String(err && err.stack || err)}) + '\n');
    process.exitCode = 1;
  });
