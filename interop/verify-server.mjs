#!/usr/bin/env node
/*
 * credstack's independent verifier: Digital Bazaar's @digitalbazaar/vc behind a
 * line-delimited JSON protocol (one request per line on stdin, one response per
 * line on stdout), so that Python tests pay Node's start-up once per session.
 *
 * Request:  {"id": any, "credential": {...}, "documents": {url_or_did: doc},
 *            "checkStatus": bool, "now": "ISO date" (optional),
 *            "controller": {...} (optional: the issuer's controller document,
 *              used as given, as DB's CredentialIssuancePurpose allows),
 *            "verifyMatchingIssuers": bool (optional, default true: DB's
 *              check that the status list's issuer is the credential's),
 *            "verbose": bool (optional: add DB's raw `results`)}
 * Response: {"id": same, "verified": bool, "valid": bool, "errors": [msg, ...],
 *            "statusResult": {...} | null, "revoked": bool, "suspended": bool}
 *   verified  - Digital Bazaar's verdict (proof, dates and, when asked, a
 *               status check that could be carried out)
 *   valid     - verified and neither revoked nor suspended
 *   revoked / suspended - present when checkStatus was asked for
 *   proofs    - one summary per proof: signatureValid, purposeValid, error
 * Canonicalize instead of verify (for credstack's differential tests):
 *   Request:  {"id": any, "canonize": [doc, ...]}
 *   Response: {"id": same, "canonical": [{"nquads": "..."} | {"error": "..."}, ...]}
 *   each document canonicalized exactly as eddsa-rdfc-2022 does before hashing
 *   (jsonld.toRDF in safe mode, rdfDirection i18n-datatype, RDFC-1.0).
 * DCC's verifier-core (the Learner Credential Wallet's verifier) instead:
 *   Request:  {"id": any, "verifierCore": true, "credential": {...},
 *              "served": {url: doc} (optional: documents fetch may return
 *              for non-loopback URLs, e.g. 1EdTech's JSON schemas)}
 *   Response: {"id": same, "valid": bool, "signatureValid": bool,
 *              "revoked": bool, "suspended": bool, "errors": [msg, ...],
 *              "verifierCore": {"fatal": [{name, message}] | null,
 *                "log": [{id, valid, error?}], "schema": [...] | string}}
 *   verifier-core fetches did:web documents and status lists itself: only
 *   loopback hosts are reachable (https rewritten to http), so a test serves
 *   them from its own live server.
 * The first line written is {"ready": true, "versions": {...}}.
 *
 * The document loader NEVER touches the network: it serves the bundled
 * contexts (contexts/_manifest.json), did:key documents computed locally, and
 * the request's `documents` map; every other URL is an error.
 *
 * One-shot mode for debugging:
 *   node interop/verify-server.mjs --once FILE [--check-status] [--now ISO]
 * FILE holds either a credential or a whole request object. Exit status 0 when
 * valid, 1 when not, 2 on usage errors.
 */
import {readFileSync} from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import {StringDecoder} from 'node:string_decoder';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {Ed25519Signature2020} from '@digitalbazaar/ed25519-signature-2020';
import * as DidKey from '@digitalbazaar/did-method-key';
import {checkStatus as bitstringCheckStatus} from
  '@digitalbazaar/vc-bitstring-status-list';

// Protocol output goes to stdout alone: route any library chatter to stderr.
const writeErr = (...args) => process.stderr.write(args.map(String).join(' ') + '\n');
console.log = writeErr;
console.info = writeErr;
console.warn = writeErr;
console.debug = writeErr;

// Belt and braces: the document loader below never fetches, and this makes
// sure nothing else in the process can either (jsonld's own node loader,
// fetch, undici and http(s) all end in net/tls connect). The one exception is
// loopback: DCC's verifier-core (the `verifierCore` request) resolves did:web
// and status lists over HTTP, and tests serve those from their own live
// server on 127.0.0.1 / localhost. Nothing else is ever reached.
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
function noNetwork(what) {
  return () => {
    throw new Error(`network access is disabled in the verifier (${what})`);
  };
}
function connectHost(args) {
  // net.connect(options) / (port[, host]) / (path); Socket#connect gets the
  // normalized [options, callback] array from net.connect.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  if(first && typeof first === 'object') {
    return first.path ? null : (first.host ?? 'localhost');
  }
  if(typeof first === 'string' && !/^\d+$/.test(first)) {
    return null; // an IPC path
  }
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}
function loopbackOnly(what, real) {
  return function(...args) {
    const host = connectHost(args);
    if(host !== null && !LOOPBACK_HOSTS.has(host)) {
      throw new Error(
        `network access is disabled in the verifier (${what} to ${host}; ` +
        'only loopback is allowed)');
    }
    return real.apply(this, args);
  };
}
const realFetch = globalThis.fetch;
net.connect = loopbackOnly('net.connect', net.connect);
net.createConnection = loopbackOnly('net.createConnection', net.createConnection);
net.Socket.prototype.connect = loopbackOnly('net.Socket.connect',
  net.Socket.prototype.connect);
tls.connect = noNetwork('tls.connect');

// fetch, as verifier-core's HTTP client and schema loader see it: the
// bundled contexts, the documents the request hands over by URL (`served`,
// e.g. 1EdTech's JSON schemas), and loopback URLs, https rewritten to http
// (did:web always names https; a test server speaks plain HTTP). Anything
// else is refused.
let servedNow = {};
function loopbackUrl(url) {
  const parsed = new URL(url);
  if(!LOOPBACK_HOSTS.has(parsed.hostname)) {
    return null;
  }
  parsed.protocol = 'http:';
  return parsed.toString();
}
globalThis.fetch = async function guardedFetch(input, init = {}) {
  const isRequest = typeof Request !== 'undefined' && input instanceof Request;
  const url = isRequest ? input.url : String(input);
  const body = Object.prototype.hasOwnProperty.call(servedNow, url) ?
    servedNow[url] : CONTEXTS.get(url);
  if(body !== undefined) {
    return new Response(JSON.stringify(body),
      {status: 200, headers: {'content-type': 'application/json'}});
  }
  const local = loopbackUrl(url);
  if(local === null) {
    throw new TypeError(`fetch ${url}: network access is disabled in the ` +
      'verifier (only loopback and the request\'s "served" documents)');
  }
  const options = isRequest ?
    {method: input.method, headers: input.headers, signal: input.signal} : init;
  return realFetch(local, options);
};
const HERE = dirname(fileURLToPath(import.meta.url));
const CONTEXTS_DIR = join(HERE, 'contexts');

const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';

// ---------------------------------------------------------------- contexts
function loadContexts() {
  const manifest = JSON.parse(
    readFileSync(join(CONTEXTS_DIR, '_manifest.json'), 'utf8'));
  const contexts = new Map();
  for(const [url, {file}] of Object.entries(manifest)) {
    contexts.set(url, JSON.parse(readFileSync(join(CONTEXTS_DIR, file), 'utf8')));
  }
  return contexts;
}
const CONTEXTS = loadContexts();

// ----------------------------------------------------------------- did:key
const didKeyDriver = DidKey.driver();
didKeyDriver.use({
  multibaseMultikeyHeader: 'z6Mk',
  fromMultibase: Ed25519Multikey.from
});

// ------------------------------------------------------------------ did:web
// did:web:host%3Aport:a:b -> https://host:port/a/b/did.json (spec rule), so a
// request may key a DID document by the DID or by that URL.
function didWebUrl(did) {
  const parts = did.slice('did:web:'.length).split(':');
  const host = decodeURIComponent(parts.shift());
  const path = parts.length ?
    parts.map(decodeURIComponent).join('/') + '/did.json' :
    '.well-known/did.json';
  const scheme = /^(localhost|127\.0\.0\.1)(:|$)/.test(host) ? 'http' : 'https';
  return [`https://${host}/${path}`, `${scheme}://${host}/${path}`];
}

function lookupDocument(documents, url) {
  if(Object.prototype.hasOwnProperty.call(documents, url)) {
    return documents[url];
  }
  if(url.startsWith('did:web:')) {
    for(const alt of didWebUrl(url)) {
      if(Object.prototype.hasOwnProperty.call(documents, alt)) {
        return documents[alt];
      }
    }
  }
  return undefined;
}

// Find the node whose id is `fullId` anywhere in a (DID / controller)
// document; ids may be relative ("#key-1") to the document's id.
function findNode(doc, fullId, baseId) {
  const seen = new Set();
  const walk = node => {
    if(node === null || typeof node !== 'object' || seen.has(node)) {
      return undefined;
    }
    seen.add(node);
    if(Array.isArray(node)) {
      for(const item of node) {
        const found = walk(item);
        if(found) {
          return found;
        }
      }
      return undefined;
    }
    if(typeof node.id === 'string' && node !== doc &&
      (node.id === fullId ||
       (node.id.startsWith('#') && baseId + node.id === fullId))) {
      return node;
    }
    for(const [key, value] of Object.entries(node)) {
      if(key === '@context') {
        continue;
      }
      const found = walk(value);
      if(found) {
        return found;
      }
    }
    return undefined;
  };
  return walk(doc);
}

function verificationMethodFrom(doc, url) {
  const base = url.split('#')[0];
  const node = findNode(doc, url, doc.id || base);
  if(!node) {
    throw new Error(
      `Verification method "${url}" not found in the document for "${base}".`);
  }
  // DID documents carry @context at the top only; DB's suites expect the
  // key object itself to name its context.
  const vm = {...node, id: url};
  if(typeof vm.controller !== 'string' && !vm.controller) {
    vm.controller = doc.id || base;
  }
  if(vm.type === 'Multikey') {
    vm['@context'] = MULTIKEY_CONTEXT;
  } else if(vm.type === 'Ed25519VerificationKey2020') {
    vm['@context'] = ED25519_2020_CONTEXT;
  } else if(!vm['@context'] && doc['@context']) {
    vm['@context'] = doc['@context'];
  }
  return vm;
}

class OfflineLoaderError extends Error {
  constructor(url, why) {
    super(`documentLoader (offline): cannot load "${url}": ${why}`);
    this.name = 'OfflineLoaderError';
    this.url = url;
  }
}

function makeDocumentLoader(documents = {}) {
  const loaded = document => ({contextUrl: null, documentUrl: undefined, document});
  return async function documentLoader(url) {
    if(typeof url !== 'string') {
      throw new OfflineLoaderError(String(url), 'URL is not a string');
    }
    if(CONTEXTS.has(url)) {
      return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
    }
    const exact = lookupDocument(documents, url);
    if(exact !== undefined) {
      return {...loaded(exact), documentUrl: url};
    }
    const hash = url.indexOf('#');
    const base = hash === -1 ? url : url.slice(0, hash);
    if(base.startsWith('did:key:')) {
      try {
        const document = await didKeyDriver.get({url});
        return {...loaded(document), documentUrl: url};
      } catch(e) {
        throw new OfflineLoaderError(url, `bad did:key (${e.message})`);
      }
    }
    if(hash !== -1) {
      const doc = lookupDocument(documents, base);
      if(doc !== undefined) {
        return {...loaded(verificationMethodFrom(doc, url)), documentUrl: url};
      }
    }
    throw new OfflineLoaderError(url,
      'not a bundled context, not a did:key and not in the request\'s ' +
      '"documents" (this loader never fetches from the network)');
  };
}

// ------------------------------------------------------------------- suites
function makeSuites() {
  return [
    new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite}),
    new Ed25519Signature2020()
  ];
}

// ------------------------------------------------------------------ errors
function collectErrors(value, out = [], seen = new Set()) {
  if(!value || typeof value !== 'object' || seen.has(value)) {
    return out;
  }
  seen.add(value);
  if(value instanceof Error) {
    const msg = `${value.name && value.name !== 'Error' ? value.name + ': ' : ''}` +
      `${value.message}`;
    if(!out.includes(msg)) {
      out.push(msg);
    }
    if(Array.isArray(value.errors)) {
      value.errors.forEach(e => collectErrors(e, out, seen));
    }
    if(value.cause) {
      collectErrors(value.cause, out, seen);
    }
    if(value.details && value.details.cause) {
      collectErrors(value.details.cause, out, seen); // jsonld.js errors
    }
    return out;
  }
  if(Array.isArray(value)) {
    value.forEach(v => collectErrors(v, out, seen));
    return out;
  }
  for(const key of ['error', 'errors', 'results', 'purposeResult', 'statusResult']) {
    if(key in value) {
      collectErrors(value[key], out, seen);
    }
  }
  return out;
}

function errorToJSON(e) {
  if(!(e instanceof Error)) {
    return e;
  }
  const out = {name: e.name, message: e.message}; // no stack: noise
  if(Array.isArray(e.errors)) {
    out.errors = e.errors.map(errorToJSON);
  }
  if(e.cause) {
    out.cause = errorToJSON(e.cause);
  } else if(e.details && e.details.cause) {
    out.cause = errorToJSON(e.details.cause);
  }
  return out;
}

// JSON view of DB's result objects (Errors become {name, message}).
function plain(value) {
  return JSON.parse(JSON.stringify(value, (key, v) => {
    if(v instanceof Error) {
      return errorToJSON(v);
    }
    if(key === 'stack' || key === 'document' || key === 'credential') {
      return undefined; // echoing the input back is noise
    }
    return v;
  }));
}

// One line per proof. jsonld-signatures validates the proof purpose (issuer
// == verification method controller, method listed under assertionMethod)
// only after the signature verified, so `purposeValid !== null` means the
// signature itself was good.
function proofSummaries(result) {
  return (result.results || []).filter(r => r && r.proof).map(r => {
    const purposes = r.purposeResult === undefined ? [] :
      [].concat(r.purposeResult);
    return {
      type: r.proof.type,
      cryptosuite: r.proof.cryptosuite ?? null,
      verificationMethod: r.proof.verificationMethod ?? null,
      verified: r.verified === true,
      signatureValid: purposes.length > 0,
      purposeValid: purposes.length ? purposes.every(p => p && p.valid) : null,
      error: r.error ? collectErrors(r.error).join('; ') : null
    };
  });
}

// ------------------------------------------------------------------ verify
async function verifyRequest(request) {
  const {credential, documents = {}, checkStatus = false, now} = request;
  if(!credential || typeof credential !== 'object' || Array.isArray(credential)) {
    throw new TypeError('"credential" must be a JSON object.');
  }
  if(documents === null || typeof documents !== 'object' || Array.isArray(documents)) {
    throw new TypeError('"documents" must be a JSON object.');
  }
  const documentLoader = makeDocumentLoader(documents);
  const suite = makeSuites();
  const options = {credential, suite, documentLoader};
  if(request.controller !== undefined && request.controller !== null) {
    // DB's CredentialIssuancePurpose takes the issuer's controller document
    // as given instead of dereferencing the verification method's controller
    // (for vectors whose issuer is not the key's controller).
    if(typeof request.controller !== 'object') {
      throw new TypeError('"controller" must be a JSON object.');
    }
    options.controller = request.controller;
  }
  if(now !== undefined && now !== null) {
    options.now = now;
  }
  let statusSkipped = false;
  if(checkStatus) {
    const verifyMatchingIssuers = request.verifyMatchingIssuers !== false;
    options.checkStatus = opts => bitstringCheckStatus(
      {...opts, verifyMatchingIssuers});
  } else if(credential.credentialStatus) {
    // DB requires a checkStatus function whenever credentialStatus exists.
    statusSkipped = true;
    options.checkStatus = async () => ({verified: true});
  }
  const result = await vc.verifyCredential(options);

  const response = {
    verified: result.verified === true,
    errors: collectErrors(result),
    statusResult: null
  };
  if(checkStatus) {
    response.revoked = false;
    response.suspended = false;
    if(result.statusResult) {
      response.statusResult = plain(result.statusResult);
      for(const r of result.statusResult.results || []) {
        if(r && r.verified && r.status === true) {
          const purpose = r.credentialStatus && r.credentialStatus.statusPurpose;
          if(purpose === 'revocation') {
            response.revoked = true;
          } else if(purpose === 'suspension') {
            response.suspended = true;
          }
        }
      }
    }
  }
  response.statusSkipped = statusSkipped;
  response.valid = response.verified && !response.revoked && !response.suspended;
  response.proofs = proofSummaries(result);
  if(request.verbose) {
    response.results = plain(result.results || []);
  }
  return response;
}

async function canonizeRequest(request) {
  if(!Array.isArray(request.canonize)) {
    throw new TypeError('"canonize" must be an array of JSON-LD documents.');
  }
  const documentLoader = makeDocumentLoader({});
  const canonical = [];
  for(const document of request.canonize) {
    try {
      canonical.push({nquads: await eddsaRdfc2022CryptoSuite.canonize(
        document, {documentLoader})});
    } catch(e) {
      canonical.push({error: collectErrors(e).join('; ')});
    }
  }
  return {canonical};
}

// ------------------------------------------------------- DCC verifier-core
// The Learner Credential Wallet's verifier, as it runs: its own document
// loader and did:web resolver (over the guarded fetch above), its own status
// check, its schema check. `registered_issuer` needs DCC's issuer registries
// (internet) and is reported but left out of the verdict.
let verifierCore = null;
async function verifierCoreRequest(request) {
  const {credential, served = {}} = request;
  if(!credential || typeof credential !== 'object' || Array.isArray(credential)) {
    throw new TypeError('"credential" must be a JSON object.');
  }
  if(served === null || typeof served !== 'object' || Array.isArray(served)) {
    throw new TypeError('"served" must be a JSON object.');
  }
  verifierCore ??= await import('@digitalcredentials/verifier-core');
  servedNow = served;
  let result;
  try {
    result = await verifierCore.verifyCredential(
      {credential, knownDIDRegistries: []});
  } finally {
    servedNow = {};
  }
  const fatal = result.errors ? result.errors.map(e => ({
    name: e.name ?? null, message: e.message ?? String(e)
  })) : null;
  const log = (result.log ?? []).map(step => ({
    id: step.id,
    valid: step.valid ?? null,
    ...(step.error ? {error: {name: step.error.name ?? null,
      message: step.error.message ?? String(step.error)}} : {})
  }));
  const info = (result.additionalInformation ?? []).find(
    entry => entry.id === 'schema_check');
  let schema = null;
  if(info) {
    schema = Array.isArray(info.results) ? info.results.map(r => ({
      schema: r.schema,
      valid: r.result?.valid === true,
      errors: (r.result?.errors ?? []).map(e =>
        `${e.instancePath || '/'} ${e.message}`)
    })) : info.results;
  }
  const steps = log.filter(step => step.id !== 'registered_issuer');
  const step = id => steps.find(s => s.id === id);
  return {
    verifierCore: {fatal, log, schema},
    valid: fatal === null && steps.length > 0 &&
      steps.every(s => s.valid === true),
    signatureValid: fatal === null && step('valid_signature')?.valid === true,
    revoked: step('revocation_status')?.valid === false,
    suspended: step('suspension_status')?.valid === false,
    errors: [
      ...(fatal ?? []).map(e => `${e.name}: ${e.message}`),
      ...steps.filter(s => s.error).map(s =>
        `${s.id}: ${s.error.name}: ${s.error.message}`)
    ]
  };
}

async function handle(request) {
  const id = request && typeof request === 'object' ? request.id ?? null : null;
  try {
    if(request && typeof request === 'object' && 'canonize' in request) {
      return {id, ...await canonizeRequest(request)};
    }
    if(request && typeof request === 'object' && request.verifierCore === true) {
      return {id, ...await verifierCoreRequest(request)};
    }
    return {id, ...await verifyRequest(request)};
  } catch(e) {
    return {
      id, verified: false, valid: false, statusResult: null,
      errors: collectErrors(e), fatal: true
    };
  }
}

function versions() {
  const names = [
    '@digitalbazaar/vc', '@digitalbazaar/data-integrity',
    '@digitalbazaar/eddsa-rdfc-2022-cryptosuite',
    '@digitalbazaar/ed25519-multikey', '@digitalbazaar/ed25519-signature-2020',
    '@digitalbazaar/did-method-key', '@digitalbazaar/vc-bitstring-status-list',
    'jsonld', 'rdf-canonize', '@digitalcredentials/verifier-core'
  ];
  const out = {node: process.version};
  for(const name of names) {
    try {
      out[name] = JSON.parse(readFileSync(
        join(HERE, 'node_modules', name, 'package.json'), 'utf8')).version;
    } catch{
      out[name] = null;
    }
  }
  out.contexts = [...CONTEXTS.keys()].length;
  return out;
}

// ------------------------------------------------------------------ server
function serve() {
  process.stdout.write(JSON.stringify({ready: true, versions: versions()}) + '\n');
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let queue = Promise.resolve();
  const processLine = async line => {
    let response;
    let request;
    try {
      request = JSON.parse(line);
    } catch(e) {
      response = {
        id: null, verified: false, valid: false, statusResult: null,
        errors: [`invalid JSON request line: ${e.message}`], fatal: true
      };
    }
    if(!response) {
      response = await handle(request);
    }
    process.stdout.write(JSON.stringify(response) + '\n');
  };
  process.stdin.on('data', chunk => {
    buffer += decoder.write(chunk);
    let nl;
    while((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if(line) {
        // strictly one at a time: responses come back in request order
        queue = queue.then(() => processLine(line));
      }
    }
  });
  process.stdin.on('end', () => {
    const rest = (buffer + decoder.end()).trim();
    if(rest) {
      queue = queue.then(() => processLine(rest));
    }
    queue.then(() => process.exit(0));
  });
}

async function once(args) {
  const file = args[0];
  if(!file) {
    process.stderr.write(
      'usage: node verify-server.mjs --once FILE [--check-status] [--now ISO]\n');
    process.exit(2);
  }
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const request = data && data.credential && !data.proof ?
    data : {id: file, credential: data};
  if(args.includes('--check-status')) {
    request.checkStatus = true;
  }
  const nowAt = args.indexOf('--now');
  if(nowAt !== -1) {
    request.now = args[nowAt + 1];
  }
  const response = await handle(request);
  process.stdout.write(JSON.stringify(response, null, 2) + '\n');
  process.exit(response.valid ? 0 : 1);
}

const argv = process.argv.slice(2);
if(argv[0] === '--once') {
  await once(argv.slice(1));
} else if(argv[0] === '--versions') {
  process.stdout.write(JSON.stringify(versions(), null, 2) + '\n');
} else {
  serve();
}
