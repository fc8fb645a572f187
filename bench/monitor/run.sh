#!/usr/bin/env bash
# behalf monitor on 10,000 finished customers (issue 11, item 6: "under 60 s
# on this 2-core machine"), bench/README.md "behalf monitor".  gen.py makes
# N state files at done and a zone per customer; one knotd on loopback
# serves every zone ([dns] authoritative and resolvers point at it); one
# `behalf monitor --once` pass under /usr/bin/time -v: wall time, peak
# memory; queries per second from Knot's own counters (mod-stats).
#   bench/monitor/run.sh [BEHALF_BIN]   (default build-bench/behalf, else build/behalf)
#   env: N=10000 PARALLEL=256 KEEP=1 (keeps the directory)
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
PARALLEL=${PARALLEL:-256}
for tool in knotd knotc kdig python3; do
	command -v "$tool" >/dev/null || { echo "bench/monitor: $tool not installed" >&2; exit 1; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/behalf-bench-monitor.XXXXXX")
knot_pid=
cleanup() {
	if [ -n "$knot_pid" ]; then kill "$knot_pid" 2>/dev/null || true; wait "$knot_pid" 2>/dev/null || true; fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$tmp"; else echo "kept: $tmp"; fi
}
trap cleanup EXIT
python3 "$here/gen.py" "$tmp" "$N"
addr=127.0.0.1
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$tmp/run" "$tmp/storage"
{
	cat <<KNOT
server:
    rundir: "$tmp/run"
    listen: $addr@$port
    udp-max-payload: 1232
log:
  - target: stderr
    any: warning
database:
    storage: "$tmp/storage"
control:
    listen: "$tmp/run/knot.sock"
mod-stats:
  - id: bench
    request-protocol: on
template:
  - id: default
    storage: "$tmp/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
    global-module: mod-stats/bench
zone:
KNOT
	sed 's/^/  - domain: /' "$tmp/zonelist"
} >"$tmp/knot.conf"
knotd -c "$tmp/knot.conf" >"$tmp/knot.log" 2>&1 &
knot_pid=$!
last=$(tail -n 1 "$tmp/zonelist")
for _ in $(seq 1 600); do
	out=$(kdig @"$addr" -p "$port" +time=1 +retry=0 +norec "$last" SOA 2>&1 || true)
	if grep -qi 'flags: qr aa' <<<"$out"; then break; fi
	sleep 0.1
done
grep -qi 'flags: qr aa' <<<"$out" ||
	{ echo "bench/monitor: knotd did not load the zones" >&2; tail "$tmp/knot.log" >&2; exit 1; }
printf '[dns]\nresolvers = %s:%s\nauthoritative = ns1=%s:%s\n[behalf]\nstate_dir = %s\n[monitor]\nparallel = %s\n' \
	"$addr" "$port" "$addr" "$port" "$tmp/state" "$PARALLEL" >"$tmp/behalf.conf"
queries() { knotc -s "$tmp/run/knot.sock" stats mod-stats 2>/dev/null | awk -F'= ' '/request-protocol/ {s += $2} END {print s + 0}'; }
# pass LABEL: one timed pass, its figures printed.
pass() {
	local q0 q1 start end
	q0=$(queries)
	start=$(date +%s%N)
	${PERF:-} /usr/bin/time -v "$bin" monitor --once --config "$tmp/behalf.conf" 2>"$tmp/time.txt" || true
	end=$(date +%s%N)
	q1=$(queries)
	echo "-- $1"
	grep '^monitor:' "$tmp/time.txt" || { cat "$tmp/time.txt" >&2; exit 1; }
	grep -E "Elapsed|Maximum resident|User time|System time|Percent of CPU" "$tmp/time.txt" | sed 's/^\t*/time -v: /'
	python3 - "$start" "$end" "$q0" "$q1" <<'PY'
import sys
start, end, q0, q1 = (int(x) for x in sys.argv[1:])
secs = (end - start) / 1e9
print(f"queries answered by knotd: {q1 - q0} in {secs:.2f} s: {(q1 - q0) / secs:.0f} queries/s")
PY
}
echo "behalf monitor: $N finished customers, $N zones in one knotd, parallel $PARALLEL, $(nproc) processors, $bin"
pass "first pass (every monitor file new)"
lost=$(grep -o '[0-9]* records lost now' "$tmp/time.txt" | cut -d' ' -f1)
[ "$lost" = 0 ] || { echo "bench/monitor: $lost records lost on a pass where all are published" >&2; exit 1; }
pass "second pass (nothing changed: no file written)"
