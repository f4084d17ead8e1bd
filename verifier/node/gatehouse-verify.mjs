// Verifies, in a Node.js backend, that a request came through Gatehouse: RFC 9421 signatures
// (hmac-sha256, ed25519) or identity tokens (EdDSA, ES256). Only node:crypto; no packages.
// The rules are the Java verifier's (gatehouse-verifier); README "Verifying in Node.js" explains them.
import crypto from 'node:crypto';

const REQUEST_COMPONENTS = ['@method', '@authority', '@path', '@query'];
const PARAMS = ['created', 'keyid', 'alg', 'nonce', 'tag'];
const VISIBLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * The string the gateway verified, from the value of one identity header as verify() returns it in
 * result.identity: the gateway writes the UTF-8 bytes of the value with every byte outside visible
 * ASCII, and '%', '+' and ',', as %XX (README "Identity headers"). For a header filled from an
 * array (x-scopes, a roles claim), split on ',' first and decode each part. Throws a URIError for
 * what the gateway never sends: a character outside visible ASCII, a bad escape, escapes that are
 * not UTF-8.
 */
export function decodeIdentityValue(value) {
  if (!VISIBLE_ASCII.test(value)) throw new URIError('an identity value is visible ASCII only');
  return decodeURIComponent(value);
}

/**
 * options: { mode: 'http_signature' | 'identity_token',
 *            hmacKeys: { keyid: Buffer|string },      // hmac-sha256 secrets
 *            jwks: { keys: [...] },                     // Ed25519 (and P-256 for tokens) public keys
 *            identityHeaders: ['x-user-id', ...],       // every identity header this backend trusts
 *            windowSeconds: 30, skewSeconds: 5,
 *            audience: 'app', tokenHeader: 'gatehouse-identity', issuer: 'gatehouse',
 *            now: () => seconds since the epoch }
 * Returns verify({ method, target, headers, body }) where headers maps lower-case names to a string or
 * an array of strings, and body (a Buffer, optional) is the body as received: give it when the
 * gateway signs this upstream's bodies (content_digest). Then a signed content-digest must match it
 * and a non-empty body without one is refused; without body, a signed content-digest is refused.
 * verify returns { ok: true, keyId, identity } or { ok: false, reason, detail }. identity maps lower-case
 * names to the values as sent; read each with decodeIdentityValue.
 */
export function createVerifier(options) {
  const window = options.windowSeconds ?? 30;
  const skew = options.skewSeconds ?? 5;
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  const identityHeaders = (options.identityHeaders ?? []).map((h) => h.toLowerCase());
  const keys = new Map();
  for (const [id, secret] of Object.entries(options.hmacKeys ?? {})) {
    keys.set(id, { alg: 'hmac-sha256', secret: Buffer.from(secret) });
  }
  for (const jwk of options.jwks?.keys ?? []) {
    if (!jwk.kid) continue;
    if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') keys.set(jwk.kid, { alg: 'ed25519', key: crypto.createPublicKey({ key: jwk, format: 'jwk' }) });
    if (jwk.kty === 'EC' && jwk.crv === 'P-256') keys.set(jwk.kid, { alg: 'es256', key: crypto.createPublicKey({ key: jwk, format: 'jwk' }) });
  }
  const seen = new Map(); // nonce or jti -> expiry (seconds)
  const firstUse = (id, expires, t) => {
    for (const [k, e] of seen) if (e < t) seen.delete(k);
    if (seen.has(id)) return false;
    seen.set(id, expires);
    return true;
  };
  const refuse = (reason, detail) => ({ ok: false, reason, detail });
  const values = (headers, name) => {
    const v = headers[name.toLowerCase()];
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  };
  // RFC 9421 section 2.1, with Gatehouse's rule: an absent covered header has the empty value.
  const fieldValue = (headers, name) => values(headers, name).map((s) => s.trim()).join(', ');
  // The gateway sends identity values as visible ASCII only (a repeated header, joined with ', ', is not).
  const notVisibleAscii = (name, v) => (VISIBLE_ASCII.test(v) ? null
    : refuse('MALFORMED', name + ' holds a character outside visible ASCII, which the gateway never sends'));

  function verifySignature(req) {
    const inputs = values(req.headers, 'signature-input');
    const sigs = values(req.headers, 'signature');
    if (!inputs.length || !sigs.length) return refuse('MISSING', 'no Signature-Input or Signature header');
    let input;
    let signature;
    try {
      input = parseDictionary(inputs.join(', ')).get('gatehouse');
      signature = parseDictionary(sigs.join(', ')).get('gatehouse');
    } catch (e) {
      return refuse('MALFORMED', e.message);
    }
    if (!input || !signature) return refuse('MISSING', "no signature labelled 'gatehouse'");
    if (!input.items || !signature.bytes) return refuse('MALFORMED', 'wrong member types');
    const covered = input.items;
    for (const c of covered) {
      if (c.startsWith('@') && !REQUEST_COMPONENTS.includes(c)) return refuse('MALFORMED', 'unsupported component ' + c);
      if (c !== c.toLowerCase()) return refuse('MALFORMED', 'component names are lower case');
    }
    if (new Set(covered).size !== covered.length) return refuse('MALFORMED', 'a component is covered twice');
    for (const r of [...REQUEST_COMPONENTS, ...identityHeaders]) if (!covered.includes(r)) return refuse('NOT_COVERED', r + ' is not covered');
    if (covered.includes('signature') || covered.includes('signature-input')) return refuse('MALFORMED', 'the signature fields cannot be covered');
    const digestCovered = covered.includes('content-digest');
    if (!digestCovered && req.body !== undefined && req.body.length > 0) return refuse('NOT_COVERED', 'content-digest is not covered but the request has a body');
    const p = input.params;
    if (typeof p.created !== 'number') return refuse('MALFORMED', 'created is missing');
    if (typeof p.keyid !== 'string') return refuse('MALFORMED', 'keyid is missing');
    if (typeof p.nonce !== 'string' || p.nonce.length < 16) return refuse('MALFORMED', 'nonce is missing or short');
    if (p.tag !== 'gatehouse') return refuse('MALFORMED', "tag is not 'gatehouse'");
    for (const k of Object.keys(p)) if (!PARAMS.includes(k)) return refuse('MALFORMED', 'unsupported parameter ' + k);
    const t = now();
    if (t - p.created > window) return refuse('TOO_OLD', `created ${t - p.created} s ago`);
    if (p.created - t > skew) return refuse('FROM_THE_FUTURE', `created ${p.created - t} s ahead`);
    const key = keys.get(p.keyid);
    if (!key || key.alg === 'es256') return refuse('UNKNOWN_KEY', `no key '${p.keyid}'`);
    if (p.alg !== undefined && p.alg !== key.alg) return refuse('UNKNOWN_KEY', `key '${p.keyid}' is not ${p.alg}`);
    const host = values(req.headers, 'host');
    if (host.length !== 1) return refuse('MALFORMED', 'exactly one Host header is required');
    for (const c of covered) {
      if (c.startsWith('@') || c === 'content-digest') continue;
      const bad = notVisibleAscii(c, fieldValue(req.headers, c));
      if (bad) return bad;
    }
    const q = req.target.indexOf('?');
    const component = {
      '@method': req.method,
      '@authority': host[0].trim().toLowerCase(),
      '@path': (q < 0 ? req.target : req.target.slice(0, q)) || '/',
      '@query': q < 0 ? '?' : req.target.slice(q),
    };
    const identity = {};
    const lines = covered.map((c) => {
      let v = component[c];
      if (v === undefined && c === 'content-digest') v = fieldValue(req.headers, c);
      if (v === undefined) {
        v = fieldValue(req.headers, c);
        if (v !== '') identity[c] = v;
      }
      return `"${c}": ${v}`;
    });
    lines.push('"@signature-params": ' + serializeParams(covered, p));
    const base = Buffer.from(lines.join('\n'), 'utf8');
    let ok;
    if (key.alg === 'hmac-sha256') {
      const mac = crypto.createHmac('sha256', key.secret).update(base).digest();
      ok = mac.length === signature.bytes.length && crypto.timingSafeEqual(mac, signature.bytes);
    } else {
      ok = signature.bytes.length === 64 && crypto.verify(null, base, key.key, signature.bytes);
    }
    if (!ok) return refuse('BAD_SIGNATURE', 'the signature does not match the request');
    // Checked once the field is known to be the gateway's, and before the nonce is used up.
    if (digestCovered) {
      if (req.body === undefined) return refuse('DIGEST_MISMATCH', 'content-digest is covered but the body was not given');
      let sha;
      try {
        sha = parseDictionary(values(req.headers, 'content-digest').join(', ')).get('sha-256');
      } catch (e) {
        return refuse('MALFORMED', 'Content-Digest: ' + e.message);
      }
      if (!sha || !sha.bytes) return refuse('MALFORMED', 'Content-Digest has no sha-256 byte sequence');
      const actual = crypto.createHash('sha256').update(req.body).digest();
      if (actual.length !== sha.bytes.length || !crypto.timingSafeEqual(actual, sha.bytes)) {
        return refuse('DIGEST_MISMATCH', 'the body does not match its Content-Digest');
      }
    }
    if (!firstUse(p.keyid + ' ' + p.nonce, p.created + window, t)) return refuse('REPLAYED', 'nonce already seen');
    return { ok: true, keyId: p.keyid, identity };
  }

  function verifyToken(req) {
    const header = (options.tokenHeader ?? 'gatehouse-identity').toLowerCase();
    const v = values(req.headers, header);
    if (!v.length) return refuse('MISSING', 'no identity token');
    if (v.length > 1) return refuse('MALFORMED', 'more than one identity token');
    const parts = v[0].trim().split('.');
    if (parts.length !== 3) return refuse('MALFORMED', 'not a compact JWS');
    let head;
    let claims;
    try {
      head = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return refuse('MALFORMED', 'the token cannot be parsed');
    }
    if (head.crit) return refuse('MALFORMED', 'critical header parameters are not supported');
    if (typeof head.kid !== 'string') return refuse('MALFORMED', 'kid is missing');
    const key = keys.get(head.kid);
    const ed = key?.alg === 'ed25519' && head.alg === 'EdDSA';
    const es = key?.alg === 'es256' && head.alg === 'ES256';
    if (!ed && !es) return refuse('UNKNOWN_KEY', `no ${head.alg} key '${head.kid}'`);
    const input = Buffer.from(parts[0] + '.' + parts[1], 'ascii');
    const sig = Buffer.from(parts[2], 'base64url');
    const good = ed ? crypto.verify(null, input, key.key, sig) : crypto.verify('sha256', input, { key: key.key, dsaEncoding: 'ieee-p1363' }, sig);
    if (!good) return refuse('BAD_SIGNATURE', "the token's signature does not match");
    if (claims.iss !== (options.issuer ?? 'gatehouse')) return refuse('WRONG_AUDIENCE', 'wrong iss');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(options.audience)) return refuse('WRONG_AUDIENCE', 'aud does not name ' + options.audience);
    if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') return refuse('MALFORMED', 'iat or exp is missing');
    if (typeof claims.jti !== 'string' || claims.jti.length < 16) return refuse('MALFORMED', 'jti is missing or short');
    const t = now();
    if (claims.exp - claims.iat > 60) return refuse('MALFORMED', 'the token lives longer than 60 s');
    if (t - claims.iat > window || t >= claims.exp + skew) return refuse('TOO_OLD', `issued ${t - claims.iat} s ago`);
    if (claims.iat - t > skew) return refuse('FROM_THE_FUTURE', `issued ${claims.iat - t} s ahead`);
    if (claims.htm !== req.method || claims.htt !== req.target) return refuse('REQUEST_MISMATCH', 'the token is for another method or target');
    if (typeof claims.hdr !== 'object' || claims.hdr === null) return refuse('MALFORMED', 'hdr is missing');
    const signed = Object.fromEntries(Object.entries(claims.hdr).map(([k, val]) => [k.toLowerCase(), val]));
    const identity = {};
    for (const name of identityHeaders) {
      const actual = fieldValue(req.headers, name);
      const bad = notVisibleAscii(name, actual);
      if (bad) return bad;
      if (actual !== (signed[name] ?? '')) return refuse('IDENTITY_MISMATCH', name + ' differs from the token');
      if (actual !== '') identity[name] = actual;
    }
    if (!firstUse(head.kid + ' ' + claims.jti, claims.exp + skew, t)) return refuse('REPLAYED', 'jti already seen');
    return { ok: true, keyId: head.kid, identity, subject: claims.sub };
  }

  return options.mode === 'identity_token' ? verifyToken : verifySignature;
}

function quote(s) {
  return '"' + s.replaceAll('\\', '\\\\').replaceAll('"', '\\"') + '"';
}

function serializeParams(covered, params) {
  let out = '(' + covered.map(quote).join(' ') + ')';
  for (const [k, v] of Object.entries(params)) out += `;${k}=` + (typeof v === 'string' ? quote(v) : String(v));
  return out;
}

// A strict subset of RFC 8941 dictionaries: members are inner lists of strings or byte sequences,
// parameters are strings or integers; a key seen twice is refused.
function parseDictionary(s) {
  let i = 0;
  const out = new Map();
  const fail = (m) => { throw new Error(m); };
  const sp = () => { while (s[i] === ' ') i++; };
  const key = () => {
    const m = /^[a-z*][a-z0-9_\-.*]*/.exec(s.slice(i));
    if (!m) fail('expected a key at ' + i);
    i += m[0].length;
    return m[0];
  };
  const string = () => {
    if (s[i] !== '"') fail('expected a string at ' + i);
    i++;
    let b = '';
    for (;;) {
      if (i >= s.length) fail('unterminated string');
      const c = s[i++];
      if (c === '"') return b;
      if (c === '\\') {
        const e = s[i++];
        if (e !== '"' && e !== '\\') fail('bad escape');
        b += e;
      } else if (c < ' ' || c > '~') fail('non-printable character in string');
      else b += c;
    }
  };
  const params = () => {
    const p = {};
    while (s[i] === ';') {
      i++;
      sp();
      const k = key();
      if (k in p) fail(`parameter '${k}' appears twice`);
      if (s[i++] !== '=') fail('expected =');
      if (s[i] === '"') p[k] = string();
      else {
        const m = /^-?[0-9]{1,15}/.exec(s.slice(i));
        if (!m) fail(`parameter '${k}' must be a string or an integer`);
        i += m[0].length;
        p[k] = Number(m[0]);
      }
    }
    return p;
  };
  sp();
  if (i >= s.length) fail('empty dictionary');
  for (;;) {
    const k = key();
    if (out.has(k)) fail(`member '${k}' appears twice`);
    if (s[i++] !== '=') fail('expected =');
    if (s[i] === '(') {
      i++;
      const items = [];
      for (;;) {
        sp();
        if (s[i] === ')') { i++; break; }
        items.push(string());
        if (s[i] === ';') fail('parameters on covered components are not supported');
        if (s[i] !== ' ' && s[i] !== ')') fail('expected space or ) at ' + i);
      }
      out.set(k, { items, params: params() });
    } else if (s[i] === ':') {
      const close = s.indexOf(':', i + 1);
      if (close < 0) fail('unterminated byte sequence');
      const b64 = s.slice(i + 1, close);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) fail('byte sequence is not base64');
      i = close + 1;
      out.set(k, { bytes: Buffer.from(b64, 'base64'), params: params() });
    } else fail(`member '${k}' is neither an inner list nor a byte sequence`);
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length) return out;
    if (s[i++] !== ',') fail('expected , at ' + (i - 1));
    while (s[i] === ' ' || s[i] === '\t') i++;
    if (i >= s.length) fail('trailing comma');
  }
}
