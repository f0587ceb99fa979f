#!/usr/bin/env bash
# ioc and its peers, side by side: generate a feed with `ioc gen`, install the peers (jq and Miller from apt,
# DuckDB from pip), count accepted events per kind and district in each, check that every answer equals ioc's,
# and print one Markdown table (also written to Benchmarks/peers/results.md). See README.md beside this file.
#
#   Benchmarks/peers/run.sh [--size-mb 300] [--runs 5] [--slow-runs 1] [--ioc PATH]
#                           [--peers ioc,ioc-pipe,duckdb,jq,mlr,python] [--start T] [--feed FILE]
#                           [--out FILE] [--keep] [--no-install]
#
# Exit status: 0 when every peer agrees with ioc, 1 on a disagreement, 2 on a usage or setup error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

size_mb=300
runs=5
slow_runs=1
ioc=""
peers="ioc,ioc-pipe,duckdb,jq,mlr,python"
start="2026-11-01T07:00:00+07:00"
feed=""
out="$here/results.md"
keep=0
install=1

usage() {
    sed -n '2,10p' "$here/run.sh" | sed 's/^# \{0,1\}//'
}
die() {
    echo "run.sh: $*" >&2
    exit 2
}

while [[ $# -gt 0 ]]; do
    case "$1" in
        --size-mb) size_mb="${2:?--size-mb needs a value}"; shift 2 ;;
        --runs) runs="${2:?--runs needs a value}"; shift 2 ;;
        --slow-runs) slow_runs="${2:?--slow-runs needs a value}"; shift 2 ;;
        --ioc) ioc="${2:?--ioc needs a path}"; shift 2 ;;
        --peers) peers="${2:?--peers needs a list}"; shift 2 ;;
        --start) start="${2:?--start needs a time}"; shift 2 ;;
        --feed) feed="${2:?--feed needs a file}"; shift 2 ;;
        --out) out="${2:?--out needs a file}"; shift 2 ;;
        --keep) keep=1; shift ;;
        --no-install) install=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ "$size_mb" =~ ^[0-9]+$ && "$size_mb" -ge 1 ]] || die "--size-mb must be a whole number of MB (10^6 bytes), at least 1"
[[ "$runs" =~ ^[0-9]+$ && "$runs" -ge 1 ]] || die "--runs must be at least 1"
[[ "$slow_runs" =~ ^[0-9]+$ && "$slow_runs" -ge 1 ]] || die "--slow-runs must be at least 1"

# ioc is the reference every peer is checked against: always run it, first.
IFS=',' read -r -a want <<<"$peers"
list=(ioc)
for p in "${want[@]}"; do
    case "$p" in
        ioc) ;;
        ioc-pipe | duckdb | jq | mlr | python) list+=("$p") ;;
        "") ;;
        *) die "unknown peer '$p' (known: ioc,ioc-pipe,duckdb,jq,mlr,python)" ;;
    esac
done
has() {
    local p
    for p in "${list[@]}"; do [[ "$p" == "$1" ]] && return 0; done
    return 1
}

# ---- ioc ------------------------------------------------------------------------------------------------------
if [[ -z "$ioc" ]]; then
    ioc="$root/.build/release/ioc"
    if [[ ! -x "$ioc" ]] || ! "$ioc" run --help 2>/dev/null | grep -q -- '--totals'; then
        echo "== building ioc (swift build -c release)" >&2
        swift build -c release >&2 || die "swift build -c release failed"
    fi
fi
[[ -x "$ioc" ]] || die "no ioc binary at $ioc"
ioc="$(cd "$(dirname "$ioc")" && pwd)/$(basename "$ioc")"
"$ioc" run --help 2>/dev/null | grep -q -- '--totals' \
    || die "$ioc has no 'run --totals': rebuild it (swift build -c release) or pass --ioc PATH"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/ioc-peers.XXXXXX")"
cleanup() {
    if [[ $keep -eq 1 ]]; then
        echo "run.sh: kept $tmp" >&2
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT

# ---- peers: install what is missing; a peer that cannot be installed becomes a "skipped" row -----------------
skipped=()
skip() {
    echo "skipped: $1 not installable: $2" >&2
    skipped+=(--skipped "$1=not installable: $2")
}
sudo_cmd=()
if [[ $EUID -ne 0 ]] && command -v sudo >/dev/null 2>&1; then sudo_cmd=(sudo -n); fi
apt_updated=0
apt_install() { # $1 = package; prints the last error line on failure
    local log="$tmp/apt-$1.log"
    if [[ $EUID -ne 0 && ${#sudo_cmd[@]} -eq 0 ]]; then
        echo "apt-get needs root (not root, no sudo)"
        return 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "no apt-get on this system"
        return 1
    fi
    if [[ $apt_updated -eq 0 ]]; then
        "${sudo_cmd[@]}" apt-get update -qq >"$log" 2>&1 || true
        apt_updated=1
    fi
    if ! DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "$1" >>"$log" 2>&1; then
        grep -E '^E:' "$log" | tail -1 || tail -1 "$log"
        return 1
    fi
}
duckdb_python="$(command -v python3)"
if [[ $install -eq 1 ]]; then
    if has jq && ! command -v jq >/dev/null 2>&1; then
        echo "== installing jq (apt)" >&2
        if ! reason="$(apt_install jq)"; then skip jq "${reason:-apt-get install jq failed}"; fi
    fi
    if has mlr && ! command -v mlr >/dev/null 2>&1; then
        echo "== installing Miller (apt)" >&2
        if ! reason="$(apt_install miller)"; then skip mlr "${reason:-apt-get install miller failed}"; fi
    fi
    if has duckdb && ! python3 -c 'import duckdb' >/dev/null 2>&1; then
        echo "== installing duckdb (pip)" >&2
        if ! python3 -m pip install --quiet duckdb >"$tmp/pip.log" 2>&1; then
            # A system Python that refuses pip (PEP 668): a throw-away virtual environment instead.
            if python3 -m venv "$tmp/venv" >>"$tmp/pip.log" 2>&1 \
                && "$tmp/venv/bin/python" -m pip install --quiet duckdb >>"$tmp/pip.log" 2>&1; then
                duckdb_python="$tmp/venv/bin/python"
            else
                skip duckdb "$(grep -E 'ERROR|error' "$tmp/pip.log" | tail -1 || echo 'pip install duckdb failed')"
            fi
        fi
    fi
fi
for p in jq mlr; do
    if has "$p" && ! command -v "$p" >/dev/null 2>&1 && [[ " ${skipped[*]:-} " != *" $p="* ]]; then
        skipped+=(--skipped "$p=not installed (--no-install)")
    fi
done
if has duckdb && ! "$duckdb_python" -c 'import duckdb' >/dev/null 2>&1 && [[ " ${skipped[*]:-} " != *" duckdb="* ]]; then
    skipped+=(--skipped "duckdb=python module duckdb not importable")
fi

# ---- the feed ---------------------------------------------------------------------------------------------------
target=$((size_mb * 1000000))
if [[ -n "$feed" ]]; then
    [[ -r "$feed" ]] || die "cannot read --feed $feed"
    feed="$(cd "$(dirname "$feed")" && pwd)/$(basename "$feed")"
    note="given feed $(basename "$feed")"
else
    feed="$tmp/feed.ndjson"
    if "$ioc" gen --help >/dev/null 2>&1; then
        gen=("$ioc" gen --seed 42 --start "$start" --bad 0)
        note="\`ioc gen --seed 42 --start $start --bad 0 --events N\`"
    else
        # Development only: an ioc without `gen`. The reference generator is slower and its feed much sparser in
        # event time (about 0.4 events per second of event time, against ioc gen's 200), so ioc closes far more
        # windows per byte and its numbers are not comparable with an `ioc gen` feed.
        echo "run.sh: WARNING: $ioc has no 'gen' subcommand; falling back to Tests/reference/gen_feed.py" \
            "(development only: the numbers are NOT the benchmark's)" >&2
        # That feed spans about a day of event time per 38 000 lines: start it early enough to end before now.
        days=$((size_mb * 1000000 / 140 / 30000 + 2))
        start="$(date -u -d "now - $days days" +%Y-%m-%dT07:00:00+07:00)"
        gen=(python3 "$root/Tests/reference/gen_feed.py" --seed 42 --start "$start" --bad 0)
        note="FALLBACK \`python3 Tests/reference/gen_feed.py --seed 42 --start $start --bad 0 --events N\` (ioc has no gen: not the benchmark's feed)"
    fi
    # Measure bytes per line on a sample, generate enough lines, top up if short.
    echo "== generating a feed of at least $size_mb MB" >&2
    "${gen[@]}" --events 20000 >"$feed"
    sample=$(stat -c %s "$feed")
    [[ $sample -gt 0 ]] || die "the generator wrote nothing: ${gen[*]}"
    events=$((target * 20000 / sample * 102 / 100 + 1))
    for _ in 1 2 3; do
        "${gen[@]}" --events "$events" >"$feed"
        have=$(stat -c %s "$feed")
        [[ $have -ge $target ]] && break
        events=$((events * target / have * 101 / 100 + 1))
    done
    [[ $(stat -c %s "$feed") -ge $target ]] || die "could not generate $size_mb MB"
    note="$note, N = $events"
fi
echo "== feed: $(stat -c %s "$feed") bytes, $(wc -l <"$feed") lines" >&2
cat "$feed" >/dev/null # warm the page cache: every peer reads it from memory

# ---- run, check, report ----------------------------------------------------------------------------------------
peer_list="$(IFS=,; echo "${list[*]}")"
set +e
python3 "$here/compare.py" bench --feed "$feed" --ioc "$ioc" --tmp "$tmp/work" --peers "$peer_list" \
    --runs "$runs" --slow-runs "$slow_runs" --duckdb-python "$duckdb_python" --feed-note "$note" --out "$out" \
    "${skipped[@]}"
status=$?
set -e
exit $status
