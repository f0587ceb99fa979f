#!/usr/bin/env python3
"""Side-by-side timing of `ioc run` and general-purpose peers on one generated feed.

Driven by run.sh, which installs the peers and generates the feed; see README.md beside this file.

    compare.py bench --feed FILE --ioc PATH --tmp DIR [--peers LIST] [--runs N] [--slow-runs N]
                     [--skipped PEER=REASON]... [--feed-note TEXT] [--out results.md]
    compare.py count {python,orjson,duckdb} FEED OUT [--timing FILE]

Every peer computes the same thing: accepted events per (kind, district), a missing, null or empty district
counting as "unknown". ioc's answer is `by_kind_district` of `--totals`; every other answer must equal it
exactly. `bench` prints one Markdown table (median wall time, MB/s, ratio to `ioc run FILE`) and writes it to
--out; it exits 1 when any peer disagrees with ioc, 2 on a setup error.

Only the Python standard library is needed, plus the `duckdb` module for the duckdb peer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

UNKNOWN = "unknown"
ALL_PEERS = ["ioc", "ioc-pipe", "duckdb", "jq", "mlr", "python"]
SLOW_PEERS = {"jq", "mlr", "python", "python-orjson"}

DUCKDB_SQL = (
    "SELECT kind, coalesce(nullif(district, ''), 'unknown') AS district, count(*) AS n "
    "FROM read_ndjson(?, columns = {kind: 'VARCHAR', district: 'VARCHAR'}) GROUP BY ALL"
)
JQ_FILTER = '[.kind, (.district // "" | if . == "" then "unknown" else . end)] | @tsv'
MLR_PUT = 'if (is_absent($district) || is_null($district)) {$district = "unknown"}'


# --------------------------------------------------------------------------------------------------------------
# The counters that run as their own process (timed from the outside like every other peer).


def district_of(event: dict) -> str:
    d = event.get("district")
    if d is None or d == "":
        return UNKNOWN
    return d if isinstance(d, str) else json.dumps(d)


def count_python(feed: str, loads) -> dict:
    counts: Counter = Counter()
    with open(feed, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            e = loads(line)
            counts[(e["kind"], district_of(e))] += 1
    return counts


def count_duckdb(feed: str, timing: str | None) -> dict:
    import duckdb  # noqa: PLC0415 - only this peer needs it

    t0 = time.perf_counter()
    con = duckdb.connect()
    rows = con.execute(DUCKDB_SQL, [feed]).fetchall()
    if timing:
        Path(timing).write_text(f"{time.perf_counter() - t0:.6f}\n")
    return {(k, d): n for k, d, n in rows}


def write_counts(counts: dict, out: str) -> None:
    nested: dict = {}
    for (k, d), n in counts.items():
        nested.setdefault(k, {})[d] = n
    Path(out).write_text(json.dumps(nested, ensure_ascii=False, sort_keys=True) + "\n")


def cmd_count(args: argparse.Namespace) -> int:
    if args.peer == "python":
        counts = count_python(args.feed, json.loads)
    elif args.peer == "orjson":
        import orjson  # noqa: PLC0415

        counts = count_python(args.feed, orjson.loads)
    elif args.peer == "duckdb":
        counts = count_duckdb(args.feed, args.timing)
    else:
        print(f"compare.py count: unknown counter {args.peer}", file=sys.stderr)
        return 2
    write_counts(counts, args.out)
    return 0


# --------------------------------------------------------------------------------------------------------------
# Reading each peer's answer into {(kind, district): n}.


def flat(nested: dict) -> dict:
    return {(k, d): n for k, ds in nested.items() for d, n in ds.items()}


def read_ioc(out: Path) -> dict:
    return flat(json.loads(out.read_text())["by_kind_district"])


def read_nested(out: Path) -> dict:
    return flat(json.loads(out.read_text()))


UNIQ_LINE = re.compile(r"^\s*(\d+) (.*)$")


def read_jq(out: Path) -> dict:
    counts: dict = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        m = UNIQ_LINE.match(line)
        if not m:
            raise ValueError(f"unexpected uniq -c line: {line!r}")
        kind, _, district = m.group(2).partition("\t")
        counts[(kind, district)] = counts.get((kind, district), 0) + int(m.group(1))
    return counts


def read_mlr(out: Path) -> dict:
    counts: dict = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        if line.strip():
            r = json.loads(line)
            d = r.get("district")
            key = (r["kind"], UNKNOWN if d is None or d == "" else str(d))
            counts[key] = counts.get(key, 0) + int(r["count"])
    return counts


# --------------------------------------------------------------------------------------------------------------
# Peers: how to run each, how to show it, how to read its answer.


class Peer:
    def __init__(self, name: str, argv: list[str] | None, shell: str | None, shown: str, reader, out: Path,
                 timing: Path | None = None):
        self.name = name
        self.argv = argv  # run directly (exact RSS of the process), or
        self.shell = shell  # run with bash -o pipefail -c (RSS: the largest process of the pipeline)
        self.shown = shown
        self.reader = reader
        self.out = out
        self.timing = timing
        self.times: list[float] = []
        self.cpu: list[float] = []
        self.rss_kib: list[int] = []
        self.inner: list[float] = []
        self.counts: dict | None = None
        self.skipped: str | None = None
        self.failed: str | None = None


def build_peers(a: argparse.Namespace, tmp: Path, here: Path) -> list[Peer]:
    feed, ioc, q = a.feed, a.ioc, shlex.quote
    me = str(here / "compare.py")
    peers: list[Peer] = []
    for name in a.peers:
        out = tmp / f"{name}.out"
        if name == "ioc":
            peers.append(Peer(name, [ioc, "run", feed, "--snapshots", "/dev/null", "--totals", str(out)], None,
                              "ioc run FEED --snapshots /dev/null --totals T", read_ioc, out))
        elif name == "ioc-pipe":
            peers.append(Peer(name, None,
                              f"cat {q(feed)} | {q(ioc)} run --snapshots /dev/null --totals {q(str(out))}",
                              "cat FEED | ioc run --snapshots /dev/null --totals T", read_ioc, out))
        elif name == "duckdb":
            timing = tmp / "duckdb.query-seconds"
            peers.append(Peer(name, [a.duckdb_python, me, "count", "duckdb", feed, str(out), "--timing", str(timing)],
                              None, "python3 + duckdb: " + DUCKDB_SQL.replace("?", "FEED"), read_nested, out,
                              timing))
        elif name == "jq":
            peers.append(Peer(name, None,
                              f"jq -r {q(JQ_FILTER)} {q(feed)} | LC_ALL=C sort | LC_ALL=C uniq -c > {q(str(out))}",
                              f"jq -r '{JQ_FILTER}' FEED | sort | uniq -c", read_jq, out))
        elif name == "mlr":
            peers.append(Peer(name, None,
                              f"mlr --ijsonl --ojsonl cut -f kind,district then put {q(MLR_PUT)} "
                              f"then count -g kind,district {q(feed)} > {q(str(out))}",
                              f"mlr --ijsonl --ojsonl cut -f kind,district then put '{MLR_PUT}' "
                              "then count -g kind,district FEED", read_mlr, out))
        elif name == "python":
            peers.append(Peer(name, [sys.executable, me, "count", "python", feed, str(out)], None,
                              "python3: json.loads per line, collections.Counter", read_nested, out))
            try:
                import orjson  # noqa: F401, PLC0415

                out2 = tmp / "python-orjson.out"
                peers.append(Peer("python-orjson", [sys.executable, me, "count", "orjson", feed, str(out2)], None,
                                  "python3: orjson.loads per line, collections.Counter", read_nested, out2))
            except ImportError:
                pass
        else:
            raise SystemExit(f"compare.py: unknown peer {name!r} (known: {', '.join(ALL_PEERS)})")
    for entry in a.skipped:
        name, _, reason = entry.partition("=")
        for p in peers:
            if p.name == name:
                p.skipped = reason
    return peers


def run_once(p: Peer) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds (user + sys), peak RSS in KiB, exit status."""
    argv = p.argv if p.argv is not None else ["bash", "-o", "pipefail", "-c", p.shell]
    with open(p.out.with_suffix(".stderr"), "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, proc.returncode


# --------------------------------------------------------------------------------------------------------------
# Report


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def tool_version(argv: list[str]) -> str:
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def versions(a: argparse.Namespace, names: set[str]) -> list[str]:
    v = [f"ioc {tool_version([a.ioc, '--version'])} ({a.ioc})"]
    root = Path(__file__).resolve().parents[2]
    sha = tool_version(["git", "-C", str(root), "rev-parse", "--short", "HEAD"])
    if sha != "?":
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        v.append(f"work tree at {sha}" + (" with uncommitted changes" if dirty else ""))
    if "duckdb" in names:
        v.append("duckdb " + tool_version([a.duckdb_python, "-c", "import duckdb; print(duckdb.__version__)"]))
    if "jq" in names:
        v.append(tool_version(["jq", "--version"]))
    if "mlr" in names:
        v.append(tool_version(["mlr", "--version"]))
    if names & {"python", "python-orjson"}:
        v.append(f"python {platform.python_version()}")
    if "python-orjson" in names:
        v.append("orjson " + tool_version([sys.executable, "-c", "import orjson; print(orjson.__version__)"]))
    return v


def diff(expected: dict, got: dict, limit: int = 12) -> list[str]:
    lines = []
    for key in sorted(set(expected) | set(got)):
        e, g = expected.get(key, 0), got.get(key, 0)
        if e != g:
            lines.append(f"    {key[0]} / {key[1]}: ioc {e}, peer {g}")
    if len(lines) > limit:
        lines = lines[:limit] + [f"    … and {len(lines) - limit} more"]
    return lines


def md_code(s: str) -> str:
    return "`" + s.replace("|", "\\|") + "`"


def cmd_bench(a: argparse.Namespace) -> int:
    here = Path(__file__).resolve().parent
    tmp = Path(a.tmp)
    tmp.mkdir(parents=True, exist_ok=True)
    feed = Path(a.feed)
    size = feed.stat().st_size
    mb = size / 1e6
    with open(feed, "rb") as f:
        nlines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b""))
    peers = build_peers(a, tmp, here)
    if not any(p.name == "ioc" and not p.skipped for p in peers):
        print("compare.py: the ioc peer is the reference and cannot be left out", file=sys.stderr)
        return 2
    load_before = loadavg()
    started = dt.datetime.now(dt.timezone.utc)

    # Round-robin: run 1 of every peer, then run 2 of every peer, … so that a change in the machine's load
    # while the script runs spreads over all peers instead of landing on one.
    for p in peers:
        if p.skipped:
            print(f"[{p.name}] skipped: {p.skipped}", file=sys.stderr)
    todo = {p.name: (a.slow_runs if p.name in SLOW_PEERS else a.runs) for p in peers}
    for i in range(max(todo.values())):
        for p in peers:
            n = todo[p.name]
            if p.skipped or p.failed or i >= n:
                continue
            wall, cpu, rss, rc = run_once(p)
            if rc != 0:
                err = p.out.with_suffix(".stderr").read_text(errors="replace").strip().splitlines()
                p.failed = f"exit {rc}: " + (err[-1] if err else "no message")
                print(f"[{p.name}] run {i + 1}/{n} FAILED ({p.failed})", file=sys.stderr)
                continue
            p.times.append(wall)
            p.cpu.append(cpu)
            p.rss_kib.append(rss)
            if p.timing and p.timing.exists():
                p.inner.append(float(p.timing.read_text()))
            print(f"[{p.name}] run {i + 1}/{n}: {wall:.2f} s ({mb / wall:.0f} MB/s)", file=sys.stderr)
            if i == 0:
                try:
                    p.counts = p.reader(p.out)
                except (OSError, ValueError, KeyError) as e:
                    p.failed = f"unreadable answer: {e}"

    # Agreement with ioc (file mode): every answer must be equal.
    ioc = next(p for p in peers if p.name == "ioc")
    problems: list[str] = []
    agree_lines: list[str] = []
    if ioc.counts is None:
        problems.append(f"ioc gave no answer ({ioc.failed})")
    else:
        totals = json.loads(ioc.out.read_text())
        if totals.get("lines") != nlines or totals.get("accepted") != nlines:
            reasons = totals.get("rejected_by_reason") or {}
            hint = ""
            if "future" in reasons:
                hint = " (events after the wall clock: generate the feed with an earlier --start)"
            problems.append(
                f"ioc did not accept every line: feed {nlines} lines, ioc lines {totals.get('lines')} accepted "
                f"{totals.get('accepted')} rejected {totals.get('rejected')} {json.dumps(reasons)}{hint}")
        by_kind = totals.get("by_kind", {})
        for kind, n in by_kind.items():
            s = sum(v for (k, _), v in ioc.counts.items() if k == kind)
            if s != n:
                problems.append(f"ioc by_kind[{kind}] = {n} but by_kind_district sums to {s}")
        for p in peers:
            if p is ioc or p.skipped:
                continue
            if p.counts is None:
                problems.append(f"{p.name}: no answer ({p.failed})")
                agree_lines.append(f"- {p.name}: FAILED ({p.failed})")
                continue
            d = diff(ioc.counts, p.counts)
            if d:
                problems.append(f"{p.name} disagrees with ioc:\n" + "\n".join(d))
                agree_lines.append(f"- {p.name}: DISAGREES with ioc (kind / district: ioc's count, the peer's):")
                agree_lines.extend(d)
            else:
                agree_lines.append(f"- {p.name}: agree")
    kinds = sorted({k for k, _ in ioc.counts}) if ioc.counts else []
    groups = len(ioc.counts) if ioc.counts else 0

    # The table.
    ioc_med = statistics.median(ioc.times) if ioc.times else None
    rows = ["| tool | command | median s | MB/s | × ioc time |", "|---|---|---:|---:|---:|"]
    for p in peers:
        if p.skipped:
            rows.append(f"| {p.name} | skipped: {p.skipped} | – | – | – |")
            continue
        if not p.times or (p.failed and p.counts is None):
            rows.append(f"| {p.name} | failed: {p.failed} | – | – | – |")
            continue
        med = statistics.median(p.times)
        ratio = f"{med / ioc_med:.2f}×" if ioc_med else "–"
        runs = f" ({len(p.times)} run{'s' if len(p.times) != 1 else ''})" if len(p.times) != a.runs else ""
        rows.append(f"| {p.name}{runs} | {md_code(p.shown)} | {med:.2f} | {mb / med:.0f} | {ratio} |")

    detail = ["| tool | wall s, each run | CPU s (user+sys), median run | peak RSS MiB |", "|---|---|---:|---:|"]
    for p in peers:
        if p.times:
            mid = sorted(range(len(p.times)), key=lambda i: p.times[i])[len(p.times) // 2]
            extra = ""
            if p.inner:
                extra = f"; query alone {statistics.median(p.inner):.2f} s median (no interpreter start, no import)"
            detail.append(f"| {p.name} | {', '.join(f'{t:.2f}' for t in p.times)}{extra} | {p.cpu[mid]:.2f} | "
                          f"{max(p.rss_kib) / 1024:.0f} |")

    targets: list[str] = []
    if ioc_med and mb < 300:
        # The targets are for a feed of at least 300 MB: on a small one, start-up (DuckDB's interpreter and
        # import above all) weighs on the ratios, so no verdict is given.
        targets.append(f"- not judged: the targets are for a feed of at least 300 MB (this one: {mb:.0f} MB)")
    elif ioc_med:
        ioc_mbs = mb / ioc_med
        targets.append(f"- `ioc run FILE`: {ioc_mbs:.0f} MB/s (target ≥ 500): {'met' if ioc_mbs >= 500 else 'NOT met'}")
        pipe = next((p for p in peers if p.name == "ioc-pipe" and p.times), None)
        if pipe:
            pm = mb / statistics.median(pipe.times)
            targets.append(f"- `cat FILE | ioc run`: {pm:.0f} MB/s (target ≥ 400): {'met' if pm >= 400 else 'NOT met'}")
        duck = next((p for p in peers if p.name == "duckdb" and p.times), None)
        if duck:
            r = statistics.median(duck.times) / ioc_med
            targets.append(f"- ioc vs DuckDB: ioc is {r:.2f}× as fast (target ≥ 3×): {'met' if r >= 3 else 'NOT met'}")

    names = {p.name for p in peers if p.times}
    nproc = os.cpu_count() or 1
    try:
        busy = float(load_before.split()[0]) > 0.5 * nproc
    except (ValueError, IndexError):
        busy = False
    md = [
        f"# ioc and its peers, side by side ({started:%Y-%m-%d %H:%M} UTC)",
        "",
        f"Feed: {mb:.1f} MB ({size:,} bytes), {nlines:,} lines, {len(kinds)} kinds, {groups} (kind, district) groups"
        f" — {a.feed_note}.",
        f"Machine: {nproc} CPUs ({cpu_model()}), {platform.system()} {platform.release()}; load average before: "
        f"{load_before}, after: {loadavg()}.",
        *([f"**The machine was busy** (load average {load_before} on {nproc} CPUs before the runs): every wall "
            "time is inflated; the ratios suffer less, runs being interleaved.", ""] if busy else []),
        f"Median of {a.runs} runs (jq, Miller and Python: {a.slow_runs}), interleaved across tools; wall clock of the whole process (start-up "
        "included), warm page cache, MB = 10⁶ bytes. FEED is the feed, T a totals file.",
        "",
        *rows,
        "",
        "ioc runs the whole pipeline on every line (byte-level parse, validation, classification of field-report "
        "texts, routing, event-time windows, KPIs, alerts, the totals); every peer only parses the line and counts "
        "(kind, district). The count is what all of them must agree on.",
        "",
        f"ioc peak RSS: {max(ioc.rss_kib) / 1024:.0f} MiB" if ioc.rss_kib else "ioc peak RSS: n/a",
        "",
        "Agreement with ioc's `by_kind_district`: " + ("all agree" if not problems else "**DISAGREEMENT**"),
        *agree_lines,
        "",
        "Targets:",
        *targets,
        "",
        "Details:",
        "",
        *detail,
        "",
        "Versions: " + "; ".join(versions(a, names)) + ".",
        "",
    ]
    text = "\n".join(md)
    print(text)
    if a.out:
        Path(a.out).write_text(text)
        print(f"(written to {a.out})", file=sys.stderr)
    if problems:
        print("\nDISAGREEMENT:", file=sys.stderr)
        for pr in problems:
            print("  " + pr, file=sys.stderr)
        return 1
    print("agree: every peer's counts equal ioc's by_kind_district", file=sys.stderr)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--feed", required=True)
    b.add_argument("--ioc", required=True)
    b.add_argument("--tmp", required=True)
    b.add_argument("--peers", default=",".join(ALL_PEERS), type=lambda s: [x for x in s.split(",") if x])
    b.add_argument("--runs", type=int, default=5)
    b.add_argument("--slow-runs", type=int, default=1)
    b.add_argument("--skipped", action="append", default=[], metavar="PEER=REASON")
    b.add_argument("--duckdb-python", default=sys.executable)
    b.add_argument("--feed-note", default="generated feed")
    b.add_argument("--out")
    c = sub.add_parser("count")
    c.add_argument("peer", choices=["python", "orjson", "duckdb"])
    c.add_argument("feed")
    c.add_argument("out")
    c.add_argument("--timing")
    a = ap.parse_args()
    if a.cmd == "bench":
        if a.runs < 1 or a.slow_runs < 1:
            ap.error("--runs and --slow-runs must be at least 1")
        return cmd_bench(a)
    return cmd_count(a)


if __name__ == "__main__":
    sys.exit(main())
