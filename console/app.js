// The console: a single page whose views follow the URL's hash (#/functions, #/functions/NAME, ...).
import { lambda, session } from './api.js';
import { h } from './dom.js';
import { functionsPage } from './functions.js';
import { functionPage } from './function.js';
import { usagePage } from './usage.js';
import { schedulesPage, queuesPage } from './events.js';

const main = document.getElementById('main');
let cleanup = () => {};

const routes = [
  [/^#\/functions\/(.+)$/, (m) => functionPage(main, decodeURIComponent(m[1]))],
  [/^#\/usage$/, () => usagePage(main)],
  [/^#\/schedules$/, () => schedulesPage(main)],
  [/^#\/queues$/, () => queuesPage(main)],
  [/^(#\/functions)?\/?$|^#?$/, () => functionsPage(main)],
];

async function render() {
  cleanup();
  cleanup = () => {};
  const credentials = session.get();
  document.getElementById('nav').hidden = !credentials;
  if (!credentials) {
    signIn();
    return;
  }

  document.getElementById('who').textContent = `${credentials.accessKeyId} · ${credentials.region}`;
  const hash = location.hash || '#/functions';
  for (const link of document.querySelectorAll('nav a')) {
    link.toggleAttribute('aria-current', hash.startsWith(link.getAttribute('href')));
    if (link.hasAttribute('aria-current')) {
      link.setAttribute('aria-current', 'page');
    }
  }

  // An address the console does not know shows the functions list.
  const route = routes.find(([pattern]) => pattern.test(hash)) ?? routes[routes.length - 1];
  main.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  try {
    cleanup = (await route[1](hash.match(route[0]))) ?? (() => {});
  } catch (error) {
    if (error.status === 401 || error.status === 403) {
      // The key was refused: signing in again is the way out.
      session.clear();
      signIn(`Signed out: ${error.message}`);
      return;
    }
    main.replaceChildren(h('h1', {}, 'Something went wrong'), h('p', { class: 'alert', role: 'alert' }, `${error.type ?? 'Error'}: ${error.message}`));
  }
}

function signIn(problem) {
  document.getElementById('nav').hidden = true;
  const error = h('p', { class: 'alert', role: 'alert', hidden: !problem }, problem ?? '');
  const form = h('form', { class: 'signin', 'aria-labelledby': 'signin-title' },
    h('div', {}, h('label', { for: 'access-key-id' }, 'Access key ID'),
      h('input', { id: 'access-key-id', name: 'accessKeyId', required: true, autocomplete: 'username', spellcheck: 'false' })),
    h('div', {}, h('label', { for: 'secret-access-key' }, 'Secret access key'),
      h('input', { id: 'secret-access-key', name: 'secretAccessKey', type: 'password', required: true, autocomplete: 'current-password' })),
    h('div', {}, h('label', { for: 'region' }, 'Region'),
      h('input', { id: 'region', name: 'region', required: true, value: 'us-east-1' })),
    error,
    h('div', {}, h('button', { type: 'submit', class: 'primary' }, 'Sign in')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    session.set({
      accessKeyId: String(data.get('accessKeyId')).trim(),
      secretAccessKey: String(data.get('secretAccessKey')),
      region: String(data.get('region')).trim(),
    });
    try {
      // A signed call proves the key before the console shows anything.
      await lambda.listFunctions();
    } catch (failure) {
      session.clear();
      error.textContent = `Could not sign in: ${failure.message}`;
      error.hidden = false;
      return;
    }
    if (location.hash && location.hash !== '#/') {
      render();
    } else {
      location.hash = '#/functions';
    }
  });
  main.replaceChildren(h('h1', { id: 'signin-title' }, 'Sign in to Stratus'),
    h('p', { class: 'muted' }, 'Requests are signed in this browser with your access key (AWS Signature Version 4). The key is kept for this tab only.'),
    form);
  document.getElementById('access-key-id').focus();
}

document.getElementById('sign-out').addEventListener('click', () => {
  session.clear();
  cleanup();
  location.hash = '';
  render();
});

window.addEventListener('hashchange', () => {
  render();
  main.focus();
});
render();
