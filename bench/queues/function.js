// The benchmark's function: reports when its handler starts (epoch milliseconds with sub-millisecond
// precision) for the message or Invoke payload it got, to the benchmark's listener.
const http = require('http');
const now = () => performance.timeOrigin + performance.now();
const agent = new http.Agent({ keepAlive: true });

exports.handler = async (event) => {
  const started = now();
  const id = event.Records ? event.Records[0].body : event.id;
  const body = JSON.stringify({ id, started });
  await new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port: Number(process.env.REPORT_PORT), method: 'POST', path: '/', agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => { response.resume(); response.on('end', resolve); });
    request.on('error', reject);
    request.end(body);
  });
  return {};
};
