// Stratus Node.js runtime bootstrap.
//
// Loads the function named by _HANDLER from LAMBDA_TASK_ROOT and serves
// invocations over the Lambda Runtime API (2018-06-01) exposed at
// AWS_LAMBDA_RUNTIME_API. Started as `node bootstrap.mjs [SOCKET [PIPE]]` with cwd =
// task root; SOCKET, when given, is a Unix socket serving the same API more cheaply,
// and PIPE a named pipe its answers come through (see RuntimeClient).
//
// Started as `node bootstrap.mjs --standby [SOCKET [PIPE]]`, it boots, warms up and
// connects before anyone knows which function it will run, then reads one JSON
// line on stdin (see specialise) that makes it an instance: so a cold start skips
// node's own boot.
//
// Startup time matters: node:util, node:fs, node:path and node:url are already
// loaded by Node's own bootstrap, so importing them is free; node:net is small.
// Nothing else is imported until it is needed.
import net from 'node:net';
import { format } from 'node:util';
import { statSync, openSync, readSync, closeSync, writeFileSync, unlinkSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const env = process.env;
const API = '/2018-06-01/runtime';
const ERROR_TYPE_HEADER = 'Lambda-Runtime-Function-Error-Type';
const requireHere = createRequire(import.meta.url);

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

// A minimal HTTP/1.1 client on one keep-alive socket. The Runtime API is the hot
// path of every invocation: a raw socket costs far less per call than node:http,
// and pipelining lets a response and the next `invocation/next` leave in one write.
// The socket is unref'd while no call is outstanding, so it does not keep the
// process alive and 'beforeExit' still fires when user code leaves nothing pending.
//
// With a reply pipe (a standby runtime's, see the server's ReplyPipe), requests go
// on the socket and their responses come back through the pipe, read in blocking
// reads: waiting for the next event is one read(2), not a turn of the event loop,
// and between invocations the process waits in it, as a Lambda environment is
// frozen between invocations. The event loop still gets its turn: whenever a call
// has to wait for something else, and before a read once a millisecond has passed
// since the last turn, so timers and I/O callbacks run as they would otherwise.
class RuntimeClient {
  constructor(host, port, socketPath, pipePath) {
    this.host = host;
    this.port = port;
    this.socketPath = socketPath;
    this.pipePath = pipePath;
    this.pipe = -1;
    this.pipeBuffer = null;
    this.pipeLength = 0;
    this.lastTurn = 0;
    this.socket = null;
    this.pending = [];
    this.chunks = [];
    this.length = 0;
  }

  // Sends the requests in one write; resolves to their responses, in order.
  send(requests) {
    if (!this.socket) this.connect();
    let text = '';
    for (const { method, path, headers, body } of requests) {
      text += `${method} ${path} HTTP/1.1\r\nHost: ${this.host}\r\n`;
      for (const name in headers) text += `${name}: ${headers[name]}\r\n`;
      text += body === undefined ? '\r\n' : `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    }
    const promises = requests.map(() => new Promise((resolve, reject) => this.pending.push({ resolve, reject })));
    this.socket.ref();
    if (this.pipe < 0) {
      this.socket.write(text);
      return promises;
    }
    // The responses are read once the requests have left: at once when the write went
    // straight to the socket, otherwise when it is done (the socket still connecting, or full).
    let waiting = false;
    this.socket.write(text, () => waiting && this.readPipeAfterTurn());
    if (this.socket.connecting || this.socket.writableLength > 0) waiting = true;
    else if (performance.now() - this.lastTurn >= 1) setImmediate(() => this.readPipeAfterTurn());
    else this.readPipe();
    return promises;
  }

  connect() {
    const socket = this.socketPath
      ? net.createConnection({ path: this.socketPath })
      : net.createConnection({ host: this.host, port: this.port }).setNoDelay(true);
    socket.on('data', (data) => this.receive(data));
    socket.on('error', (err) => this.drop(socket, err));
    socket.on('close', () => this.drop(socket, new Error('Runtime API connection closed')));
    this.socket = socket;
    this.chunks = [];
    this.length = 0;
    if (this.pipePath && this.socketPath && this.pipeBuffer === null) this.claimPipe();
  }

  // Asks, first on a fresh connection, for the answers to come through the pipe. The
  // server holds the pipe open, so opening it never waits; a pipe that cannot be
  // opened leaves the answers on the socket. A pipe is claimed once per process.
  claimPipe() {
    try {
      this.readFrom(openSync(this.pipePath, 'r'));
    } catch {
      return;
    }
    this.pending.push({ resolve: () => {}, reject: () => {} });
    this.socket.write(`GET ${API}/stratus/reply-pipe HTTP/1.1\r\nHost: ${this.host}\r\n\r\n`);
  }

  // Reads the answers from `fd` from now on.
  readFrom(fd) {
    this.pipe = fd;
    this.pipeBuffer = Buffer.allocUnsafe(64 * 1024);
  }

  readPipeAfterTurn() {
    this.lastTurn = performance.now();
    this.readPipe();
  }

  readPipe() {
    while (this.pending.length > 0 && this.pipe >= 0) {
      const response = this.pipeLength > 0 ? parseResponse(this.pipeBuffer.subarray(0, this.pipeLength)) : undefined;
      if (response) {
        // The body outlives the buffer, which the next read reuses.
        response.body = Buffer.from(response.body);
        this.pipeBuffer.copy(this.pipeBuffer, 0, response.size, this.pipeLength);
        this.pipeLength -= response.size;
        const waiter = this.pending.shift();
        if (this.pending.length === 0) this.socket?.unref();
        waiter.resolve(response);
        if (response.headers.close) {
          // Nothing more comes for this connection; the socket's close may not have been seen yet.
          this.drop(this.socket, new Error('Runtime API connection closed'));
          return;
        }
        continue;
      }
      if (this.pipeLength === this.pipeBuffer.length) {
        const larger = Buffer.allocUnsafe(this.pipeBuffer.length * 2);
        this.pipeBuffer.copy(larger, 0, 0, this.pipeLength);
        this.pipeBuffer = larger;
      }
      let read;
      try {
        read = readSync(this.pipe, this.pipeBuffer, this.pipeLength, this.pipeBuffer.length - this.pipeLength);
      } catch (err) {
        if (err.code === 'EINTR' || err.code === 'EAGAIN') continue;
        read = 0;
      }
      if (read === 0) {
        // The server let go of the pipe: it is gone, or this runtime is being stopped.
        this.drop(this.socket, new Error('Runtime API connection closed'));
        return;
      }
      this.pipeLength += read;
    }
  }

  drop(socket, err) {
    if (this.socket !== socket) return;
    this.socket = null;
    socket?.destroy();
    if (this.pipe >= 0) {
      // A new connection answers on its socket: what is left in the pipe belongs to this one.
      closeSync(this.pipe);
      this.pipe = -1;
    }
    const pending = this.pending;
    this.pending = [];
    for (const p of pending) p.reject(err);
  }

  receive(data) {
    if (this.pipe >= 0) return;
    this.chunks.push(data);
    this.length += data.length;
    while (this.pending.length > 0 && this.length > 0) {
      const buffer = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.length);
      this.chunks = [buffer];
      const response = parseResponse(buffer);
      if (!response) return;
      const rest = buffer.subarray(response.size);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
      const waiter = this.pending.shift();
      if (this.pending.length === 0) this.socket?.unref();
      waiter.resolve(response);
    }
  }
}

// The headers a runtime reads, in an object of one fixed shape (cheap for V8 to build and read).
class ResponseHeaders {
  constructor() {
    this.contentLength = 0;
    this.chunked = false;
    this.contentType = undefined;
    this.requestId = undefined;
    this.deadlineMs = undefined;
    this.functionArn = undefined;
    this.traceId = undefined;
    this.clientContext = undefined;
    this.cognitoIdentity = undefined;
    this.close = false;
  }

  // Names are matched as Stratus writes them, or in lower case; any other spelling is lower-cased once.
  set(name, value) {
    switch (name) {
      case 'Content-Length': case 'content-length': this.contentLength = Number(value); break;
      case 'Content-Type': case 'content-type': this.contentType = value; break;
      case 'Lambda-Runtime-Aws-Request-Id': case 'lambda-runtime-aws-request-id': this.requestId = value; break;
      case 'Lambda-Runtime-Deadline-Ms': case 'lambda-runtime-deadline-ms': this.deadlineMs = Number(value); break;
      case 'Lambda-Runtime-Invoked-Function-Arn': case 'lambda-runtime-invoked-function-arn': this.functionArn = value; break;
      case 'Lambda-Runtime-Trace-Id': case 'lambda-runtime-trace-id': this.traceId = value; break;
      case 'Lambda-Runtime-Client-Context': case 'lambda-runtime-client-context': this.clientContext = value; break;
      case 'Lambda-Runtime-Cognito-Identity': case 'lambda-runtime-cognito-identity': this.cognitoIdentity = value; break;
      case 'Transfer-Encoding': case 'transfer-encoding': this.chunked = value.toLowerCase() === 'chunked'; break;
      case 'Connection': case 'connection': this.close = value.toLowerCase() === 'close'; break;
      default: {
        const lower = name.toLowerCase();
        if (lower !== name) this.set(lower, value);
        break;
      }
    }
  }
}

function isBlank(code) {
  return code === 32 || code === 9;
}

// Parses one complete response at the start of `buffer`; undefined if more bytes are needed.
// The head is read in place, line by line, without splitting it into arrays of strings.
function parseResponse(buffer) {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = buffer.toString('utf8', 0, headEnd);
  let lineEnd = head.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = head.length;
  const space = head.indexOf(' ');
  // "HTTP/1.1 200 OK": the status is the three digits after the first space.
  const status = space < 0 || space > lineEnd ? NaN : Number(head.slice(space + 1, space + 4));
  const headers = new ResponseHeaders();
  for (let at = lineEnd + 2; at < head.length;) {
    let end = head.indexOf('\r\n', at);
    if (end < 0) end = head.length;
    const colon = head.indexOf(':', at);
    if (colon > at && colon < end) {
      let nameEnd = colon;
      while (nameEnd > at && isBlank(head.charCodeAt(nameEnd - 1))) nameEnd--;
      let valueStart = colon + 1;
      while (valueStart < end && isBlank(head.charCodeAt(valueStart))) valueStart++;
      let valueEnd = end;
      while (valueEnd > valueStart && isBlank(head.charCodeAt(valueEnd - 1))) valueEnd--;
      headers.set(head.slice(at, nameEnd), head.slice(valueStart, valueEnd));
    }
    at = end + 2;
  }
  let offset = headEnd + 4;
  if (headers.chunked) {
    const pieces = [];
    for (;;) {
      const lineEnd = buffer.indexOf('\r\n', offset);
      if (lineEnd < 0) return undefined;
      const size = parseInt(buffer.toString('latin1', offset, lineEnd), 16);
      if (buffer.length < lineEnd + 2 + size + 2) return undefined;
      pieces.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
      if (size === 0) break;
    }
    return { status, headers, body: Buffer.concat(pieces), size: offset };
  }
  const length = headers.contentLength || 0;
  if (buffer.length < offset + length) return undefined;
  return { status, headers, body: buffer.subarray(offset, offset + length), size: offset + length };
}

let client;

// "host:port", possibly "[::1]:port".
function parseAddress(address) {
  const portAt = address.lastIndexOf(':');
  return [address.slice(0, portAt).replace(/^\[(.*)\]$/, '$1'), Number(address.slice(portAt + 1))];
}

// Reads the function's settings from the environment; `socket` is the Runtime API's Unix socket, if
// any, and `pipe` the pipe its answers may come through (see RuntimeClient).
function configure(socket, pipe) {
  const [host, port] = parseAddress(env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001');
  if (client && client.socketPath === socket) {
    // A standby runtime's connection, made before it knew its function.
    client.host = host;
    client.port = port;
  } else {
    client = new RuntimeClient(host, port, socket, pipe);
    // Connect now: the connection is made while the function's code loads.
    client.connect();
    client.socket.unref();
  }
  FUNCTION_NAME = env.AWS_LAMBDA_FUNCTION_NAME;
  FUNCTION_VERSION = env.AWS_LAMBDA_FUNCTION_VERSION;
  MEMORY_SIZE = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
  LOG_GROUP = env.AWS_LAMBDA_LOG_GROUP_NAME;
  LOG_STREAM = env.AWS_LAMBDA_LOG_STREAM_NAME;
}

// One call; a connection the server dropped while idle fails at once, so retry once on a fresh one.
async function call(method, path, body, headers) {
  try {
    return await client.send([{ method, path, body, headers }])[0];
  } catch {
    return client.send([{ method, path, body, headers }])[0];
  }
}

function postRequest(path, payload, errorType) {
  const headers = { 'Content-Type': 'application/json' };
  // Header values must be plain printable ASCII.
  if (errorType !== undefined) headers[ERROR_TYPE_HEADER] = String(errorType).replace(/[^\x20-\x7e]/g, '');
  return { method: 'POST', path, body: payload, headers };
}

function checkPosted(path, res) {
  if (res.status !== 202) {
    process.stderr.write(`stratus bootstrap: POST ${path} -> ${res.status} ${res.body}\n`);
  }
}

async function post(path, payload, errorType) {
  const request = postRequest(path, payload, errorType);
  checkPosted(path, await call(request.method, request.path, request.body, request.headers));
}

const NEXT = { method: 'GET', path: `${API}/invocation/next`, headers: {} };

// Posts an invocation's outcome and asks for the next event in the same write.
async function postThenNext(path, payload, errorType) {
  const [posted, next] = client.send([postRequest(path, payload, errorType), NEXT]);
  checkPosted(path, await posted);
  return next;
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

// Loads one file: CommonJS through require (several times cheaper than import()
// on a cold loader), ES modules (.mjs, or .js under "type": "module", which
// require refuses) through import().
function loadFile(file) {
  if (!file.endsWith('.mjs')) {
    try {
      return requireHere(file);
    } catch (e) {
      if (!e || e.code !== 'ERR_REQUIRE_ESM') throw e;
    }
  }
  return import(pathToFileURL(file).href);
}

// Find <root>/<dir>/<name> the way Lambda does: the path as given (a file, or a
// directory with an index / package.json main), then .js, .mjs, .cjs, and
// finally a package under node_modules.
async function importUserModule(root, dir, name) {
  const base = resolvePath(root, dir, name);
  const st = stat(base);
  if (st && st.isFile()) return loadFile(base);
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (stat(base + ext)?.isFile()) return loadFile(base + ext);
  }
  // Node's CommonJS resolver handles directories and node_modules, and its
  // failure is exactly Lambda's "Cannot find module 'x'\nRequire stack:..." error.
  const target = st && st.isDirectory() ? requireHere.resolve(base) : requireHere.resolve(name, { paths: [root, resolvePath(root, dir)] });
  return loadFile(target);
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

  // ES modules expose exports on the namespace (or, from require, module.exports
  // itself); a CommonJS module loaded by import() has module.exports on `default`.
  let fn = lookup(ns, fnPath);
  if (fn === undefined && ns != null) fn = lookup(ns.default, fnPath);
  if (!fn) throw new HandlerNotFound(`${spec} is undefined or not exported`);
  if (typeof fn !== 'function') throw new HandlerNotFound(`${spec} is not a function`);
  return fn;
}

// ---------------------------------------------------------------- invocations

let FUNCTION_NAME, FUNCTION_VERSION, MEMORY_SIZE, LOG_GROUP, LOG_STREAM;

// The handler's context object, as Lambda's runtime shapes it (all own properties, so
// spreading or destructuring it works as it does there).
class Context {
  constructor(headers, deadline, succeed, fail, done) {
    this.functionName = FUNCTION_NAME;
    this.functionVersion = FUNCTION_VERSION;
    this.memoryLimitInMB = MEMORY_SIZE;
    this.logGroupName = LOG_GROUP;
    this.logStreamName = LOG_STREAM;
    this.invokedFunctionArn = headers.functionArn;
    this.awsRequestId = headers.requestId;
    this.clientContext = parseHeaderJson(headers.clientContext, 'ClientContext');
    this.identity = parseHeaderJson(headers.cognitoIdentity, 'CognitoIdentity');
    // Accepted for compatibility; Stratus always responds as soon as the
    // callback is called (i.e. as if this were false).
    this.callbackWaitsForEmptyEventLoop = true;
    this.getRemainingTimeInMillis = () => deadline - Date.now();
    this.succeed = succeed;
    this.fail = fail;
    this.done = done;
  }
}

// _X_AMZN_TRACE_ID follows the invocation; process.env is only written when it changes.
let traceIdSet;
function setTraceId(traceId) {
  if (traceId === traceIdSet) return;
  traceIdSet = traceId;
  if (traceId) env._X_AMZN_TRACE_ID = traceId;
  else delete env._X_AMZN_TRACE_ID;
}

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

// Runs one invocation; resolves to what to post: { path, payload, errorType }.
function invoke(handler, isAsync, headers, body) {
  return new Promise((resolveDone) => {
    const id = headers.requestId;
    const deadline = headers.deadlineMs;
    currentRequestId = id;
    setTraceId(headers.traceId);

    const path = `${API}/invocation/${encodeURIComponent(id)}`;

    // Only the first of callback / promise / context.succeed|fail|done counts.
    let finished = false;
    const fail = (err) => {
      if (finished) return;
      finished = true;
      active = null;
      if (err === undefined || err === null) err = 'handled'; // as Lambda's context.fail()
      logError('Invoke Error', err);
      const payload = errorPayload(err);
      resolveDone({ path: `${path}/error`, payload: JSON.stringify(payload), errorType: payload.errorType });
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
      resolveDone({ path: `${path}/response`, payload: payload === undefined ? 'null' : payload });
    };
    const done = (err, result) => (err === undefined || err === null ? succeed(result) : fail(err));
    // Used when the process is about to die: nothing more gets posted from here.
    const abandon = () => {
      finished = true;
      active = null;
    };
    active = { id, isAsync, succeed, fail, abandon };

    try {
      const context = new Context(headers, deadline, succeed, fail, done);
      const result = handler(parseEvent(body, headers.contentType), context, done);
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

// ------------------------------------------------------------------ standby

// Runs the code paths a cold start takes once ahead of time, so that their first,
// slow run (V8 compiles a function when it is first called) is not paid by a
// function's cold start: the CommonJS and ES module loaders, handler lookup, and
// a whole rehearsed invocation against a Runtime API of its own on an abstract
// Unix socket: the HTTP exchange, the event's parsing, the context, the result's
// serialising and the socket reads and writes.
async function warmUp() {
  const here = new URL('.', import.meta.url).pathname;
  for (const dir of ['a', 'b', 'c']) await importUserModule(resolvePath(here, 'warmup'), dir, 'index');
  await import(pathToFileURL(resolvePath(here, 'warmup', 'index.mjs')).href);
  const handler = await loadHandler(resolvePath(here, 'warmup'), 'a/index.rehearse');
  void process.stdout, void process.stderr; // created on first use
  format('%s %d', 'warm', 1);
  Buffer.concat([Buffer.from('{'), Buffer.from('}')]).toString();
  parseAddress('127.0.0.1:9001');
  parseAddress('[::1]:9001');
  // The specification's parsing and the environment's writes, on a copy of what a function gets.
  const sample = JSON.parse(JSON.stringify({ env: Object.fromEntries(SPECIFICATION_KEYS.map((key) => [key, key])), cwd: here, socket: null }));
  for (const key in sample.env) {
    if (env[key] === undefined) {
      env[key] = sample.env[key];
      delete env[key];
    }
  }

  // Abstract socket names are shared by the network namespace: a random one, and a
  // rehearsal that cannot be had is skipped rather than fatal.
  const path = `\0stratus-rehearsal-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const server = net.createServer((socket) => socket.on('data', (data) => {
    const text = data.toString();
    if (text.startsWith('POST')) socket.write('HTTP/1.1 202 Accepted\r\nContent-Length: 16\r\n\r\n{"status":"OK"}\n');
    if (text.includes('/invocation/next')) socket.write(REHEARSAL_EVENT);
  }));
  const standing = client;
  try {
    await new Promise((resolve, reject) => server.once('error', reject).listen(path, resolve));
    client = new RuntimeClient('localhost', 0, path);
    const next = await call('GET', NEXT.path);
    const outcome = await invoke(handler, true, next.headers, next.body);
    const after = await postThenNext(outcome.path, outcome.payload, outcome.errorType);
    parseEvent(after.body, after.headers.contentType);
    await rehearsePipe();
  } catch {
    // Only the first cold start of this process is slower.
  } finally {
    if (client !== standing) client.socket?.destroy();
    client = standing;
    server.close();
    currentRequestId = undefined;
    setTraceId(undefined);
  }
}

// The reads of a runtime whose answers come through a pipe (see RuntimeClient), on a
// file in this process's own /tmp holding two answers; the file is gone afterwards.
async function rehearsePipe() {
  const file = `/tmp/.stratus-rehearsal-${process.pid}`;
  const rehearsal = new RuntimeClient('localhost', 0, null, null);
  try {
    writeFileSync(file, `HTTP/1.1 204 No Content\r\n\r\n${REHEARSAL_EVENT}`, { mode: 0o600 });
    rehearsal.readFrom(openSync(file, 'r'));
    const answers = [0, 1].map(() => new Promise((resolve, reject) => rehearsal.pending.push({ resolve, reject })));
    rehearsal.readPipeAfterTurn();
    await Promise.all(answers);
  } finally {
    if (rehearsal.pipe >= 0) closeSync(rehearsal.pipe);
    try {
      unlinkSync(file);
    } catch {
      // Not written.
    }
  }
}

// The environment variables a function's specification sets (see RuntimeLauncher).
const SPECIFICATION_KEYS = ['AWS_DEFAULT_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME', 'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_LAMBDA_RUNTIME_API', 'AWS_REGION', 'LAMBDA_RUNTIME_DIR', 'LAMBDA_TASK_ROOT', '_HANDLER'];

const REHEARSAL_BODY = '{"rehearsal":true}';
const REHEARSAL_EVENT = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'
  + 'Lambda-Runtime-Aws-Request-Id: 00000000-0000-0000-0000-000000000000\r\n'
  + 'Lambda-Runtime-Deadline-Ms: 0\r\n'
  + 'Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:local:000000000000:function:rehearsal\r\n'
  + 'Lambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000;Sampled=0\r\n'
  + `Content-Length: ${REHEARSAL_BODY.length}\r\n\r\n${REHEARSAL_BODY}`;

// Reads the one line that says which function this process becomes, on the
// event loop (a pipe socket), then closes stdin so that nothing of it is left to
// keep the loop alive later.
function readSpecification() {
  return new Promise((resolve) => {
    const chunks = [];
    const stdin = new net.Socket({ fd: 0, readable: true, writable: false });
    stdin.on('data', (chunk) => {
      chunks.push(chunk);
      if (!chunk.includes(10)) return;
      stdin.destroy();
      resolve(JSON.parse((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString()));
    });
    stdin.on('end', () => process.exit(0)); // the server is gone: nothing to become
    stdin.on('error', () => process.exit(1));
  });
}

// Becomes the function's instance: exactly its environment and its working
// directory (where its code now is). Returns the Runtime API socket.
function specialise(spec) {
  for (const key of Object.keys(env)) {
    if (!(key in spec.env)) delete env[key];
  }
  for (const key in spec.env) {
    if (env[key] !== spec.env[key]) env[key] = spec.env[key];
  }
  process.chdir(spec.cwd);
  return spec.socket;
}

async function main() {
  if (process.argv[2] === '--standby') {
    await warmUp();
    if (process.argv[3]) {
      // The Runtime API this process will use is open already: connect while nobody waits. Only
      // now, warmed up: the server counts a standby as ready once it has connected.
      client = new RuntimeClient('localhost', 0, process.argv[3], process.argv[4]);
      client.connect();
      client.socket.unref();
    }
    configure(specialise(await readSpecification()));
  } else {
    configure(process.argv[2], process.argv[3]);
  }
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

  let next;
  try {
    next = await call('GET', NEXT.path);
  } catch (e) {
    unreachable(e);
  }
  for (;;) {
    if (next.status !== 200) {
      process.stderr.write(`stratus bootstrap: GET /invocation/next -> ${next.status} ${next.body}\n`);
      process.exit(1);
    }
    if (crashing) return;
    const outcome = await invoke(handler, isAsync, next.headers, next.body);
    if (crashing) return;
    try {
      next = await postThenNext(outcome.path, outcome.payload, outcome.errorType);
    } catch {
      // The connection broke: post again on a fresh one (the server ignores a duplicate), then ask for more.
      try {
        await post(outcome.path, outcome.payload, outcome.errorType);
        next = await call('GET', NEXT.path);
      } catch (e) {
        unreachable(e);
      }
    }
  }
}

function unreachable(e) {
  process.stderr.write(`stratus bootstrap: cannot reach the Runtime API: ${e}\n`);
  process.exit(1);
}

main();
