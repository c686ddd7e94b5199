// Stratus Node.js runtime bootstrap.
//
// Loads the function named by _HANDLER from LAMBDA_TASK_ROOT and serves
// invocations over the Lambda Runtime API (2018-06-01) exposed at
// AWS_LAMBDA_RUNTIME_API. Started as `node bootstrap.mjs` with cwd = task root.
//
// Startup time matters: node:util, node:fs, node:path and node:url are already
// loaded by Node's own bootstrap, so importing them is free; node:http is the
// only real cost. Nothing else is imported until it is needed.
import http from 'node:http';
import { format } from 'node:util';
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';

const env = process.env;
const API = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';

// "host:port", possibly "[::1]:port".
const apiAddress = env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
const portAt = apiAddress.lastIndexOf(':');
const API_HOST = apiAddress.slice(0, portAt).replace(/^\[(.*)\]$/, '$1');
const API_PORT = Number(apiAddress.slice(portAt + 1));

// One keep-alive socket, reused for every call to the Runtime API. Idle pooled
// sockets are unref'd by the agent, so they don't keep the process alive and
// 'beforeExit' still fires when user code leaves nothing pending.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

// Error types Lambda reports for runtime-level failures ("Runtime.<Name>").
function runtimeErrorClass(name) {
  const C = class extends Error {};
  C.prototype.name = `Runtime.${name}`; // on the prototype so the stack header shows it
  return C;
}
const ImportModuleError = runtimeErrorClass('ImportModuleError');
const HandlerNotFound = runtimeErrorClass('HandlerNotFound');
const MalformedHandlerName = runtimeErrorClass('MalformedHandlerName');
const UserCodeSyntaxError = runtimeErrorClass('UserCodeSyntaxError');
const UnhandledPromiseRejection = runtimeErrorClass('UnhandledPromiseRejection');
const NodeJsExit = runtimeErrorClass('NodeJsExit');

// ---------------------------------------------------------------- Runtime API

function send(method, path, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: API_HOST, port: API_PORT, method, path, agent, headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            headers: res.headers,
            body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// The server may close the pooled socket while it is idle; the request that
// then picks it up fails at once, so retry once on a fresh connection.
async function call(method, path, body, headers) {
  try {
    return await send(method, path, body, headers);
  } catch {
    return send(method, path, body, headers);
  }
}

async function post(path, payload, errorType) {
  const headers = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  // Header values must be plain printable ASCII or http.request throws.
  if (errorType !== undefined) headers[ERROR_TYPE_HEADER] = String(errorType).replace(/[^\x20-\x7e]/g, '');
  const res = await call('POST', path, payload, headers);
  if (res.status !== 202) {
    process.stderr.write(`stratus bootstrap: POST ${path} -> ${res.status} ${res.body}\n`);
  }
}

// Lambda's error payload: name/message/stack for Error-like values, typeof/toString otherwise.
function errorPayload(err) {
  try {
    if (err instanceof Error || (err && typeof err.name === 'string' && typeof err.message === 'string' && typeof err.stack === 'string')) {
      return { errorType: err.name, errorMessage: err.message, trace: String(err.stack).split('\n') };
    }
    return { errorType: typeof err, errorMessage: String(err), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
}

function postError(path, err) {
  const payload = errorPayload(err);
  return post(path, JSON.stringify(payload), payload.errorType);
}

// ------------------------------------------------------------------- logging

// Request id of the current (or last) invocation; "undefined" before the first one, as in Lambda.
let currentRequestId;

// Lambda's text log format: one record per console call on stdout.
// (stdout writes to pipes and files are synchronous on Linux, so a record is
// out of the process before the response that follows it is posted.)
function patchConsole() {
  const writer = (level) => (...args) => {
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId}\t${level}\t${format(...args)}\n`);
  };
  console.log = console.info = writer('INFO');
  console.warn = writer('WARN');
  console.error = writer('ERROR');
  console.debug = writer('DEBUG');
  console.trace = writer('TRACE');
  console.fatal = writer('FATAL');
}

// What Lambda logs next to a failure: "<label> \t{"errorType":...,"stack":[...]}".
function logError(label, err) {
  const e = err instanceof Error ? err : new Error(err);
  let json;
  try {
    json = JSON.stringify({ errorType: e.name, errorMessage: e.message, code: e.code, ...e, stack: String(e.stack).split('\n') });
  } catch {
    json = JSON.stringify(errorPayload(e));
  }
  console.error(label, `\t${json}`);
}

// ------------------------------------------------------------ handler loading

function stat(p) {
  return statSync(p, { throwIfNoEntry: false });
}

// Find <root>/<dir>/<name> the way Lambda does: the path as given (a file, or a
// directory with an index / package.json main), then .js, .mjs, .cjs, and
// finally a package under node_modules. import() loads CommonJS and ES
// modules alike, and knows about "type": "module".
async function importUserModule(root, dir, name) {
  const base = resolvePath(root, dir, name);
  const st = stat(base);
  if (st && st.isFile()) return import(pathToFileURL(base).href);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (stat(base + ext)?.isFile()) return import(pathToFileURL(base + ext).href);
  }
  // Node's CommonJS resolver handles directories and node_modules, and its
  // failure is exactly Lambda's "Cannot find module 'x'\nRequire stack:..." error.
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const target = st && st.isDirectory() ? require.resolve(base) : require.resolve(name, { paths: [root, resolvePath(root, dir)] });
  return import(pathToFileURL(target).href);
}

// Walk "a.b.c" down an object.
function lookup(obj, dotted) {
  return dotted.split('.').reduce((o, key) => (o == null ? undefined : o[key]), obj);
}

async function loadHandler(root, spec) {
  if (spec.includes('..')) {
    throw new MalformedHandlerName(`'${spec}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  // "dir/sub/module.fn.nested": the module is everything up to the first dot
  // after the last slash; the rest is a property path into its exports.
  const slash = spec.lastIndexOf('/');
  const dir = spec.slice(0, slash + 1);
  const file = spec.slice(slash + 1);
  const dot = file.indexOf('.');
  if (dot < 0) throw new MalformedHandlerName('Bad handler');
  const moduleName = file.slice(0, dot);
  const fnPath = file.slice(dot + 1);

  let ns;
  try {
    ns = await importUserModule(root, dir, moduleName);
  } catch (e) {
    if (e instanceof SyntaxError) throw new UserCodeSyntaxError(String(e));
    if (e && (e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND')) throw new ImportModuleError(String(e));
    throw e; // whatever the module threw while loading, as is
  }

  // ES modules expose exports on the namespace; for CommonJS, import() puts
  // module.exports on `default` (and only statically detectable names on the namespace).
  let fn = lookup(ns, fnPath);
  if (fn === undefined) fn = lookup(ns.default, fnPath);
  if (!fn) throw new HandlerNotFound(`${spec} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${spec} is not a function`);
  return fn;
}

// ---------------------------------------------------------------- invocations

const staticContext = {
  functionName: env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
  memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
  logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
};

// 'init' until the handler is loaded, then 'ready'.
let phase = 'init';
// The invocation in progress: { id, isAsync, succeed, fail, abandon }, or null.
let active = null;

function parseHeaderJson(value, name) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch (e) {
    throw new Error(`Cannot parse ${name} as json: ${e}`);
  }
}

function parseEvent(body, contentType) {
  // A non-JSON content type means the raw payload is for the handler to interpret.
  if (contentType && !contentType.includes('json')) return body.toString();
  if (body.length === 0) return {};
  return JSON.parse(body.toString());
}

// Runs one invocation; resolves once its response or error has been posted.
function invoke(handler, isAsync, headers, body) {
  return new Promise((resolveDone) => {
    const id = headers['lambda-runtime-aws-request-id'];
    const deadline = Number(headers['lambda-runtime-deadline-ms']);
    currentRequestId = id;
    const traceId = headers['lambda-runtime-trace-id'];
    if (traceId) env._X_AMZN_TRACE_ID = traceId;
    else delete env._X_AMZN_TRACE_ID;

    const path = `${API}/invocation/${encodeURIComponent(id)}`;
    const onPostFailed = (e) => {
      process.stderr.write(`stratus bootstrap: cannot reach the Runtime API: ${e}\n`);
      process.exit(1);
    };

    // Only the first of callback / promise / context.succeed|fail|done counts.
    let finished = false;
    const fail = (err) => {
      if (finished) return;
      finished = true;
      active = null;
      if (err === undefined || err === null) err = 'handled'; // as Lambda's context.fail()
      logError('Invoke Error', err);
      postError(`${path}/error`, err).then(resolveDone, onPostFailed);
    };
    const succeed = (result) => {
      if (finished) return;
      let payload;
      try {
        payload = JSON.stringify(result === undefined ? null : result);
      } catch {
        fail(new Error('Unable to stringify response body'));
        return;
      }
      finished = true;
      active = null;
      // JSON.stringify(function/symbol) is undefined: send null like undefined.
      post(`${path}/response`, payload === undefined ? 'null' : payload).then(resolveDone, onPostFailed);
    };
    const done = (err, result) => (err === undefined || err === null ? succeed(result) : fail(err));
    // Used when the process is about to die: nothing more gets posted from here.
    const abandon = () => {
      finished = true;
      active = null;
    };
    active = { id, isAsync, succeed, fail, abandon };

    try {
      const context = {
        ...staticContext,
        invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
        awsRequestId: id,
        clientContext: parseHeaderJson(headers['lambda-runtime-client-context'], 'ClientContext'),
        identity: parseHeaderJson(headers['lambda-runtime-cognito-identity'], 'CognitoIdentity'),
        // Accepted for compatibility; Stratus always responds as soon as the
        // callback is called (i.e. as if this were false).
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => deadline - Date.now(),
        succeed,
        fail,
        done,
      };
      const result = handler(parseEvent(body, headers['content-type']), context, done);
      if (result && typeof result.then === 'function') result.then(succeed, fail);
      // Otherwise the handler reports through the callback or context methods
      // (a plain return value is ignored, as in Lambda); see 'beforeExit'.
    } catch (err) {
      fail(err);
    }
  });
}

// The event loop ran dry while an invocation was still open: the callback was
// never called, or the returned promise can never settle. Lambda answers null
// for callback-style handlers and fails async ones.
function onBeforeExit() {
  if (active) {
    if (active.isAsync) {
      active.fail(new NodeJsExit('The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.'));
    } else {
      active.succeed(null);
    }
  } else if (phase === 'init') {
    crash(new NodeJsExit('The module never finished loading (a top-level await that never settles?)'), 1);
  }
}

// An uncaught exception or unhandled rejection: report it against whatever is
// running (init or the current invocation), then exit; the server starts a
// fresh process.
let crashing = false;
function crash(err, exitCode) {
  if (crashing) return;
  crashing = true;
  let report = Promise.resolve();
  if (phase === 'init') {
    report = postError(`${API}/init/error`, err);
  } else if (active) {
    const path = `${API}/invocation/${encodeURIComponent(active.id)}/error`;
    active.abandon();
    report = postError(path, err);
  }
  report.catch(() => {}).finally(() => process.exit(exitCode));
}

async function main() {
  patchConsole();
  process.on('uncaughtException', (err) => {
    logError('Uncaught Exception', err);
    crash(err, 129);
  });
  process.on('unhandledRejection', (reason, promise) => {
    const err = new UnhandledPromiseRejection(String(reason));
    err.reason = reason;
    err.promise = promise;
    logError('Unhandled Promise Rejection', err);
    crash(err, 128);
  });
  process.on('beforeExit', onBeforeExit);

  let handler;
  try {
    handler = await loadHandler(env.LAMBDA_TASK_ROOT || process.cwd(), env._HANDLER || '');
  } catch (err) {
    logError('Uncaught Exception', err);
    crash(err, 1);
    return;
  }
  // Let rejections left unhandled by the module's top-level code surface (they
  // are reported after the microtask queue drains) while this is still init.
  await new Promise((resolve) => setImmediate(resolve));
  if (crashing) return;
  phase = 'ready';
  const isAsync = handler.constructor?.name === 'AsyncFunction';

  for (;;) {
    let next;
    try {
      next = await call('GET', `${API}/invocation/next`);
    } catch (e) {
      process.stderr.write(`stratus bootstrap: cannot reach the Runtime API: ${e}\n`);
      process.exit(1);
    }
    if (next.status !== 200) {
      process.stderr.write(`stratus bootstrap: GET /invocation/next -> ${next.status} ${next.body}\n`);
      process.exit(1);
    }
    if (crashing) return;
    await invoke(handler, isAsync, next.headers, next.body);
  }
}

main();
