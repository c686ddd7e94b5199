// Usage and cost per function and per day, from the usage ledger (GET /stratus/v1/usage). A server
// without the ledger answers 404: the page then says there is no usage data.
import { request } from './api.js';
import { barChart } from './charts.js';
import { h, table } from './dom.js';

// Lambda's public list prices (x86, first tier), for an estimate when the server reports no cost.
const PER_REQUEST = 0.2 / 1_000_000;
const PER_GB_SECOND = 0.0000166667;

const cost = (group) => (group.Cost ?? group.Requests * PER_REQUEST + Number(group.GbSeconds) * PER_GB_SECOND);
const dollars = (value) => `$${value.toFixed(value < 0.01 ? 6 : 2)}`;

async function usage(params) {
  try {
    return await request('GET', ['stratus', 'v1', 'usage'], { params });
  } catch (error) {
    if (error.status === 404) {
      return null;
    }
    throw error;
  }
}

function noData(main, why) {
  main.replaceChildren(h('h1', {}, 'Usage'), h('p', { id: 'no-usage', class: 'muted' }, `No usage data: ${why}`));
}

export async function usagePage(main) {
  const byFunction = await usage({ groupBy: 'function' });
  if (byFunction === null) {
    noData(main, 'this server does not meter usage yet.');
    return;
  }
  if (!byFunction.Groups?.length) {
    noData(main, 'no invocations in the last 30 days.');
    return;
  }

  const chooser = h('select', { id: 'usage-function' },
    h('option', { value: '' }, 'All functions'), byFunction.Groups.map((g) => h('option', { value: g.Key }, g.Key)));
  const daily = h('div', { class: 'grid', id: 'usage-charts' });
  const showDays = async () => {
    const days = await usage({ groupBy: 'day', function: chooser.value || undefined });
    const points = (days?.Groups ?? []).map((g) => ({ Minute: `${g.Key}T00:00`, Requests: g.Requests, GbSeconds: Number(g.GbSeconds), Cost: cost(g) }));
    const tick = (point) => point.Minute.slice(0, 10);
    const period = 'day';
    daily.replaceChildren(
      barChart({ id: 'chart-usage-requests', title: 'Requests per day', points, field: 'Requests', tick, period }),
      barChart({ id: 'chart-usage-gbs', title: 'GB-seconds per day', points, field: 'GbSeconds', tick, period, format: (v) => v.toFixed(3) }),
      barChart({ id: 'chart-usage-cost', title: 'Estimated cost per day ($)', points, field: 'Cost', tick, period, format: (v) => v.toFixed(6) }));
  };
  chooser.addEventListener('change', showDays);
  main.replaceChildren(
    h('h1', {}, 'Usage'),
    h('p', { class: 'muted' }, `From ${byFunction.From} to ${byFunction.To}. Cost is estimated at $0.20 per million requests and $0.0000166667 per GB-second unless the server reports it.`),
    table('Usage per function', [
      { title: 'Function', cell: (g) => g.Key },
      { title: 'Requests', num: true, cell: (g) => String(g.Requests) },
      { title: 'Billed duration', num: true, cell: (g) => `${g.BilledMs} ms` },
      { title: 'GB-seconds', num: true, cell: (g) => Number(g.GbSeconds).toFixed(3) },
      { title: 'Estimated cost', num: true, cell: (g) => dollars(cost(g)) },
    ], [...byFunction.Groups, byFunction.Total].filter(Boolean), ''),
    h('h2', {}, 'Per day'),
    h('div', {}, h('label', { for: 'usage-function' }, 'Function'), chooser),
    daily);
  await showDays();
}
