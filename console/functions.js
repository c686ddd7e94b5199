// The functions list: every function the signed-in account owns, with the last hour's activity.
import { lambda, stratus } from './api.js';
import { h, ms, table } from './dom.js';

async function allFunctions() {
  const functions = [];
  let marker;
  do {
    const page = await lambda.listFunctions(marker);
    functions.push(...page.Functions);
    marker = page.NextMarker;
  } while (marker && functions.length < 1000);
  return functions;
}

export async function functionsPage(main) {
  const [functions, activity] = await Promise.all([allFunctions(), stratus.activity().catch(() => ({ Functions: [] }))]);
  const byName = new Map(activity.Functions.map((a) => [a.FunctionName, a]));
  const none = { Invocations: 0, Errors: 0, ColdStarts: 0, AverageDurationMs: 0, LastActive: null };
  const rows = functions.map((f) => ({ ...f, activity: byName.get(f.FunctionName) ?? none }));
  const columns = [
    { title: 'Name', cell: (f) => h('a', { href: `#/functions/${encodeURIComponent(f.FunctionName)}` }, f.FunctionName) },
    { title: 'Runtime', cell: (f) => f.Runtime },
    { title: 'Status', cell: (f) => h('span', { class: f.activity.Errors > 0 ? 'bad' : 'good' }, f.State ?? 'Active', f.activity.Errors > 0 ? ' · errors' : '') },
    { title: 'Invocations (1 h)', num: true, cell: (f) => String(f.activity.Invocations) },
    { title: 'Errors (1 h)', num: true, cell: (f) => h('span', { class: f.activity.Errors > 0 ? 'bad' : undefined }, String(f.activity.Errors)) },
    { title: 'Cold starts (1 h)', num: true, cell: (f) => String(f.activity.ColdStarts) },
    { title: 'Avg duration', num: true, cell: (f) => (f.activity.Invocations ? ms(f.activity.AverageDurationMs) : '–') },
    { title: 'Last active', cell: (f) => f.activity.LastActive ?? '–' },
  ];
  main.replaceChildren(
    h('h1', {}, 'Functions'),
    table(`${rows.length} function${rows.length === 1 ? '' : 's'}; activity over the last hour`, columns, rows, 'No functions yet: deploy one with `stratus deploy` or the AWS CLI.'),
  );
}
