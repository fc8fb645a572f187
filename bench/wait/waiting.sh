#!/usr/bin/env bash
# What one customer waiting on the records screen costs: behalf's CPU a
# second (/proc/PID/task/*/schedstat, in ns) and the bytes it writes to the
# terminal a second (/proc/PID/io wchar), over WINDOW seconds, in an 80x24
# tmux pane (bench/README.md, "Waiting on the records screen").
#
#   bench/wait/waiting.sh [demo|live|both]    (default both)
#
# demo: `behalf --demo` with its default simulated latency (the demo DNS
# answers after 120 ms, as over SSH in bench/ssh/sessions.sh); live: the
# real DNS engine against a local Knot and the Postmark simulator, through
# tests/integration/livelib.sh (loopback only).  Nothing is published: the
# screen keeps checking every 2 s, the fast-poll phase of its first
# 5 minutes, the costliest.
# Environment: BEHALF_BIN (default build-bench/behalf, built if missing),
# WINDOW (seconds sampled, default 60), SETTLE (seconds on the screen
# before the window, default 3), PERF=FILE (perf record -g of the window
# into FILE.demo / FILE.live: `perf report -i FILE.demo`), STRACE=FILE
# (its system calls, with times, into FILE.demo / FILE.live: what wakes it).
# Under PERF or STRACE the CPU figure includes their cost.  CHECK=1: exit 1
# when the CPU a second reaches the budget a waiting session may have
# (DESIGN.md: 200 sessions under 10 % of a core, sshd included: 0.5 ms).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:-both}
case $mode in demo | live | both) ;; *)
	echo "usage: bench/wait/waiting.sh [demo|live|both]" >&2
	exit 2
	;;
esac
window=${WINDOW:-60}
settle=${SETTLE:-3}
if [ -z "${BEHALF_BIN:-}" ]; then
	BEHALF_BIN=$root/build-bench/behalf
	if [ ! -x "$BEHALF_BIN" ]; then
		cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DBEHALF_WERROR=ON \
			>/dev/null
		cmake --build "$root/build-bench" -j"$(nproc)" --target behalf >/dev/null
	fi
fi
export BEHALF_BIN BEHALF_SOURCE_DIR=$root

if [ "$mode" = both ]; then
	"$0" demo
	"$0" live
	exit
fi

# The harness: tmux at 80x24, the screen polled (never slept on).
if [ "$mode" = live ]; then
	# shellcheck source=../../tests/integration/livelib.sh
	. "$root/tests/integration/livelib.sh"
else
	# shellcheck source=../../tests/e2e/lib.sh
	. "$root/tests/e2e/lib.sh"
	# the demo as a customer sees it: its latencies, the real clock
	unset BEHALF_DEMO_DNS_MS BEHALF_DEMO_ESP_MS BEHALF_FAKE_TIME
fi

# cpu_ns PID: CPU time of all its threads in ns (schedstat: the
# scheduler's own count; /proc/PID/stat's utime+stime has 10 ms ticks, too
# coarse for a fraction of a millisecond a second).
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat | awk '{ n += $1 } END { printf "%d\n", n }'
}
wchar() {
	awk '$1 == "wchar:" { print $2 }' "/proc/$1/io"
}

if [ "$mode" = live ]; then
	live_setup
	live_start
	live_opt1_to_records
else
	e2e_start
	e2e_to_domain "customer.example"
	e2e_keys Enter
	e2e_wait "Add these records to the DNS of customer.example"
fi
e2e_wait "Checks so far: 1."
pid=$(e2e_pid)
[ -n "$pid" ] || e2e_fail "behalf is not running"
sleep "$settle" # the screen settles: not a correctness wait, a measurement window
checks0=$(e2e_screen | sed -n 's/.*Checks so far: \([0-9]*\)\..*/\1/p' | tail -1)
t0=$(cpu_ns "$pid") w0=$(wchar "$pid") s0=$(date +%s.%N)
if [ -n "${STRACE:-}" ]; then
	timeout "$window" strace -tt -s 200 -xx -p "$pid" -o "$STRACE.$mode" 2>/dev/null || true
elif [ -n "${PERF:-}" ]; then
	perf record -q -F 20000 --call-graph dwarf -o "$PERF.$mode" -p "$pid" -- sleep "$window" >/dev/null 2>&1
else
	sleep "$window"
fi
t1=$(cpu_ns "$pid") w1=$(wchar "$pid") s1=$(date +%s.%N)
checks1=$(e2e_screen | sed -n 's/.*Checks so far: \([0-9]*\)\..*/\1/p' | tail -1)
e2e_screen | grep -q "Next check in\|Checking now" || e2e_fail "not waiting on the records screen: $(e2e_screen)"
awk -v check="${CHECK:-0}" -v mode="$mode" -v t="$((t1 - t0))" -v w="$((w1 - w0))" -v s0="$s0" -v s1="$s1" \
	-v c="$((${checks1:-0} - ${checks0:-0}))" 'BEGIN {
	secs = s1 - s0
	ms = t / 1e6 / secs
	printf "%-5s %5.1f s  CPU %6.3f ms/s (%.4f %% of a core)  ", mode, secs, ms, ms / 10
	printf "written %6.1f bytes/s  checks %d (%.3f ms CPU a check, all included)\n", w / secs, c, c ? t / 1e6 / c : 0
	if (check && ms >= 0.5) {
		printf "%s: over the budget of 0.5 ms of CPU a second a session\n", mode
		exit 1
	}
}'
