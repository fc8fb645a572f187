#!/usr/bin/env bash
# behalf list on 10,000 customers (issue 11: "under 1 s"), bench/README.md
# "behalf list".  Generates N state files (bench/list/gen.py: a real state
# file of the demo, varied), then times `behalf list` (table and --json,
# and --stuck) with hyperfine when present, and one run under
# /usr/bin/time -v for peak memory.  Use a Release build:
#   bench/list/run.sh [BEHALF_BIN]      (default build-bench/behalf, else build/behalf)
#   env: N=10000 RUNS=10 KEEP=1 (keeps the directory)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-${BEHALF_BIN:-}}
if [ -z "$bin" ]; then
	bin=$root/build-bench/behalf
	[ -x "$bin" ] || bin=$root/build/behalf
fi
bin=$(realpath "$bin")
N=${N:-10000}
RUNS=${RUNS:-10}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/behalf-bench-list.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$tmp"' EXIT; fi
dir=$tmp/state
python3 "$here/gen.py" "$dir" "$N"
export BEHALF_FAKE_TIME=1798761600 XDG_CONFIG_HOME=$tmp/no-config
echo "behalf list: $N state files ($(du -sh "$dir" | cut -f1)), $(nproc) processors, $bin"

# Every file is listed: nothing skipped, and as many rows as files.
"$bin" list --state-dir "$dir" --json >"$tmp/list.json" 2>"$tmp/list.err"
rows=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["customers"]), len(d["skipped"]))' "$tmp/list.json")
[ "$rows" = "$N 0" ] || { echo "bench/list: listed/skipped $rows, not $N 0" >&2; cat "$tmp/list.err" >&2; exit 1; }

if command -v hyperfine >/dev/null; then
	hyperfine --warmup 2 --runs "$RUNS" --export-json "$tmp/hyperfine.json" \
		-n list "$bin list --state-dir $dir" \
		-n 'list --json' "$bin list --state-dir $dir --json" \
		-n 'list --stuck' "$bin list --state-dir $dir --stuck" >/dev/null
	python3 - "$tmp/hyperfine.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]:<14} mean {r["mean"]:.3f} s  min {r["min"]:.3f} s  '
          f'max {r["max"]:.3f} s  user {r["user"]:.3f} s  sys {r["system"]:.3f} s')
PY
else
	echo "(no hyperfine: one timed run)"
fi
/usr/bin/time -v "$bin" list --state-dir "$dir" >/dev/null 2>"$tmp/time.txt" || true
grep -E "Elapsed|Maximum resident|User time|System time|Percent of CPU" "$tmp/time.txt" | sed 's/^\t*/time -v: /'
if [ -n "${KEEP:-}" ]; then echo "kept: $dir"; fi
