"""Times save-to-served for `stratus deploy` by hand (baseline) and for `stratus dev` (measured).

Arguments: STRATUS ROUNDS RAW_DIR. Starts its own server on a free port with a fresh data directory,
makes the project with `stratus new`, and stops the server (SIGTERM) at the end. Standard library only."""
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import sign  # noqa: E402  (bench/lib/sign.py: every API request is signed)

stratus, rounds, raw = sys.argv[1], int(sys.argv[2]), sys.argv[3]
env = dict(os.environ, NO_COLOR="1")
work = tempfile.mkdtemp(prefix="stratus-bench-devloop.")
with socket.socket() as probe:
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
endpoint = f"http://127.0.0.1:{port}"
project = os.path.join(work, "hello")
source = os.path.join(project, "src", "index.js")


def save(version):
    with open(source, "w") as f:
        f.write(f"exports.handler = async () => ({{ version: {version} }});\n")


def invoke():
    url = f"{endpoint}/2015-03-31/functions/hello/invocations"
    request = urllib.request.Request(url, data=b"{}", method="POST", headers=sign.headers("POST", url, b"{}"))
    with urllib.request.urlopen(request) as response:
        return json.load(response).get("version")


def served(version, since):
    # Polled: a benchmark may spin where a test may not.
    while invoke() != version:
        pass
    return time.perf_counter() - since


def measure():
    manual = []
    for i in range(rounds):
        save(i)
        start = time.perf_counter()
        subprocess.run([stratus, "deploy", project, "--endpoint", endpoint], check=True, capture_output=True, env=env)
        manual.append(served(i, start))

    dev = subprocess.Popen([stratus, "dev", project, "--endpoint", endpoint], stdout=subprocess.PIPE, text=True, env=env)
    for line in dev.stdout:
        if line.startswith("Watching for changes"):
            break

    deployed, answered = [], []
    for i in range(rounds):
        version = 1000 + i
        start = time.perf_counter()
        save(version)
        for line in dev.stdout:
            if line.startswith("function hello: updated"):
                deployed.append(time.perf_counter() - start)
                break
        answered.append(served(version, start))
    dev.terminate()
    dev.wait()
    return manual, deployed, answered


server = subprocess.Popen([stratus, "server", "--listen", f"127.0.0.1:{port}", "--data", os.path.join(work, "data")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    if not server.stdout.readline().startswith("Stratus listening on"):
        sys.exit("bench: the server did not start")
    print("==> stratus new node hello; stratus deploy; measuring", rounds, "rounds of each", file=sys.stderr)
    subprocess.run([stratus, "new", "node", "hello", "--output", project], check=True, capture_output=True, env=env)
    subprocess.run([stratus, "deploy", project, "--endpoint", endpoint], check=True, capture_output=True, env=env)
    manual, deployed, answered = measure()
finally:
    server.terminate()
    server.wait()
    shutil.rmtree(work, ignore_errors=True)

with open(os.path.join(raw, "samples.json"), "w") as f:
    json.dump({"manual_deploy": manual, "dev_deployed": deployed, "dev_served": answered}, f)


def row(name, samples):
    ms = sorted(s * 1000 for s in samples)
    p50, p90 = statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.9))]
    return name, p50, p90


rows = [
    row("save, then `stratus deploy` by hand, until Invoke answers (baseline)", manual),
    row("`stratus dev`: save until its 'updated' line", deployed),
    row("`stratus dev`: save until Invoke answers the new code", answered),
]
base = rows[0][1]
print(f"| path | p50 ms | p90 ms | p50 / baseline |")
print(f"|---|---:|---:|---:|")
for name, p50, p90 in rows:
    print(f"| {name} | {p50:.0f} | {p90:.0f} | {p50 / base:.2f} |")
