// Creates the schedules through the native API, waits for their ticks and prints the jitter table.
// Usage: node jitter.mjs <endpoint> <function source>
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const [endpoint, source] = process.argv.slice(2);
const schedules = Number(process.env.SCHEDULES ?? 10000);
const baselineTicks = Number(process.env.BASELINE_TICKS ?? 10);

async function call(method, path, body) {
  const response = await fetch(endpoint + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

const log = (message) => process.stderr.write(`\x1b[1m==>\x1b[0m ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const second = (ms) => Math.ceil(ms / 1000) * 1000;
const at = (ms) => `at(${new Date(ms).toISOString().slice(0, 19)})`;

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// The function the schedules target: the trivial one the other benchmarks use, zipped with `zip`.
const zipDir = execFileSync('mktemp', ['-d']).toString().trim();
execFileSync('cp', [source, `${zipDir}/index.js`]);
execFileSync('zip', ['-q', '-j', `${zipDir}/f.zip`, `${zipDir}/index.js`]);
await call('POST', '/2015-03-31/functions', {
  FunctionName: 'tick', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/bench',
  Code: { ZipFile: readFileSync(`${zipDir}/f.zip`).toString('base64') },
});
execFileSync('rm', ['-rf', zipDir]);
// Few instances: the ticks' invocations queue behind them instead of booting a thousand runtimes.
await call('PUT', '/2017-10-31/functions/tick/concurrency', { ReservedConcurrentExecutions: 4 });

async function put(name, expression) {
  await call('PUT', `/stratus/v1/schedules/${name}`, { ScheduleExpression: expression, Target: { FunctionName: 'tick' } });
}

async function delays(prefix, tick) {
  const found = new Map();
  for (;;) {
    let token;
    do {
      const page = await call('GET', `/stratus/v1/schedules?MaxResults=1000&NamePrefix=${prefix}` + (token ? `&NextToken=${token}` : ''));
      for (const s of page.Schedules) {
        if (s.LastFiring && Date.parse(s.LastFiring.Tick) === tick(s.Name)) found.set(s.Name, s.LastFiring.DelayMilliseconds);
      }
      token = page.NextToken;
    } while (token);
    if (found.size === (prefix === 'solo-' ? baselineTicks : schedules)) return [...found.values()].sort((a, b) => a - b);
    await sleep(500);
  }
}

// Baseline: single schedules, each alone at its own second.
const start = second(Date.now()) + 3000;
const soloTicks = new Map();
for (let i = 0; i < baselineTicks; i++) {
  const name = `solo-${String(i).padStart(2, '0')}`;
  soloTicks.set(name, start + i * 2000);
  await put(name, at(start + i * 2000));
}
log(`baseline: ${baselineTicks} single schedules, one every 2 s`);
await sleep(start + baselineTicks * 2000 - Date.now());
const baseline = await delays('solo-', (name) => soloTicks.get(name));

// The load: every schedule due at the same second, far enough ahead for all to be created.
const creating = Date.now();
const tick = second(Date.now()) + 15000 + schedules * 3;
const expression = at(tick);
let next = 0;
await Promise.all(Array.from({ length: 16 }, async () => {
  for (let i = next++; i < schedules; i = next++) await put(`load-${String(i).padStart(5, '0')}`, expression);
}));
const created = Date.now() - creating;
if (Date.now() > tick - 1000) throw new Error('creating the schedules took too long: raise the margin');
log(`created ${schedules} schedules in ${(created / 1000).toFixed(1)} s (${Math.round(schedules / (created / 1000))}/s), all due at ${new Date(tick).toISOString()}`);
await sleep(tick - Date.now() + 1000);
const load = await delays('load-', () => tick);

const row = (label, values) => `| ${label} | ${values.length} | ${percentile(values, 50).toFixed(1)} | ${percentile(values, 99).toFixed(1)} | ${values[values.length - 1].toFixed(1)} |`;
console.log('| schedules due at once | ticks | p50 jitter (ms) | p99 jitter (ms) | max (ms) |');
console.log('|---|---|---|---|---|');
console.log(row('1 (baseline)', baseline));
console.log(row(String(schedules), load));
const p99 = percentile(load, 99);
console.log(`\np99 jitter with ${schedules} schedules: ${p99.toFixed(1)} ms (${(p99 / Math.max(percentile(baseline, 99), 0.001)).toFixed(1)}x the single-schedule p99); target < 1000 ms: ${p99 < 1000 ? 'met' : 'NOT met'}`);
