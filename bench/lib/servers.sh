# Sourced by benchmarks that run several Stratus servers (and helpers) side by side. Expects ROOT,
# BENCH and RAW to be set. Every process started with `spawn` gets SIGTERM on exit (Stratus stops its
# instance processes itself), and WORK, a fresh temp directory, is removed.
PY=/usr/bin/python3
[[ -x $PY ]] || PY=python3
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus
WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench.XXXXXX")
PIDS=()

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

stop_all() {
  local status=$? pid
  trap - EXIT INT TERM
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
  exit "$status"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

build_stratus() {
  log "building Stratus (Release)"
  dotnet build -c Release --nologo -v q "$ROOT/src/Stratus.Cli" >"$RAW/build.log" 2>&1 || { cat "$RAW/build.log" >&2; die "build failed"; }
}

# start_hello NAME [SERVER ARGS...]: a server with a fresh data directory and bench/function deployed
# as hello (nodejs20.x, 1769 MB); sets ENDPOINT and SERVER_PID.
start_hello() {
  local name=$1 port
  shift
  port=$(free_port)
  # Development mode (any signature) on every side alike: what these benchmarks compare is not
  # authentication, whose cost bench/tenancy measures.
  "$STRATUS" server --listen "127.0.0.1:$port" --data "$WORK/$name" --insecure-any-signature "$@" >"$RAW/server-$name.log" 2>&1 &
  PIDS+=($!)
  SERVER_PID=$!
  for _ in $(seq 600); do grep -q '^Stratus listening on' "$RAW/server-$name.log" && break; kill -0 "${PIDS[-1]}" || die "server $name exited"; sleep 0.05; done
  ENDPOINT=http://127.0.0.1:$port
  "$STRATUS" deploy "$BENCH/function" --name hello --runtime nodejs20.x --handler index.handler --memory 1769 --endpoint "$ENDPOINT" >/dev/null
  [[ $(curl -sf -X POST -d '{}' "$ENDPOINT/2015-03-31/functions/hello/invocations") == '{"statusCode":200,"body":"hello"}' ]] || die "$name: Invoke did not answer the function's result"
}

# stop_server PID: stops one server started by start_hello (SIGTERM: it stops its instances itself).
stop_server() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local kept=() pid
  for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
}

# cpu_ticks PID: CPU time (user + system, in clock ticks) the process itself has used so far; not its
# children's (a server's instance processes), which is the function's time, not the platform's.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# thread_ticks PID: one line per thread name of the process, "NAME<TAB>ticks", the CPU time (user +
# system) its threads of that name have used so far. Thread names come from /proc/PID/task/*/comm
# (.NET names its own: ".NET Sockets", ".NET Tiered Com", ...; Stratus names its runtime-API and log
# writer threads); the name in /proc/.../stat can hold spaces, so the fields are read after its ")".
thread_ticks() {
  local task
  for task in /proc/"$1"/task/*; do
    printf '%s\t%s\n' "$(cat "$task/comm" 2>/dev/null)" "$(sed 's/.*) //' "$task/stat" 2>/dev/null | awk '{ print $12 + $13 }')"
  done | awk -F'\t' '$2 != "" { ticks[$1] += $2 } END { for (name in ticks) print name "\t" ticks[name] }' | LC_ALL=C sort
}

# wrk_run NAME URL SCRIPT DURATION [PID]: wrk -t2 -c64, its output in RAW/NAME.txt, which must hold a
# RESULT line; with PID, the process's CPU ticks over the run in RAW/NAME.cpu, and per thread name in
# RAW/NAME.threads ("NAME<TAB>ticks"; threads that ended during the run are not counted).
wrk_run() {
  local before threads_before
  log "wrk $1 (-t2 -c64 -d$4)"
  if [[ -n ${5:-} ]]; then
    before=$(cpu_ticks "$5")
    threads_before=$(thread_ticks "$5")
  fi
  wrk -t2 -c64 -d"$4" --latency -s "$3" "$2" >"$RAW/$1.txt"
  if [[ -n ${5:-} ]]; then
    echo "ticks=$(( $(cpu_ticks "$5") - before )) hz=$(getconf CLK_TCK)" >"$RAW/$1.cpu"
    LC_ALL=C join -t$'\t' <(echo "$threads_before") <(thread_ticks "$5") | awk -F'\t' '{ print $1 "\t" $3 - $2 }' >"$RAW/$1.threads"
  fi
  grep -q '^RESULT ' "$RAW/$1.txt" || { cat "$RAW/$1.txt" >&2; die "wrk $1 printed no result"; }
}
