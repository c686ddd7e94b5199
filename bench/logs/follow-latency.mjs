// Log delivery to a live follower: subscribes to /logs/stream, then invokes the function one call at
// a time and notes when each invocation's log arrives on the stream. Baseline, in the same run: the
// Invoke round trip itself. Prints one RESULT line (milliseconds) for run.sh.
const endpoint = process.env.STRATUS_ENDPOINT;
const fn = process.env.BENCH_FUNCTION ?? 'hello';
const rounds = Number(process.env.BENCH_ROUNDS ?? 300);
const warmup = 20;

const arrivals = new Map();
let waiting = null;
const stream = await fetch(`${endpoint}/stratus/v1/functions/${fn}/logs/stream`);
const reader = stream.body.pipeThrough(new TextDecoderStream()).getReader();
let buffer = '';
let subscribed;
const ready = new Promise((resolve) => { subscribed = resolve; });
(async () => {
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (event.startsWith(': following')) subscribed();
      const data = event.split('\n').find((l) => l.startsWith('data: '));
      if (!data) continue;
      const id = JSON.parse(data.slice(6)).RequestId;
      arrivals.set(id, performance.now());
      if (waiting?.id === id) waiting.resolve();
    }
  }
})();
await ready;

const invokeMs = [];
const afterResponseMs = [];
const fromStartMs = [];
for (let i = 0; i < warmup + rounds; i++) {
  const start = performance.now();
  const response = await fetch(`${endpoint}/2015-03-31/functions/${fn}/invocations`, { method: 'POST', body: '{}' });
  await response.arrayBuffer();
  const answered = performance.now();
  const id = response.headers.get('x-amzn-requestid');
  if (!arrivals.has(id)) await new Promise((resolve) => { waiting = { id, resolve }; });
  const arrived = arrivals.get(id);
  if (i >= warmup) {
    invokeMs.push(answered - start);
    afterResponseMs.push(Math.max(0, arrived - answered));
    fromStartMs.push(arrived - start);
  }
}

const pct = (values, p) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const f = (v) => v.toFixed(3);
console.log(`RESULT rounds=${rounds} invoke_p50=${f(pct(invokeMs, 50))} invoke_p99=${f(pct(invokeMs, 99))} ` +
  `log_from_start_p50=${f(pct(fromStartMs, 50))} log_from_start_p99=${f(pct(fromStartMs, 99))} log_from_start_max=${f(Math.max(...fromStartMs))} ` +
  `log_after_response_p50=${f(pct(afterResponseMs, 50))} log_after_response_p99=${f(pct(afterResponseMs, 99))}`);
process.exit(0);
