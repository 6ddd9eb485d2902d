#!/usr/bin/env python3
"""One workload's result line for the sync benchmarks (pg_sync_bench.sh, mariadb_sync_bench.sh).

usage: load_result.py SAMPLES TXNS CHANGES_PER_TXN T0 T1 NAME
SAMPLES is a file of lag samples in ms (other words, such as psql's \\watch titles, are skipped);
T0..T1 is the workload's start until its marker reached the target. Prints
NAME|changes|changes per second|lag p50|lag p99|samples.
"""
import re
import sys

path, txns, per, t0, t1, name = sys.argv[1:7]
changes = int(txns) * int(per)
with open(path) as f:
    v = sorted(float(x) for x in f.read().split() if re.fullmatch(r"-?[0-9.]+", x))


def pct(p):
    if not v:
        return float("nan")
    return v[min(len(v) - 1, max(0, int(round(p / 100 * len(v) + 0.5)) - 1))]


print(f"{name}|{changes}|{changes / (float(t1) - float(t0)):.0f}|{pct(50):.1f}|{pct(99):.1f}|{len(v)}")
