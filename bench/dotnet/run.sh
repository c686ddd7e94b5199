#!/usr/bin/env bash
# Cold starts of C# functions, against baselines from the same run (hyperfine):
#   dotnet10: a `hello` function's cold start vs a bare `dotnet bare.dll` start printing hello;
#   provided.al2023: a NativeAOT `bootstrap` built with Stratus.Runtime vs the same binary started bare.
# Cold start = median(cold Invoke) - median(warm Invoke after the same prepare step).
# Prints a table and writes bench/results/dotnet-latest.md (raw hyperfine JSON in bench/results/raw/).
#
# Usage: bash bench/dotnet/run.sh          Knobs: BENCH_COLD_RUNS (30), BENCH_BARE_RUNS (50)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
COLD_RUNS=${BENCH_COLD_RUNS:-30}
BARE_RUNS=${BENCH_BARE_RUNS:-50}
RESULTS=$ROOT/bench/results
RAW=$RESULTS/raw
STRATUS=$ROOT/src/Stratus.Cli/bin/Release/net10.0/stratus

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- tools
missing=()
for tool in hyperfine curl clang; do command -v "$tool" >/dev/null || missing+=("$tool"); done
[[ -f /usr/include/zlib.h ]] || missing+=(zlib1g-dev) # NativeAOT links against zlib
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    die "missing: ${missing[*]} (apt-get install ${missing[*]})"
  fi
fi
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is required"
CLEAN_ENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME" LANG=C.UTF-8 TZ=:UTC DOTNET_NOLOGO=1)

WORK=$(mktemp -d "${TMPDIR:-/tmp}/stratus-bench-dotnet.XXXXXX")
SERVER_PID=""
cleanup() {
  trap - EXIT INT TERM
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
mkdir -p "$RAW"

# ---------------------------------------------------------------- build
log "building Stratus (Release)"
dotnet build "$ROOT/src/Stratus.Cli" -c Release --nologo -v q >/dev/null
LIBS=$ROOT/src/Stratus.Runtime/bin/Release/
publish() { # project-dir output-dir
  cp -r "$1" "$WORK/src-$(basename "$1")"
  dotnet publish "$WORK/src-$(basename "$1")" -c Release -o "$2" --nologo -v q -p:StratusRuntimeDirectory="$LIBS" >/dev/null
}
log "publishing the functions and the baselines"
publish "$HERE/hello" "$WORK/hello"
publish "$HERE/bare" "$WORK/bare"
publish "$ROOT/tests/functions/dotnet/AotHello" "$WORK/aot"
(cd "$WORK/hello" && zip -qr "$WORK/hello.zip" .)
(cd "$WORK/aot" && zip -qr "$WORK/aot.zip" bootstrap)

# ---------------------------------------------------------------- server
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ENDPOINT=http://127.0.0.1:$PORT
log "starting Stratus on $ENDPOINT"
"$STRATUS" server --listen "127.0.0.1:$PORT" --data "$WORK/data" >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!
for _ in $(seq 300); do grep -q "Stratus listening" "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
grep -q "Stratus listening" "$WORK/server.out" || die "server did not start: $(tail -5 "$WORK/server.err")"
# Requests are signed with the root key the server wrote at its first start (SigV4, as the AWS CLI does).
key=$(awk -F' *= *' '/aws_access_key_id/ {print $2; exit}' "$WORK/data/credentials")
secret=$(awk -F' *= *' '/aws_secret_access_key/ {print $2; exit}' "$WORK/data/credentials")
export SIGN="--aws-sigv4 aws:amz:us-east-1:lambda --user $key:$secret"
read -ra sign <<<"$SIGN"

create() { # name runtime handler zip
  python3 -c 'import base64,json,sys; print(json.dumps({"FunctionName":sys.argv[1],"Runtime":sys.argv[2],"Handler":sys.argv[3],"Role":"arn:aws:iam::000000000000:role/bench","MemorySize":512,"Code":{"ZipFile":base64.b64encode(open(sys.argv[4],"rb").read()).decode()}}))' "$@" >"$WORK/create.json"
  curl -sf -o /dev/null "${sign[@]}" -H 'Content-Type: application/json' --data-binary @"$WORK/create.json" "$ENDPOINT/2015-03-31/functions" || die "could not create $1"
}
create hello-dotnet dotnet10 Hello::Hello.Function::Handler "$WORK/hello.zip"
create hello-aot provided.al2023 bootstrap "$WORK/aot.zip"
invoke() { curl -sf "${sign[@]}" -X POST --data-binary '{"name":"bench"}' "$ENDPOINT/2015-03-31/functions/$1/invocations"; }
[[ $(invoke hello-dotnet) == '"hello"' ]] || die "hello-dotnet answered $(invoke hello-dotnet)"
[[ $(invoke hello-aot) == '{"message":"hello bench","function":"hello-aot"}' ]] || die "hello-aot answered $(invoke hello-aot)"
[[ $("${CLEAN_ENV[@]}" dotnet "$WORK/bare/Bare.dll") == hello ]] || die "the bare baseline does not print hello"

# ---------------------------------------------------------------- measurements
fine() { hyperfine -N --style basic --export-json "$RAW/dotnet-$1.json" "${@:2}" >/dev/null 2>"$WORK/hyperfine-$1.err" || die "hyperfine $1 failed: $(tail -3 "$WORK/hyperfine-$1.err")"; }
invoke_cmd() { echo "curl -sf ${SIGN} -X POST --data-binary {} $ENDPOINT/2015-03-31/functions/$1/invocations"; }
log "bare starts ($BARE_RUNS runs each)"
fine bare-dotnet --warmup 5 --runs "$BARE_RUNS" "${CLEAN_ENV[*]} dotnet $WORK/bare/Bare.dll"
fine bare-aot --warmup 5 --runs "$BARE_RUNS" "${CLEAN_ENV[*]} $WORK/aot/bootstrap --bare"
for fn in dotnet aot; do
  pattern=$([[ $fn == dotnet ]] && echo Stratus.Runtime.Host.dll || echo '/bootstrap$')
  log "hello-$fn: cold and warm Invokes ($COLD_RUNS runs each)"
  fine "cold-$fn" --runs "$COLD_RUNS" --prepare "$HERE/prepare.sh $ENDPOINT hello-$fn $SERVER_PID $pattern" "$(invoke_cmd "hello-$fn")"
  fine "warm-$fn" --runs "$COLD_RUNS" --prepare "$HERE/prepare.sh $ENDPOINT hello-$fn $SERVER_PID $pattern --warm" "$(invoke_cmd "hello-$fn")"
done

# ---------------------------------------------------------------- report
python3 - "$RAW" "$RESULTS/dotnet-latest.md" <<'PY'
import json, statistics, sys
raw, out = sys.argv[1], sys.argv[2]
def median(name):
    return statistics.median(json.load(open(f"{raw}/dotnet-{name}.json"))["results"][0]["times"]) * 1000
rows = []
for fn, bare, target in (("dotnet", "bare-dotnet", None), ("aot", "bare-aot", 2.0)):
    cold, warm, base = median(f"cold-{fn}"), median(f"warm-{fn}"), median(bare)
    start = cold - warm
    ratio = start / base
    verdict = "" if target is None else (" (target <= %.1fx: %s)" % (target, "met" if ratio <= target else "NOT met"))
    rows.append((fn, cold, warm, start, base, ratio, verdict))
lines = ["| function | cold Invoke | warm Invoke | cold start (cold - warm) | bare start | ratio |", "|---|---|---|---|---|---|"]
names = {"dotnet": "dotnet10 `hello` vs `dotnet bare.dll`", "aot": "provided.al2023 NativeAOT vs `bootstrap --bare`"}
for fn, cold, warm, start, base, ratio, verdict in rows:
    lines.append(f"| {names[fn]} | {cold:.1f} ms | {warm:.1f} ms | {start:.1f} ms | {base:.1f} ms | {ratio:.2f}x{verdict} |")
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
PY
