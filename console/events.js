// The event sources a user has: schedules (native API) and queues (SQS API). Either may be absent
// on a server; the page then says so.
import { request, sqs } from './api.js';
import { h, table } from './dom.js';

export async function schedulesPage(main) {
  let schedules;
  try {
    schedules = (await request('GET', ['stratus', 'v1', 'schedules'])).Schedules ?? [];
  } catch (error) {
    if (error.status !== 404) {
      throw error;
    }
    schedules = null;
  }
  main.replaceChildren(h('h1', {}, 'Schedules'), table('Schedules and their next firings', [
    { title: 'Name', cell: (s) => s.Name },
    { title: 'Expression', cell: (s) => `${s.ScheduleExpression} (${s.ScheduleExpressionTimezone})` },
    { title: 'State', cell: (s) => h('span', { class: s.State === 'ENABLED' ? 'good' : 'muted' }, s.State) },
    { title: 'Target', cell: (s) => h('a', { href: `#/functions/${encodeURIComponent(s.Target.FunctionName)}` }, s.Target.FunctionName) },
    { title: 'Next firing', cell: (s) => s.NextFireTimes?.[0] ?? '–' },
    { title: 'Last firing', cell: (s) => (s.LastFiring ? `${s.LastFiring.Tick}${s.LastFiring.Error ? ` · ${s.LastFiring.Error}` : ''}` : '–') },
  ], schedules ?? [], schedules === null ? 'Schedules are not available on this server.' : 'No schedules.'));
}

export async function queuesPage(main) {
  let urls;
  try {
    urls = (await sqs('ListQueues')).QueueUrls ?? [];
  } catch (error) {
    if (error.status !== 404 && error.status !== 400) {
      throw error;
    }
    urls = null;
  }
  const queues = await Promise.all((urls ?? []).slice(0, 100).map(async (url) => {
    const attributes = (await sqs('GetQueueAttributes', { QueueUrl: url, AttributeNames: ['All'] }).catch(() => ({}))).Attributes ?? {};
    return { url, name: url.slice(url.lastIndexOf('/') + 1), attributes };
  }));
  main.replaceChildren(h('h1', {}, 'Queues'), table('Queues and their messages', [
    { title: 'Name', cell: (q) => q.name },
    { title: 'Visible', num: true, cell: (q) => q.attributes.ApproximateNumberOfMessages ?? '–' },
    { title: 'In flight', num: true, cell: (q) => q.attributes.ApproximateNumberOfMessagesNotVisible ?? '–' },
    { title: 'URL', cell: (q) => q.url },
  ], queues, urls === null ? 'Queues are not available on this server.' : 'No queues.'));
}
