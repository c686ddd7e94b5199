#!/usr/bin/env python3
"""Pools the rounds of several runs of bench/billing/run.sh (their printed reports, saved to files).

usage: python3 bench/billing/pool.py REPORT...   e.g.  bash bench/billing/run.sh | tee run1.txt

Each round of a run is a fresh pair of servers, and pairs differ from one another by more than the
turns within a round do, so one run's interval is wide. Every round is an independent sample of the
same ratio: pooled, the rounds of several runs give its mean and a 95 % interval (Student's t over all
rounds). Prints, for each side against off, the rounds, their mean ratio and that interval.
"""
import math
import re
import statistics
import sys


def t975(df):
    """Student's t at 97.5 % (two-sided 95 %) for df degrees of freedom."""
    table = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23,
             15: 2.13, 20: 2.09, 30: 2.04, 40: 2.02, 60: 2.00, 120: 1.98}
    # The nearest tabulated df at or below: a slightly wider interval, never a narrower one.
    return table[max(k for k in table if k <= df)] if df < 1000 else 1.96


def main(paths):
    rounds = {}
    for path in paths:
        side = None
        for line in open(path, encoding="utf-8"):
            total = re.match(r"(\w+)/off total", line)
            if total:
                side = total.group(1)
            by_round = re.match(r"\s+by round: (.*)$", line)
            if by_round and side:
                rounds.setdefault(side, []).extend(float(x) for x in by_round.group(1).split())
    if not rounds:
        sys.exit("pool: no 'by round' lines in the reports given")
    for side, ratios in rounds.items():
        n = len(ratios)
        mean = statistics.mean(ratios)
        line = f"{side}/off: {n} rounds from {len(paths)} runs, mean ratio {mean:.3f}"
        if n > 1:
            spread = t975(n - 1) * statistics.stdev(ratios) / math.sqrt(n)
            line += f", 95 % interval {mean - spread:.3f} to {mean + spread:.3f}"
        print(line)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
