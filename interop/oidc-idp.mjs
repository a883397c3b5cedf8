// A real OpenID Connect provider (panva's oidc-provider) for credstack's single sign-on tests.
//
//   node oidc-idp.mjs '<json>'
//
// The JSON gives the client ({client_id, client_secret, redirect_uris}) and the users
// ({"<login>": {"email", "name", "groups"}}). The provider listens on 127.0.0.1 on a free port and prints
// one line, {"issuer": "http://127.0.0.1:<port>"}; it runs until its stdin closes. Sign-in uses the
// provider's own development forms: the login is a user's key (the password is not checked), then
// consent. The `groups` scope releases a `groups` claim (in the ID token and from userinfo).
import http from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2]);
const users = config.users;

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: config.client.client_id,
      client_secret: config.client.client_secret,
      redirect_uris: config.client.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    conformIdTokenClaims: false, // the scope's claims in the ID token too, not only from userinfo
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['credstack-test-idp-cookie-key'] },
    pkce: { required: () => true },
    async findAccount(ctx, id) {
      const user = users[id];
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: user.email, email_verified: true, name: user.name, groups: user.groups };
        },
      };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(JSON.stringify({ issuer }) + '\n');
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
