// Test driver for gatehouse-verify.mjs: reads {verifiers: {name: options}, cases: [...]} as JSON on
// stdin, verifies each case in order with its named verifier (so replay cases see earlier nonces)
// and prints one JSON line per case: {name, ok, reason}. A case's "body", when given, is base64. Options' "now" is a fixed second.
import { createVerifier } from './gatehouse-verify.mjs';

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
  console.log(JSON.stringify({ name: c.name, ok: r.ok, reason: r.reason ?? null }));
}
