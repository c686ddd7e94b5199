// The console's API client: every request is signed with the signed-in user's access key. The key
// lives in sessionStorage only (gone when the tab closes); nothing is sent anywhere but this server.
import { encodePath, encodeRfc3986, presignUrl, signRequest } from './sigv4.js';

const KEY = 'stratus.credentials';

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export const session = {
  get() {
    const saved = sessionStorage.getItem(KEY);
    return saved ? JSON.parse(saved) : null;
  },
  set(credentials) {
    sessionStorage.setItem(KEY, JSON.stringify(credentials));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

function query(params = {}) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '');
  return pairs.length ? `?${pairs.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(String(v))}`).join('&')}` : '';
}

/** Sends a signed request; `path` is an array of segments or an already-encoded string. */
export async function request(method, path, { params, body, headers = {}, service = 'lambda', raw = false } = {}) {
  const credentials = session.get();
  if (!credentials) {
    throw new ApiError(401, 'NotSignedIn', 'Sign in first');
  }

  const encoded = Array.isArray(path) ? encodePath(path) : path;
  const url = `${location.origin}${encoded}${query(params)}`;
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const signed = await signRequest({
    method, url, headers, body: payload, credentials, region: credentials.region, service,
  });
  const response = await fetch(url, { method, headers: signed, body: payload });
  if (raw) {
    return response;
  }

  const text = await response.text();
  if (!response.ok) {
    throw errorOf(response, text);
  }

  return text ? JSON.parse(text) : {};
}

export function errorOf(response, text) {
  let message = text || response.statusText;
  try {
    const parsed = JSON.parse(text);
    message = parsed.Message ?? parsed.message ?? message;
  } catch {
    // Not JSON: the text is the message.
  }

  return new ApiError(response.status, response.headers.get('x-amzn-ErrorType') ?? `HTTP ${response.status}`, message);
}

/** A presigned URL for a GET the browser makes itself (EventSource). */
export async function presigned(path, params = {}) {
  const credentials = session.get();
  const url = `${location.origin}${encodePath(path)}${query(params)}`;
  return presignUrl({ url, credentials, region: credentials.region, service: 'lambda', expiresIn: 900 });
}

/** SQS in its JSON protocol: POST / with X-Amz-Target. */
export function sqs(operation, body = {}) {
  return request('POST', '/', {
    body,
    service: 'sqs',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${operation}` },
  });
}

export const lambda = {
  listFunctions: (marker) => request('GET', ['2015-03-31', 'functions', ''], { params: { Marker: marker, MaxItems: 50 } }),
  getFunction: (name) => request('GET', ['2015-03-31', 'functions', name, 'configuration']),
  versions: (name) => request('GET', ['2015-03-31', 'functions', name, 'versions']),
  aliases: (name) => request('GET', ['2015-03-31', 'functions', name, 'aliases']),
  invoke: (name, payload) => request('POST', ['2015-03-31', 'functions', name, 'invocations'], {
    body: payload, headers: { 'content-type': 'application/json', 'x-amz-log-type': 'Tail' }, raw: true,
  }),
};

export const stratus = {
  activity: () => request('GET', ['stratus', 'v1', 'activity']),
  series: (name, minutes = 60) => request('GET', ['stratus', 'v1', 'functions', name, 'series'], { params: { minutes } }),
  logs: (name, params) => request('GET', ['stratus', 'v1', 'functions', name, 'logs'], { params }),
  usage: () => request('GET', ['stratus', 'v1', 'usage']),
  schedules: () => request('GET', ['stratus', 'v1', 'schedules']),
  streamUrl: (name) => presigned(['stratus', 'v1', 'functions', name, 'logs', 'stream']),
};
