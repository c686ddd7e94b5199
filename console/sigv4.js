// AWS Signature Version 4 for the browser (and node 20+), on WebCrypto: signs API requests with the
// user's access key, as the AWS SDKs do. Header signing for fetch, query-string presigning for
// EventSource, which cannot send headers. The secret is only ever an HMAC key here.

const encoder = new TextEncoder();
const ALGORITHM = 'AWS4-HMAC-SHA256';

const toHex = (buffer) => Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, '0')).join('');

const bytesOf = (data) => (typeof data === 'string' ? encoder.encode(data) : data ?? new Uint8Array(0));

export async function sha256Hex(data) {
  return toHex(await crypto.subtle.digest('SHA-256', bytesOf(data)));
}

async function hmac(key, data) {
  const imported = await crypto.subtle.importKey('raw', bytesOf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', imported, bytesOf(data)));
}

/** RFC 3986 percent-encoding, as SigV4 wants it: only A-Z a-z 0-9 - _ . ~ stay as they are. */
export function encodeRfc3986(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A path whose segments are encoded once, as it goes on the wire: encodePath(['2015-03-31', 'functions', name]). */
export function encodePath(segments) {
  return `/${segments.map(encodeRfc3986).join('/')}`;
}

// Services other than S3 sign each segment of the path as sent encoded once more.
const canonicalPath = (path) => path.split('/').map(encodeRfc3986).join('/') || '/';

function canonicalQuery(params) {
  return params
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)])
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function stamp(date) {
  const iso = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return { amzDate: iso, day: iso.slice(0, 8) };
}

async function signature(secret, day, region, service, stringToSign) {
  const kDate = await hmac(`AWS4${secret}`, day);
  const kRegion = await hmac(kDate, region);
  const kService = await hmac(kRegion, service);
  const kSigning = await hmac(kService, 'aws4_request');
  return toHex(await hmac(kSigning, stringToSign));
}

async function stringToSign(amzDate, scope, canonicalRequest) {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${await sha256Hex(canonicalRequest)}`;
}

/**
 * Signs a request: returns the headers to send with it (Authorization, X-Amz-Date,
 * X-Amz-Content-Sha256 and the given ones). `url` is absolute and its path already encoded once;
 * `headers` are those to sign besides host (lower-case names).
 */
export async function signRequest({ method, url, headers = {}, body, credentials, region, service, date = new Date() }) {
  const target = new URL(url);
  const { amzDate, day } = stamp(date);
  const payloadHash = await sha256Hex(body ?? '');
  const all = { ...lowerCase(headers), host: target.host, 'x-amz-date': amzDate, 'x-amz-content-sha256': payloadHash };
  const names = Object.keys(all).sort();
  const canonicalHeaders = names.map((n) => `${n}:${String(all[n]).trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [method, canonicalPath(target.pathname), canonicalQuery([...target.searchParams]), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const sig = await signature(credentials.secretAccessKey, day, region, service, await stringToSign(amzDate, scope, canonicalRequest));
  const { host, ...sent } = all;
  return {
    ...sent,
    authorization: `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${sig}`,
  };
}

/** A presigned GET URL (signature in the query), valid for `expiresIn` seconds. */
export async function presignUrl({ url, credentials, region, service, expiresIn = 900, date = new Date() }) {
  const target = new URL(url);
  const { amzDate, day } = stamp(date);
  const scope = `${day}/${region}/${service}/aws4_request`;
  target.searchParams.set('X-Amz-Algorithm', ALGORITHM);
  target.searchParams.set('X-Amz-Credential', `${credentials.accessKeyId}/${scope}`);
  target.searchParams.set('X-Amz-Date', amzDate);
  target.searchParams.set('X-Amz-Expires', String(expiresIn));
  target.searchParams.set('X-Amz-SignedHeaders', 'host');
  // Outside S3 a presigned request signs the hash of its (empty) body, as the AWS SDKs do.
  const canonicalRequest = ['GET', canonicalPath(target.pathname), canonicalQuery([...target.searchParams]), `host:${target.host}\n`, 'host', await sha256Hex('')].join('\n');
  const sig = await signature(credentials.secretAccessKey, day, region, service, await stringToSign(amzDate, scope, canonicalRequest));
  // Built by hand: URLSearchParams would encode spaces as '+', which SigV4 reads differently.
  const query = [...target.searchParams].map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
  return `${target.origin}${target.pathname}?${query}&X-Amz-Signature=${sig}`;
}

function lowerCase(headers) {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
