// Zoo backend: Node's http module. Answers with each name in ZOO_NAMES as a Node application reads
// it, req.headers['x-user-id'], and the whole of req.headers. Usage: node node_http.js PORT
const http = require('http');

const names = process.env.ZOO_NAMES.split(',');

http.createServer((req, res) => {
  const read = {};
  for (const n of names) read[n] = req.headers[n.toLowerCase()] ?? null;
  const body = JSON.stringify({ read, seen: req.headers });
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.argv[2]), '127.0.0.1');
