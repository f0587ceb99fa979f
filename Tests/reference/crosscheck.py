#!/usr/bin/env python3
"""Differential test: `ioc run` against the independent reference on generated feeds.

For each seed and window setting, generates a feed with gen_feed.py, runs both implementations with the same
flags, and compares final snapshots, alert streams and dead-letter records. Floats are compared with a relative
tolerance of 1e-9 (sums in a different order), quantiles within 1 % (the SPEC allows a sketch).

Usage: python3 Tests/reference/crosscheck.py [--ioc PATH] [--seeds 1,2,3] [--events 4000]
Exit status 0 when every run agrees; prints the first differences and exits 1 otherwise.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

QUANTILE_KEYS = {"p50", "p90", "p95", "p99"}


def close(a, b, key):
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        tol = 0.01 if key in QUANTILE_KEYS else 1e-9
        return abs(a - b) <= tol * max(abs(a), abs(b)) + 1e-12
    return a == b


def diff(a, b, path="", key=""):
    """Yields human-readable differences between two JSON values."""
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a.keys()) != list(b.keys()):
            yield f"{path}: keys {list(a.keys())} != {list(b.keys())}"
        for k in a:
            if k in b:
                yield from diff(a[k], b[k], f"{path}.{k}", k)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} items != {len(b)} items ({a} vs {b})"
        for i, (x, y) in enumerate(zip(a, b)):
            yield from diff(x, y, f"{path}[{i}]", key)
    elif not close(a, b, key):
        yield f"{path}: ioc {json.dumps(a, ensure_ascii=False)} != reference {json.dumps(b, ensure_ascii=False)}"


def lines(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def run_case(ioc, feed, flags, tmp):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    out = {}
    for name, cmd in (
        ("ioc", [ioc, "run", feed, "--snapshots", f"{tmp}/ioc.snap", "--alerts", f"{tmp}/ioc.alerts",
                 "--dead-letter", f"{tmp}/ioc.dl"] + flags),
        ("ref", [sys.executable, os.path.join(HERE, "ioc_reference.py"), "--now", now, "--alerts", f"{tmp}/ref.alerts",
                 "--dead-letter", f"{tmp}/ref.dl", feed] + flags),
    ):
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            print(f"{name} failed ({r.returncode}): {r.stderr.decode()[:2000]}")
            return False
        if name == "ref":
            with open(f"{tmp}/ref.snap", "wb") as f:
                f.write(r.stdout)
    problems = []
    for kind in ("snap", "alerts", "dl"):
        mine, theirs = lines(f"{tmp}/ioc.{kind}"), lines(f"{tmp}/ref.{kind}")
        if len(mine) != len(theirs):
            problems.append(f"{kind}: ioc wrote {len(mine)} lines, reference {len(theirs)}")
        for i, (a, b) in enumerate(zip(mine, theirs)):
            found = list(diff(a, b, f"{kind}[{i}]"))
            if found:
                problems.extend(found[:8])
                break
    if problems:
        print(f"DIFFERENT: {' '.join(flags)} on {feed}")
        for p in problems[:20]:
            print("  " + p)
        return False
    print(f"same: {len(lines(f'{tmp}/ioc.snap'))} snapshots, {len(lines(f'{tmp}/ioc.alerts'))} alert changes, "
          f"{len(lines(f'{tmp}/ioc.dl'))} dead letters ({' '.join(flags) or 'defaults'})")
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ioc", default=os.path.join(ROOT, ".build", "debug", "ioc"))
    ap.add_argument("--seeds", default="1,2,3")
    ap.add_argument("--events", type=int, default=4000)
    args = ap.parse_args()
    if not os.path.exists(args.ioc):
        print(f"ioc binary not found at {args.ioc}: build it first (swift build)")
        return 1
    ok = True
    # The last setting puts hundreds of metric values in a window, past the sketch's exact buffer (256 values).
    settings = [[], ["--window", "5m", "--lateness", "0s"], ["--window", "30s", "--lateness", "2m"],
                ["--window", "6h", "--lateness", "1h"]]
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds.split(","):
            feed = f"{tmp}/feed-{seed}.ndjson"
            with open(feed, "wb") as f:
                subprocess.run([sys.executable, os.path.join(HERE, "gen_feed.py"), "--seed", seed, "--events",
                                str(args.events), "--bad", "0.03"], stdout=f, check=True)
            for flags in settings:
                ok &= run_case(args.ioc, feed, flags, tmp)
    print("crosscheck: " + ("1 passed, 0 failed" if ok else "0 passed, 1 failed"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
