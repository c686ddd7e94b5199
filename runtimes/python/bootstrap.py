"""Stratus Python runtime bootstrap (stdlib only).

Loads the function named by _HANDLER from LAMBDA_TASK_ROOT and serves
invocations over the Lambda Runtime API (2018-06-01) at AWS_LAMBDA_RUNTIME_API.
Started as `/usr/bin/python3 bootstrap.py [SOCKET]` with cwd = task root; SOCKET,
when given, is a Unix socket serving the same API more cheaply.

Started as `bootstrap.py --standby [SOCKET]`, it boots (and connects) before
anyone knows which function it will run, then reads one JSON line on stdin (see
specialise) that makes it an instance: so a cold start skips the interpreter's boot.
"""

import http.client
import importlib
import json
import logging
import os
import sys
import time
import traceback
from urllib.parse import quote

API = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
THIS_FILE = os.path.abspath(__file__)
# Lambda writes non-ASCII characters unescaped for functions declared as python3.12+ (see configure).
ENSURE_ASCII = True

# Request id of the current (or last) invocation, for log records.
_request_id = ""


class Fault(Exception):
    """A failure the runtime reports with a Lambda "Runtime.*" error type."""

    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace


# ------------------------------------------------------------------ Runtime API


class UnixConnection(http.client.HTTPConnection):
    """HTTP over the Unix socket Stratus serves the same API on (argv[1]), cheaper than loopback TCP."""

    def __init__(self, path):
        super().__init__("localhost", timeout=None)
        self.path = path

    def connect(self):
        import socket
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


class RuntimeApi:
    """One persistent keep-alive connection to the Runtime API."""

    def __init__(self, address, socket_path=None):
        self.address = address
        self.socket_path = socket_path
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        # The server may have closed the idle keep-alive socket: on any failure,
        # reconnect and try once more.
        for attempt in (1, 2):
            if self.conn is None:
                # timeout=None explicitly: /next is a long poll, and user code may
                # have called socket.setdefaulttimeout().
                self.conn = (UnixConnection(self.socket_path) if self.socket_path
                             else http.client.HTTPConnection(self.address, timeout=None))
            try:
                self.conn.request(method, path, body, headers or {})
                response = self.conn.getresponse()
                return response, response.read()
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def next(self):
        response, body = self.request("GET", API + "/invocation/next")
        if response.status != 200:
            raise RuntimeError("GET /invocation/next -> %d %r" % (response.status, body))
        return response.headers, body

    def post(self, path, body, content_type="application/json", error_type=None):
        headers = {"Content-Type": content_type}
        if error_type is not None:
            # Header values must be printable ASCII or http.client refuses them.
            headers[ERROR_TYPE_HEADER] = "".join(c for c in str(error_type) if " " <= c <= "~")
        response, reply = self.request("POST", path, body, headers)
        if response.status != 202:
            sys.stderr.write("stratus bootstrap: POST %s -> %d %r\n" % (path, response.status, reply))


def flush_output():
    # The server attributes process output to the invocation that is running
    # until its response arrives, so everything must be out before we post.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


# ---------------------------------------------------------------------- errors


def make_error(message, error_type, stack_trace, request_id=""):
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id or "",
        "stackTrace": stack_trace or [],
    }


def error_from_exception(exc, request_id=""):
    """Lambda's error shape for an exception raised by user code."""
    frames = traceback.extract_tb(exc.__traceback__)
    # Drop the bootstrap's own frames (and importlib's, on import errors).
    frames = [f for f in frames if f.filename != THIS_FILE and not f.filename.startswith("<frozen ")]
    # Plain tuples, as Lambda formats them (no 3.11 caret lines).
    lines = traceback.format_list([(f.filename, f.lineno, f.name, f.line) for f in frames])
    return make_error(str(exc), type(exc).__name__, lines, request_id)


def log_error(error):
    """Write the failure to stdout the way Lambda logs it."""
    text = "[ERROR] %s: %s" % (error["errorType"], error["errorMessage"])
    if error["stackTrace"]:
        text += "\nTraceback (most recent call last):\n" + "".join(error["stackTrace"]).rstrip("\n")
    sys.stdout.write(text + "\n")


# --------------------------------------------------------------------- logging


class _RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _request_id
        return True


class _StdoutHandler(logging.Handler):
    # The format already ends each record with "\n".
    def emit(self, record):
        try:
            sys.stdout.write(self.format(record))
        except Exception:
            self.handleError(record)


def setup_logging():
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler = _StdoutHandler()
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
    root.setLevel(level if level in logging.getLevelNamesMapping() else logging.INFO)


# ------------------------------------------------------------- handler loading


def load_handler(spec):
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (spec, e))

    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault(
            "Runtime.BuiltInModuleConflict",
            "Cannot use built-in module %s as a handler module" % module_name,
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e), trace)

    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault(
            "Runtime.HandlerNotFound",
            "Handler '%s' missing on module '%s'" % (function_name, module_name),
        )


# --------------------------------------------------------------------- context


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")


class Client:
    __slots__ = ("installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name")


class ClientContext:
    __slots__ = ("custom", "env", "client")


def _from_dict(cls, values):
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


def _parse_header_json(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise Fault("Runtime.LambdaContextUnmarshalError", "Unable to parse %s JSON: %s" % (name, e))


class LambdaContext:
    # Per-process values, read once (see configure).
    function_name = None
    function_version = None
    memory_limit_in_mb = None
    log_group_name = None
    log_stream_name = None

    def __init__(self, request_id, deadline_ms, function_arn, client_context_json, identity_json):
        self.aws_request_id = request_id
        self.invoked_function_arn = function_arn
        self._deadline_ms = deadline_ms

        self.client_context = None
        if client_context_json:
            self.client_context = _from_dict(ClientContext, _parse_header_json(client_context_json, "Client Context"))
            if self.client_context.client is not None:
                self.client_context.client = _from_dict(Client, self.client_context.client)

        identity = _parse_header_json(identity_json, "Cognito Identity") if identity_json else {}
        self.identity = CognitoIdentity()
        self.identity.cognito_identity_id = identity.get("cognitoIdentityId")
        self.identity.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))


# ----------------------------------------------------------------- invocations


def decode_event(body, content_type):
    # A non-JSON content type means the raw payload is for the handler to interpret.
    if content_type and "json" not in content_type:
        return body
    if not body:
        return {}
    try:
        return json.loads(body)
    except Exception as e:
        raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)


def encode_result(result):
    if isinstance(result, bytes):  # passed through untouched, as Lambda does
        return result, "application/unknown"
    try:
        return json.dumps(result, ensure_ascii=ENSURE_ASCII).encode(), "application/json"
    except Exception as e:
        raise Fault("Runtime.MarshalError", "Unable to marshal response: %s" % e)


def handle_invocation(api, handler, headers, body):
    global _request_id
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
    _request_id = request_id
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    path = "%s/invocation/%s" % (API, quote(request_id, safe=""))

    error = None
    try:
        context = LambdaContext(
            request_id,
            int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            headers.get("Lambda-Runtime-Client-Context"),
            headers.get("Lambda-Runtime-Cognito-Identity"),
        )
        event = decode_event(body, headers.get("Content-Type"))
        payload, content_type = encode_result(handler(event, context))
    except Fault as f:
        error = make_error(f.message, f.error_type, f.trace, request_id)
    except Exception as e:
        error = error_from_exception(e, request_id)

    if error is None:
        flush_output()
        api.post(path + "/response", payload, content_type)
    else:
        log_error(error)
        flush_output()
        api.post(path + "/error", json.dumps(error).encode(), error_type=error["errorType"])


def configure():
    """Reads the function's settings from the environment."""
    global ENSURE_ASCII
    ENSURE_ASCII = os.environ.get("AWS_EXECUTION_ENV", "").rpartition("python")[2] in ("", "3.8", "3.9", "3.10", "3.11")
    LambdaContext.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
    LambdaContext.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
    LambdaContext.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    LambdaContext.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
    LambdaContext.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")


def specialise():
    """Waits for the line that makes this standby process an instance: exactly the
    function's environment and working directory (where its code now is).
    Returns the Runtime API socket."""
    line = sys.stdin.buffer.readline()
    if not line:
        sys.exit(0)  # the server is gone: nothing to become
    spec = json.loads(line)
    sys.stdin.close()
    os.environ.clear()
    os.environ.update(spec["env"])
    time.tzset()
    os.chdir(spec["cwd"])
    return spec.get("socket")


def main():
    socket_path = sys.argv[1] if len(sys.argv) > 1 else None
    api = None
    if socket_path == "--standby":
        if len(sys.argv) > 2:
            # The Runtime API this process will use is open already: connect while nobody waits.
            api = RuntimeApi(None, sys.argv[2])
            api.conn = UnixConnection(sys.argv[2])
            api.conn.connect()
        socket_path = specialise()
    configure()
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    # sys.path[0] is this script's directory; user code must not see (or be
    # shadowed by) the runtime's files, so the task root takes its place.
    if sys.path and os.path.realpath(sys.path[0] or ".") == os.path.dirname(os.path.realpath(THIS_FILE)):
        sys.path[0] = task_root
    else:
        sys.path.insert(0, task_root)

    if not os.environ.get("PYTHONUNBUFFERED"):  # the server sets it; be safe without it
        sys.stdout.reconfigure(line_buffering=True)
        sys.stderr.reconfigure(line_buffering=True)

    setup_logging()
    address = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    if api is None or api.socket_path != socket_path:
        api = RuntimeApi(address, socket_path)
    api.address = address

    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as f:
        error = make_error(f.message, f.error_type, f.trace)
    except Exception as e:  # the module raised while loading
        error = error_from_exception(e)
    else:
        error = None
    if error is not None:
        log_error(error)
        flush_output()
        try:
            api.post(API + "/init/error", json.dumps(error).encode(), error_type=error["errorType"])
        finally:
            sys.exit(1)

    while True:
        try:
            headers, body = api.next()
            handle_invocation(api, handler, headers, body)
        except (OSError, http.client.HTTPException, RuntimeError) as e:
            # Handler failures never get here; this is the Runtime API gone or misbehaving.
            sys.stderr.write("stratus bootstrap: lost the Runtime API: %s\n" % e)
            sys.exit(1)


if __name__ == "__main__":
    main()
