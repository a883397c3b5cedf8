// An independent OpenID4VCI wallet: Sphereon's @sphereon/oid4vci-client (its OpenID4VCI 1.0 client,
// OpenID4VCIClientV1_0_15: the generic OpenID4VCIClient drops the configuration id asked for when an
// offer lists more than one) takes a credential offer
// (openid-credential-offer://...), reads the issuer's metadata, exchanges the pre-authorized code at the
// token endpoint, asks the nonce endpoint, proves possession of a fresh did:key (Ed25519) and receives
// the credential. Prints one JSON line: {"ok": true, "version", "metadata", "token", "response"} or
// {"ok": false, "error"}. Used by tests/wallets/ (decision 0053).
//
//   node oid4vci-wallet.mjs 'openid-credential-offer://?credential_offer=...' [configuration id]
//
// Without a configuration id it asks for the offer's first one (ldp_vc); with
// OpenBadgeCredential_jwt_vc_json it receives the JWT form, bound to its did:key (decision 0065).
import {generateKeyPairSync, sign} from 'node:crypto';
import {OpenID4VCIClientV1_0_15} from '@sphereon/oid4vci-client';
import * as base58 from 'base58-universal';

const b64u = (data) => Buffer.from(data).toString('base64url');

function didKey() {
  const {publicKey, privateKey} = generateKeyPairSync('ed25519');
  const raw = publicKey.export({format: 'jwk'}).x;
  const multikey = 'z' + base58.encode(Buffer.concat([Buffer.from([0xed, 0x01]), Buffer.from(raw, 'base64url')]));
  const did = `did:key:${multikey}`;
  return {did, kid: `${did}#${multikey}`, privateKey};
}

async function main() {
  const uri = process.argv[2];
  const configuration = process.argv[3];
  const holder = didKey();
  const client = await OpenID4VCIClientV1_0_15.fromURI({uri, kid: holder.kid, alg: 'EdDSA', retrieveServerMetadata: true});
  const token = await client.acquireAccessToken();
  const signCallback = async (jwt) => {
    const input = `${b64u(JSON.stringify(jwt.header))}.${b64u(JSON.stringify(jwt.payload))}`;
    return `${input}.${b64u(sign(null, Buffer.from(input), holder.privateKey))}`;
  };
  const response = await client.acquireCredentials({
    credentialConfigurationId: configuration ?? client.credentialOffer.credential_offer.credential_configuration_ids[0],
    proofCallbacks: {signCallback},
    kid: holder.kid,
    alg: 'EdDSA',
  });
  return {
    ok: true,
    version: client.version(),
    holder: holder.did,
    metadata: client.endpointMetadata,
    token: {token_type: token.token_type, expires_in: token.expires_in},
    response,
  };
}

main().then(
  (out) => process.stdout.write(JSON.stringify(out) + '\n'),
  (err) => {
    process.stdout.write(JSON.stringify({ok: false, error: String(err && err.message || err)}) + '\n');
    process.exitCode = 1;
  },
);
