#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh into a table (stdout) and a Markdown report.

Usage: report.py RAW_DIR OUTPUT_MD
"""
import json
import re
import statistics
import sys
from pathlib import Path

THROUGHPUT_TARGET = 0.50  # Stratus req/s at 64 connections, as a share of raw node
P50_TARGET_MS = 1.0  # Stratus p50 at 1 connection
COLD_SHARE_TARGET = 0.20  # cold start (cold - warm Invoke) served by a standby runtime, as a share of `node -e 0`


def meta(raw):
    values = {}
    for line in (raw / "meta.env").read_text().splitlines():
        key, _, value = line.partition("=")
        values[key] = value
    return values


def wrk(raw, name):
    path = raw / f"{name}.txt"
    if not path.exists():
        return None
    line = next(l for l in path.read_text().splitlines() if l.startswith("RESULT "))
    fields = dict(item.split("=") for item in line.split()[1:])
    result = {k: float(v) for k, v in fields.items()}
    result["errors"] = sum(v for k, v in result.items() if k.startswith("errors_"))
    return result


def windows(raw, side):
    """The 64-connection windows of one side, in order (one run of older raw outputs)."""
    found = []
    while (raw / f"{side}-c64-{len(found) + 1}.txt").exists():
        found.append(wrk(raw, f"{side}-c64-{len(found) + 1}"))
    return found or [wrk(raw, f"{side}-c64")]


def median_of(runs):
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def medians_ms(path):
    data = json.loads(path.read_text())
    return {r["command"]: r["median"] * 1000 for r in data["results"]}, data


def ms(us):
    return us / 1000


def verdict(ok):
    return "met" if ok else "MISSED"


def main():
    raw, output = Path(sys.argv[1]), Path(sys.argv[2])
    m = meta(raw)
    s1, r1 = wrk(raw, "stratus-c1"), wrk(raw, "raw-c1")
    s64_windows, r64_windows = windows(raw, "stratus"), windows(raw, "raw")
    s64, r64 = median_of(s64_windows), median_of(r64_windows)
    # Each window's ratio to the other side's window next to it, then their median.
    window_ratios = [s["rps"] / r["rps"] for s, r in zip(s64_windows, r64_windows)]
    cold, cold_data = medians_ms(raw / "cold.json")
    base, _ = medians_ms(raw / "baselines.json")
    cold_ms = cold["cold-invoke"]
    warm_ms, node_ms, health_ms = base["warm-invoke"], base["node-start"], base["health"]
    # The warm Invoke measured after the same prepare step as the cold one (older runs lack it).
    prepared = raw / "warm-prepared.json"
    warm_prepared_ms = medians_ms(prepared)[0]["warm-invoke-prepared"] if prepared.exists() else warm_ms
    overhead_ms = cold_ms - warm_prepared_ms - node_ms
    cold_start_ms = cold_ms - warm_prepared_ms
    cold_share = cold_start_ms / node_ms
    cold_times = cold_data["results"][0]["times"]
    cold_p90_ms = statistics.quantiles(cold_times, n=10)[-1] * 1000 if len(cold_times) >= 2 else cold_ms

    init_ms = []
    reports = raw / "cold-reports.txt"
    if reports.exists():
        for line in reports.read_text().splitlines():
            match = re.search(r"Init Duration: ([0-9.]+) ms", line)
            if match:
                init_ms.append(float(match.group(1)))

    ratio64 = statistics.median(window_ratios)
    ratio1 = s1["rps"] / r1["rps"]
    tput_ok = ratio64 >= THROUGHPUT_TARGET
    p50_ok = ms(s1["p50_us"]) < P50_TARGET_MS
    cold_ok = cold_share <= COLD_SHARE_TARGET

    rows = [
        ("64 connections: throughput (req/s)", f"{s64['rps']:,.0f}", f"{r64['rps']:,.0f}", f"{ratio64:.1%}",
         f">= {THROUGHPUT_TARGET:.0%} of raw: {verdict(tput_ok)}"),
        *([(f"  each of {len(window_ratios)} pairs of windows", "", "", "", " ".join(f"{x:.1%}" for x in window_ratios))] if len(window_ratios) > 1 else []),
        ("64 connections: p50 / p99 latency (ms)", f"{ms(s64['p50_us']):.2f} / {ms(s64['p99_us']):.2f}",
         f"{ms(r64['p50_us']):.2f} / {ms(r64['p99_us']):.2f}",
         f"{s64['p50_us'] / r64['p50_us']:.1f}x / {s64['p99_us'] / r64['p99_us']:.1f}x", ""),
        ("1 connection: throughput (req/s)", f"{s1['rps']:,.0f}", f"{r1['rps']:,.0f}", f"{ratio1:.1%}", ""),
        ("1 connection: p50 / p99 latency (ms)", f"{ms(s1['p50_us']):.3f} / {ms(s1['p99_us']):.3f}",
         f"{ms(r1['p50_us']):.3f} / {ms(r1['p99_us']):.3f}",
         f"{s1['p50_us'] / r1['p50_us']:.1f}x / {s1['p99_us'] / r1['p99_us']:.1f}x",
         f"p50 < {P50_TARGET_MS:g} ms: {verdict(p50_ok)}"),
    ]
    for extra in sorted(p.stem for p in raw.glob("stratus-c*.txt")):
        connections = extra.removeprefix("stratus-c")
        if connections in ("1", "64") or not connections.isdigit():
            continue
        s, r = wrk(raw, f"stratus-c{connections}"), wrk(raw, f"raw-c{connections}")
        if s and r:
            rows.append((f"{connections} connections: throughput (req/s)", f"{s['rps']:,.0f}", f"{r['rps']:,.0f}",
                         f"{s['rps'] / r['rps']:.1%}", ""))
            rows.append((f"{connections} connections: p50 / p99 latency (ms)", f"{ms(s['p50_us']):.2f} / {ms(s['p99_us']):.2f}",
                         f"{ms(r['p50_us']):.2f} / {ms(r['p99_us']):.2f}", "", ""))

    cold_rows = [
        ("Cold Invoke (curl, first Invoke of a new revision)", f"{cold_ms:.1f}", f"p90 {cold_p90_ms:.1f}"),
        ("Warm Invoke (curl) after the same prepare step", f"{warm_prepared_ms:.1f}", "baseline"),
        ("Warm Invoke (curl) back to back", f"{warm_ms:.1f}",
         f"cold - this = {cold_ms - warm_ms:.1f} ms, {(cold_ms - warm_ms) / node_ms:.1%} of node -e 0"),
        ("node -e 0", f"{node_ms:.1f}", "baseline"),
        ("GET /health (curl)", f"{health_ms:.1f}", "for reference"),
        ("Cold start = cold - warm Invoke (same prepare)", f"{cold_start_ms:.1f}",
         f"{cold_share:.1%} of node -e 0 (<= {COLD_SHARE_TARGET:.0%}: {verdict(cold_ok)})"),
        ("Cold-start overhead = cold - warm - node -e 0", f"{overhead_ms:.1f}", "negative: faster than booting node"),
    ]
    if init_ms:
        cold_rows.append(("Server-reported Init Duration (median of REPORT lines)",
                          f"{statistics.median(init_ms):.1f}", f"{len(init_ms)} cold starts"))
    cold_rows.append(("First Invoke right after `stratus deploy` (1 sample)",
                      f"{float(m['first_invoke_s']) * 1000:.1f}", "includes first-request JIT in the server"))

    # Every window's errors, not their median.
    errors = {name: total for name, runs in (("stratus-c64", s64_windows), ("raw-c64", r64_windows), ("stratus-c1", [s1]), ("raw-c1", [r1]))
              if (total := sum(int(w["errors"]) for w in runs))}

    # ---- console
    width = max(len(r[0]) for r in rows + cold_rows) + 2
    print()
    c64 = (f"64 conn: {m['windows']} x {m['window']} each, in turn" + (f", over {m['servers']} servers" if int(m.get('servers', 1)) > 1 else "") + "; ") if 'windows' in m else ""
    print(f"{'Warm invokes (wrk, ' + c64 + m['duration'] + (' otherwise)' if c64 else ')'):<{width}}{'Stratus':>18}{'raw node':>18}{'Stratus/raw':>16}  target")
    for name, a, b, c, d in rows:
        print(f"{name:<{width}}{a:>18}{b:>18}{c:>16}  {d}")
    print(f"{'  instances after the 64-connection run':<{width}}{m.get('instances_after_c64', '?'):>18}")
    print()
    print(f"{'Cold start (hyperfine medians)':<{width}}{'ms':>18}")
    for name, a, note in cold_rows:
        print(f"{name:<{width}}{a:>18}  {note}")
    if errors:
        print(f"\nwrk errors (non-2xx, socket): {errors}")
    print(f"\nCPUs busy with other work before the run: {m['busy_before']}% (load average {m['load_before']}); "
          f"before the cold starts: {m.get('busy_before_cold', '?')}%")
    print(f"report: {output}")

    # ---- markdown
    lines = [
        "# Stratus benchmark results",
        "",
        f"Run {m['date']} on commit {m['commit']}: {m['cores']} cores, {m['cpu']}, {m['kernel']} ({m['os']}), "
        f".NET SDK {m['dotnet_sdk']} (runtime {m['dotnet_runtime']}), node {m['node']}, wrk {m['wrk']}, hyperfine {m['hyperfine']}. "
        f"Before the run the CPUs were {m['busy_before']}% busy with other work (load average {m['load_before']}); "
        f"before the cold starts, {m.get('busy_before_cold', '?')}%.",
        "",
        f"## Warm Invoke (wrk, {m['duration']} per run, after a {m['warmup']} warm-up at 64 connections)",
        "",
        *([f"At 64 connections the two sides are measured in {m['windows']} windows of {m['window']} each, taken in turn"
           + (f", spread over {m['servers']} fresh Stratus servers (each warmed up for {m['warmup']})" if int(m.get('servers', 1)) > 1 else "")
           + "; the ratio is the median of each window's ratio to the other side's window next to it.", ""] if 'windows' in m else []),
        f"Both sides answer `{m['body']}`.",
        "",
        "| | Stratus | raw node `http` | Stratus / raw | target |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [f"| {name} | {a} | {b} | {c} | {d} |" for name, a, b, c, d in rows]
    lines += [
        "",
        f"Stratus instances (node processes) alive after the 64-connection run: {m.get('instances_after_c64', '?')}.",
    ]
    if errors:
        lines += ["", f"wrk errors (non-2xx or socket errors): {errors}"]
    lines += [
        "",
        "## Cold start (hyperfine, medians)",
        "",
        "| | ms | |",
        "|---|---:|---|",
    ]
    lines += [f"| {name} | {a} | {note} |" for name, a, note in cold_rows]
    lines += [""]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
