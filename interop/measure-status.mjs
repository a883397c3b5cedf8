#!/usr/bin/env node
/*
 * What Digital Bazaar's verifier and DCC's verifier-core (the Learner
 * Credential Wallet's) report for each candidate credentialStatus design
 * (decision 0032). Run: node interop/measure-status.mjs  (prints a JSON table)
 *
 * Credentials and status lists are signed here with Digital Bazaar's
 * eddsa-rdfc-2022 suite by a did:key from a fixed seed; status lists are
 * served from memory through a replaced fetch (verifier-core has its own
 * document loader, which fetches); nothing leaves the process.
 */
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsa} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as DidKey from '@digitalbazaar/did-method-key';
import {checkStatus as dbCheckStatus} from '@digitalbazaar/vc-bitstring-status-list';

const HERE = dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(readFileSync(join(HERE, 'contexts', '_manifest.json'), 'utf8'));
const contexts = Object.fromEntries(Object.entries(manifest).map(([url, {file}]) =>
  [url, JSON.parse(readFileSync(join(HERE, 'contexts', file), 'utf8'))]));
const served = {};  // status list URL -> credential

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  const body = served[url] ?? contexts[url];
  if(!body) {
    return new Response('not here', {status: 404});
  }
  return new Response(JSON.stringify(body),
    {status: 200, headers: {'content-type': 'application/json'}});
};
void realFetch;

const didKeyDriver = DidKey.driver();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});
const documentLoader = async url => {
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKeyDriver.get({url})};
  }
  const document = served[url] ?? contexts[url];
  if(!document) {
    throw new Error(`no document ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document};
};

const key = await Ed25519Multikey.generate({seed: new Uint8Array(32).fill(9)});
const did = `did:key:${key.publicKeyMultibase}`;
key.id = `${did}#${key.publicKeyMultibase}`;
key.controller = did;
const suite = () => new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsa});
const verifySuite = new DataIntegrityProof({cryptosuite: eddsa});

const BITS = 131072;
function encode(setBits) {
  const bytes = new Uint8Array(BITS / 8);
  for(const bit of setBits) {
    bytes[bit >> 3] |= 0x80 >> (bit & 7);
  }
  return 'u' + gzipSync(bytes).toString('base64url');
}
async function list(url, purpose, setBits, extra = {}) {
  served[url] = await vc.issue({credential: {
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    id: url, type: ['VerifiableCredential', 'BitstringStatusListCredential'], issuer: did,
    validFrom: '2025-01-01T00:00:00Z',
    credentialSubject: {id: `${url}#list`, type: 'BitstringStatusList', statusPurpose: purpose,
      encodedList: encode(setBits), ...extra}
  }, suite: suite(), documentLoader});
}
const entry = (url, index, purpose, extra = {}) => ({id: `${url}#${index}`,
  type: 'BitstringStatusListEntry', statusPurpose: purpose, statusListIndex: String(index),
  statusListCredential: url, ...extra});
async function credential(status) {
  return vc.issue({credential: {
    '@context': ['https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
    id: 'https://academy.example/c/1', type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: 'Python Basics', issuer: {id: did, type: ['Profile'], name: 'Demo Academy'},
    validFrom: '2025-06-01T12:00:00Z',
    credentialSubject: {type: ['AchievementSubject'], achievement: {
      id: 'https://academy.example/a/1', type: ['Achievement'], name: 'Python Basics',
      description: 'Six lessons.', criteria: {narrative: 'Pass the quizzes.'}}},
    credentialStatus: status
  }, suite: suite(), documentLoader});
}

async function digitalBazaar(cred) {
  const r = await vc.verifyCredential({credential: cred, suite: verifySuite, documentLoader,
    checkStatus: o => dbCheckStatus({...o, verifyBitstringStatusListCredential: true})});
  const bits = (r.statusResult?.results ?? []).map(x =>
    `${x.credentialStatus.statusPurpose}=${x.status}`);
  return {verified: r.verified, bits, error: r.error?.message ?? r.statusResult?.error?.message};
}
const core = await import('@digitalcredentials/verifier-core');
async function dcc(cred) {
  const r = await core.verifyCredential({credential: cred, knownDIDRegistries: []});
  if(r.errors) {
    return {fatal: r.errors.map(e => e.message)};
  }
  return {log: (r.log ?? []).map(s => `${s.id}:${s.valid ?? (s.error ? 'error ' + s.error.name : '?')}`)};
}

const I = 42;       // the credential's index
const L = 'https://academy.example/status/1';
const cases = [];
async function measure(design, state, status, lists) {
  for(const [url, purpose, bits, extra] of lists) {
    await list(url, purpose, bits, extra);
  }
  const cred = await credential(status);
  cases.push({design, state, digitalBazaar: await digitalBazaar(cred), dcc: await dcc(cred)});
}
const two = [entry(`${L}/revocation`, I, 'revocation'), entry(`${L}/suspension`, I, 'suspension')];
for(const [state, rev, sus] of [['active', [], []], ['suspended', [], [I]], ['revoked', [I], []]]) {
  await measure('two entries (today)', state, two,
    [[`${L}/revocation`, 'revocation', rev], [`${L}/suspension`, 'suspension', sus]]);
}
for(const [state, bits] of [['active', []], ['revoked', [I]]]) {
  await measure('one revocation entry', state, entry(`${L}/revocation`, I, 'revocation'),
    [[`${L}/revocation`, 'revocation', bits]]);
}
for(const [state, bits] of [['active', []], ['suspended (or revoked)', [I]]]) {
  await measure('one suspension entry', state, entry(`${L}/suspension`, I, 'suspension'),
    [[`${L}/suspension`, 'suspension', bits]]);
}
// message, statusSize 2: entry I is bits 2I (high) and 2I+1; 0x0 active, 0x1 suspended, 0x2 revoked
const messages = {statusSize: 2, statusMessage: [
  {status: '0x0', message: 'active'}, {status: '0x1', message: 'suspended'},
  {status: '0x2', message: 'revoked'}]};
for(const [state, bits] of [['active', []], ['suspended', [2 * I + 1]], ['revoked', [2 * I]]]) {
  await measure('one message entry, statusSize 2', state,
    entry(`${L}/message`, I, 'message', messages),
    [[`${L}/message`, 'message', bits, {}]]);
}
process.stdout.write(JSON.stringify(cases, null, 1) + '\n');
process.exit(0);
