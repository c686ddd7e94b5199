// A stand-in OTLP/HTTP collector: accepts POST /v1/traces, reads the body and answers 200 with an
// empty protobuf message; GET /stats tells how many exports and bytes it took.
import http from 'node:http';

let exports = 0;
let bytes = 0;
const server = http.createServer((request, response) => {
  request.on('data', (chunk) => { bytes += chunk.length; });
  request.on('end', () => {
    if (request.method === 'GET' && request.url === '/stats') {
      response.end(`exports=${exports} bytes=${bytes}\n`);
      return;
    }

    if (request.url === '/v1/traces') exports++;
    response.writeHead(200, { 'Content-Type': 'application/x-protobuf' });
    response.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
