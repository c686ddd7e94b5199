// One function: configuration, versions and aliases, activity charts, a test-invoke box and live logs.
import { errorOf, lambda, stratus } from './api.js';
import { barChart } from './charts.js';
import { announce, h, table } from './dom.js';

const MAX_LOG_ENTRIES = 200;

function configuration(f) {
  const rows = [
    ['Runtime', f.Runtime], ['Handler', f.Handler], ['Memory', `${f.MemorySize} MB`], ['Timeout', `${f.Timeout} s`],
    ['Code size', `${f.CodeSize} bytes`], ['Last modified', f.LastModified], ['Version', f.Version], ['ARN', f.FunctionArn],
    // Variable names only: their values may be secrets, and the console has no need to show them.
    ['Environment', Object.keys(f.Environment?.Variables ?? {}).join(', ') || 'none'],
  ];
  return h('dl', { class: 'config' }, rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '–')]));
}

async function versionsAndAliases(name) {
  const [versions, aliases] = await Promise.all([
    lambda.versions(name).then((r) => r.Versions ?? []).catch(() => null),
    lambda.aliases(name).then((r) => r.Aliases ?? []).catch(() => null),
  ]);
  const published = (versions ?? []).filter((v) => v.Version !== '$LATEST');
  return h('div', {},
    table('Published versions', [
      { title: 'Version', cell: (v) => v.Version }, { title: 'Description', cell: (v) => v.Description || '–' }, { title: 'Last modified', cell: (v) => v.LastModified },
    ], published, versions === null ? 'Versions are not available on this server.' : 'No published versions: only $LATEST.'),
    table('Aliases', [
      { title: 'Alias', cell: (a) => a.Name }, { title: 'Version', cell: (a) => a.FunctionVersion },
      { title: 'Weights', cell: (a) => Object.entries(a.RoutingConfig?.AdditionalVersionWeights ?? {}).map(([v, w]) => `${v}: ${w}`).join(', ') || '–' },
    ], aliases ?? [], aliases === null ? 'Aliases are not available on this server.' : 'No aliases.'));
}

function invokeBox(name) {
  const payload = h('textarea', { id: 'payload', name: 'payload', spellcheck: 'false', 'aria-describedby': 'payload-help' }, '{\n  "hello": "world"\n}');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Invoke');
  const result = h('div', { id: 'invoke-result', 'aria-live': 'polite' });
  const form = h('form', { 'aria-labelledby': 'invoke-title' },
    h('label', { for: 'payload' }, 'Event payload (JSON)'),
    payload,
    h('p', { id: 'payload-help', class: 'muted' }, 'Runs the function once, synchronously, with this event.'),
    button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      JSON.parse(payload.value);
    } catch (problem) {
      result.replaceChildren(h('p', { class: 'alert', role: 'alert' }, `The payload is not valid JSON: ${problem.message}`));
      return;
    }
    button.disabled = true;
    result.replaceChildren(h('p', { class: 'muted' }, 'Invoking…'));
    try {
      const response = await lambda.invoke(name, payload.value);
      const text = await response.text();
      if (!response.ok) {
        throw errorOf(response, text);
      }
      const failed = response.headers.has('x-amz-function-error');
      const log = response.headers.get('x-amz-log-result');
      const requestId = response.headers.get('x-amzn-requestid') ?? '';
      result.replaceChildren(
        h('p', { id: 'invoke-status', class: failed ? 'bad' : 'good', 'data-request-id': requestId }, failed ? 'Failed' : 'Succeeded', requestId ? ` · request ${requestId}` : ''),
        h('h3', {}, 'Response'), h('pre', { id: 'invoke-output' }, text),
        ...(log ? [h('h3', {}, 'Log'), h('pre', { id: 'invoke-log' }, new TextDecoder().decode(Uint8Array.from(atob(log), (c) => c.charCodeAt(0))))] : []));
      announce(failed ? 'Invocation failed' : 'Invocation succeeded');
    } catch (problem) {
      result.replaceChildren(h('p', { class: 'alert', role: 'alert' }, `${problem.type ?? 'Error'}: ${problem.message}`));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { 'aria-labelledby': 'invoke-title', class: 'panel' }, h('h2', { id: 'invoke-title' }, 'Test invoke'), form, result);
}

function charts(name) {
  const container = h('div', { class: 'grid charts', id: 'charts' });
  const refresh = async () => {
    const series = await stratus.series(name, 60);
    container.replaceChildren(
      barChart({ id: 'chart-invocations', title: 'Invocations', points: series.Points, field: 'Invocations' }),
      barChart({ id: 'chart-duration', title: 'Duration', points: series.Points, field: 'AverageDurationMs', unit: ' ms', total: 'max' }),
      barChart({ id: 'chart-errors', title: 'Errors', points: series.Points, field: 'Errors' }),
      barChart({ id: 'chart-cold-starts', title: 'Cold starts', points: series.Points, field: 'ColdStarts' }));
  };
  return { container, refresh };
}

function liveLogs(name, onRecord) {
  const list = h('ol', { class: 'logs', id: 'live-logs' });
  const state = h('p', { class: 'live muted', id: 'live-state' }, 'Connecting…');
  const seen = new Set();
  let source = null;
  let retry = null;
  let stopped = false;

  const add = (record) => {
    if (seen.has(record.RequestId)) {
      return;
    }
    seen.add(record.RequestId);
    list.append(h('li', { 'data-request-id': record.RequestId },
      h('p', { class: 'muted' }, `${record.Timestamp} · ${record.LogStreamName}`), h('pre', {}, record.Message)));
    while (list.children.length > MAX_LOG_ENTRIES) {
      seen.delete(list.firstElementChild.dataset.requestId);
      list.firstElementChild.remove();
    }
    list.scrollTop = list.scrollHeight;
  };

  const connect = async () => {
    // EventSource cannot send headers: the stream's URL carries its signature (valid 15 minutes;
    // a reconnect signs a new one).
    source = new EventSource(await stratus.streamUrl(name));
    source.addEventListener('open', async () => {
      state.textContent = 'Live';
      // Subscribed first, then the recent logs: nothing falls between the two.
      const recent = await stratus.logs(name, { limit: 20 });
      recent.Events.forEach(add);
    });
    source.addEventListener('log', (event) => {
      add(JSON.parse(event.data));
      onRecord();
    });
    source.addEventListener('error', () => {
      source.close();
      if (!stopped) {
        state.textContent = 'Reconnecting…';
        retry = setTimeout(connect, 2000);
      }
    });
  };
  connect();
  const section = h('section', { 'aria-labelledby': 'logs-title', class: 'panel' }, h('h2', { id: 'logs-title' }, 'Live logs'), state,
    // A log region (announced politely as lines arrive) around the list, which keeps its list semantics.
    h('div', { role: 'log', 'aria-label': `Live logs of ${name}` }, list));
  return {
    section,
    stop() {
      stopped = true;
      clearTimeout(retry);
      source?.close();
    },
  };
}

export async function functionPage(main, name) {
  const f = await lambda.getFunction(name);
  const activity = charts(name);
  let pending = null;
  const refreshSoon = () => {
    clearTimeout(pending);
    pending = setTimeout(() => activity.refresh().catch(() => {}), 300);
  };
  const logs = liveLogs(name, refreshSoon);
  const timer = setInterval(() => activity.refresh().catch(() => {}), 30000);
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/functions' }, '← Functions')),
    h('h1', {}, f.FunctionName),
    ...(f.Description ? [h('p', { class: 'muted' }, f.Description)] : []),
    h('section', { 'aria-labelledby': 'activity-title' }, h('h2', { id: 'activity-title' }, 'Activity (last 60 minutes)'), activity.container),
    h('div', { class: 'grid' }, invokeBox(name), logs.section),
    h('div', { class: 'grid' },
      h('section', { 'aria-labelledby': 'config-title', class: 'panel' }, h('h2', { id: 'config-title' }, 'Configuration'), configuration(f)),
      h('section', { 'aria-labelledby': 'versions-title', class: 'panel' }, h('h2', { id: 'versions-title' }, 'Versions and aliases'), await versionsAndAliases(name))));
  await activity.refresh();
  return () => {
    logs.stop();
    clearInterval(timer);
    clearTimeout(pending);
  };
}
