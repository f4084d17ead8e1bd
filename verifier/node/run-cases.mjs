// Test driver for gatehouse-verify.mjs: reads {verifiers: {name: options}, cases: [...]} as JSON on
// stdin, verifies each case in order with its named verifier (so replay cases see earlier nonces)
// and prints one JSON line per case: {name, ok, reason, decoded, subject}, decoded being every verified
// identity header split on ',' and decoded with decodeIdentityValue. A case's "body", when given, is base64. Options' "now" is a fixed second.
import { createVerifier, decodeIdentityValue } from './gatehouse-verify.mjs';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const spec = JSON.parse(input);
const verifiers = {};
for (const [name, o] of Object.entries(spec.verifiers)) {
  const clock = { now: o.now };
  verifiers[name] = { clock, verify: createVerifier({ ...o, now: () => clock.now }) };
}
for (const c of spec.cases) {
  const v = verifiers[c.verifier];
  if (c.now !== undefined) v.clock.now = c.now;
  const headers = {};
  for (const [k, val] of c.headers) {
    const n = k.toLowerCase();
    headers[n] = headers[n] === undefined ? val : [].concat(headers[n], val);
  }
  const body = c.body === undefined ? undefined : Buffer.from(c.body, 'base64');
  const r = v.verify({ method: c.method, target: c.target, headers, body });
  // Each verified identity header split on ',' and decoded, as a backend reads it.
  const decoded = Object.fromEntries(Object.entries(r.identity ?? {}).map(([k, val]) => [k, val.split(',').map(decodeIdentityValue)]));
  console.log(JSON.stringify({ name: c.name, ok: r.ok, reason: r.reason ?? null, decoded, subject: r.subject ?? null }));
}
