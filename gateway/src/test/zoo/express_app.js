// Zoo backend: Express (version pinned in package.json). Answers with each name in ZOO_NAMES as an
// Express application reads it, req.get('X-User-Id'), and the whole of req.headers.
// Usage: node express_app.js PORT
const express = require('express');

const names = process.env.ZOO_NAMES.split(',');
const app = express();

app.use((req, res) => {
  const read = {};
  for (const n of names) read[n] = req.get(n) ?? null;
  res.json({ read, seen: req.headers });
});

app.listen(Number(process.argv[2]), '127.0.0.1');
