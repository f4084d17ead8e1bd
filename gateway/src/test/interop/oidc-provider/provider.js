// The real oidc-provider (version pinned in package-lock.json) for OidcProviderIT, on 127.0.0.1.
//
// Environment:
//   OP_PORT   the port to listen on; the issuer is http://127.0.0.1:<OP_PORT>
//   OP_STATE  a directory this provider owns: its signing keys (<kid>.json, made on first use) and
//             its issued tokens (tokens.json), so that a restart keeps both
//   OP_KEYS   comma-separated key ids published in the JWKS, in order; the first one signs
//
// Clients (client_credentials only, client_secret_basic): api-client and reports-client ask for
// tokens; gateway is the gateway's own client, for introspection. Resources (RFC 8707):
//   https://jwt.api.test/          JWT access tokens (typ at+jwt), 60 s
//   https://opaque.api.test/       opaque access tokens, 60 s, checked by introspection
//   https://short-jwt.api.test/    JWT access tokens, 2 s
//   https://short-opaque.api.test/ opaque access tokens, 2 s
// Introspection (/token/introspection) and revocation (/token/revocation) are enabled.
// Prints "listening <issuer>" once it accepts connections.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import Provider, { errors } from 'oidc-provider';

const port = Number(process.env.OP_PORT);
const state = process.env.OP_STATE;
const kids = (process.env.OP_KEYS || '').split(',').filter(Boolean);
if (!port || !state || kids.length === 0) {
  console.error('OP_PORT, OP_STATE and OP_KEYS are required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

function signingKey(kid) {
  const file = path.join(state, `${kid}.json`);
  if (!fs.existsSync(file)) {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
    fs.writeFileSync(file, JSON.stringify(jwk));
  }
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// Tokens kept in one JSON file, written on every change: a restart (key rotation, an outage and
// its end) must not forget the opaque tokens it issued, as a real authorization server would not.
const tokensFile = path.join(state, 'tokens.json');
const stored = fs.existsSync(tokensFile) ? JSON.parse(fs.readFileSync(tokensFile, 'utf8')) : {};
function save() {
  fs.writeFileSync(tokensFile, JSON.stringify(stored));
}
class FileAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : null;
    stored[this.key(id)] = { payload, expiresAt };
    save();
  }

  async find(id) {
    const entry = stored[this.key(id)];
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) return undefined;
    return entry.payload;
  }

  async findByUid() {
    return undefined;
  }

  async findByUserCode() {
    return undefined;
  }

  async consume(id) {
    const entry = stored[this.key(id)];
    if (entry) {
      entry.payload.consumed = Math.floor(Date.now() / 1000);
      save();
    }
  }

  async destroy(id) {
    delete stored[this.key(id)];
    save();
  }

  async revokeByGrantId() {}
}

const resources = {
  'https://jwt.api.test/': { accessTokenFormat: 'jwt', accessTokenTTL: 60 },
  'https://opaque.api.test/': { accessTokenFormat: 'opaque', accessTokenTTL: 60 },
  'https://short-jwt.api.test/': { accessTokenFormat: 'jwt', accessTokenTTL: 2 },
  'https://short-opaque.api.test/': { accessTokenFormat: 'opaque', accessTokenTTL: 2 },
};
const scope = 'orders:read orders:write';
const client = (id) => ({
  client_id: id,
  client_secret: `${id}-secret-0123456789abcdef0123456789abcdef`,
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  token_endpoint_auth_method: 'client_secret_basic',
  scope,
});

const provider = new Provider(issuer, {
  adapter: FileAdapter,
  clients: [client('api-client'), client('reports-client'), client('gateway')],
  jwks: { keys: kids.map(signingKey) },
  scopes: ['openid', ...scope.split(' ')],
  cookies: { keys: ['interop-test-cookie-key-not-a-secret'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (ctx, client, oneOf) => oneOf,
      useGrantedResource: () => false,
      getResourceServerInfo(ctx, resource) {
        const rs = resources[resource];
        if (!rs) throw new errors.InvalidTarget();
        return {
          scope,
          audience: resource,
          accessTokenTTL: rs.accessTokenTTL,
          accessTokenFormat: rs.accessTokenFormat,
          jwt: { sign: { alg: 'RS256', kid: kids[0] } },
        };
      },
    },
  },
  ttl: {
    ClientCredentials: (ctx, token) => token.resourceServer?.accessTokenTTL ?? 60,
  },
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
server.on('error', (e) => {
  console.error(`cannot listen on ${port}: ${e.message}`);
  process.exit(1);
});
