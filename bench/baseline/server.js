// Raw baseline: a bare node `http` server that runs the same handler as the Stratus function
// (../function/index.js) and answers with the same body Stratus returns for an Invoke
// (the handler's result as JSON). Usage: node server.js PORT
'use strict';
const http = require('node:http');
const path = require('node:path');
const { handler } = require(path.join(__dirname, '..', 'function', 'index.js'));

const port = Number(process.argv[2] || 0);
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const raw = Buffer.concat(chunks).toString();
    const result = await handler(raw.length ? JSON.parse(raw) : {}, {});
    const body = JSON.stringify(result === undefined ? null : result);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1', () => {
  console.log(`baseline listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
