#!/usr/bin/env bash
# Runs the benchmarks of DESIGN.md "Performance budgets" (bench/README.md)
# against a Release build in build-bench/ (or $BEHALF_BENCH_DIR), building it
# if needed, and prints a table.
#   bench/run.sh [--check] [--save]
#     --check  exit 1 when a budget is exceeded
#     --save   also write the raw figures to bench/baseline.txt
# RUNS (default 20) sets how many starts first_frame times.
# WAITING=demo|live|both also runs bench/wait/waiting.sh (one session's CPU
# while it waits on the records screen) after the table.
# SSH_SESSIONS=N also runs bench/ssh/sessions.sh N (N concurrent sessions
# through a real sshd; needs root) after the table.
set -euo pipefail
cd "$(dirname "$0")/.."

check=0 save=0
for arg in "$@"; do
	case $arg in
	--check) check=1 ;;
	--save) save=1 ;;
	*) echo "usage: bench/run.sh [--check] [--save]" >&2; exit 2 ;;
	esac
done

dir=${BEHALF_BENCH_DIR:-build-bench}
runs=${RUNS:-20}
if [ ! -f "$dir/CMakeCache.txt" ]; then
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DBEHALF_WERROR=ON -DBEHALF_BENCH=ON \
		>/dev/null
fi
bin=$dir/behalf
ff=$dir/bench/first_frame
if ! cmake --build "$dir" -j"$(nproc)" --target behalf first_frame >"$dir/bench-build.log" 2>&1; then
	if [ ! -x "$bin" ] || [ ! -x "$ff" ]; then
		cat "$dir/bench-build.log" >&2
		exit 2
	fi
	echo "bench/run.sh: the build failed ($dir/bench-build.log); using the binaries built before" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/behalf-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

status=0
load=$(cut -d' ' -f1-3 /proc/loadavg)
flags=()
if [ "$check" = 1 ]; then flags+=(--check); fi
"$ff" --bin "$bin" --runs "$runs" -v "${flags[@]}" >"$tmp/first_frame.txt" || status=$?
"$ff" --bin "$bin" --runs 3 --session -v "${flags[@]}" >"$tmp/session.txt" || status=$?
timev=0
if [ -x /usr/bin/time ]; then
	"$ff" --bin "$bin" --runs 1 --session --time-v "$tmp/time-v.txt" >/dev/null && timev=1
fi
hf=0
if command -v hyperfine >/dev/null; then
	hyperfine --warmup 3 -N --style none --export-csv "$tmp/hyperfine.csv" \
		"$bin --version" >/dev/null 2>&1 && hf=1
fi

# field FILE KEY NAME: value of NAME=... on the line starting with KEY.
field() {
	awk -v key="$2" -v name="$3" '$1 == key {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) print kv[2] } }' "$1"
}
# timev LABEL: the value of a /usr/bin/time -v line.
timev_get() {
	sed -n "s/^[[:space:]]*$1: //p" "$tmp/time-v.txt"
}
verdict() { # verdict VALUE BUDGET
	awk -v v="$1" -v b="$2" 'BEGIN { print (v + 0 < b + 0) ? "ok" : "OVER" }'
}

ff_med=$(field "$tmp/first_frame.txt" first_frame_ms median)
ff_max=$(field "$tmp/first_frame.txt" first_frame_ms max)
ff_rss=$(field "$tmp/first_frame.txt" rss_kb max)
ss_rss=$(field "$tmp/session.txt" session_rss_kb max)
ff_priv=$(field "$tmp/first_frame.txt" private_kb max)
ss_priv=$(field "$tmp/session.txt" session_private_kb max)
ss_ms=$(field "$tmp/session.txt" session_ms median)

printf '%-44s %14s %12s %s\n' "measure" "value" "budget" ""
printf '%-44s %11s ms %9s ms %s\n' "first frame, median of $runs starts" "$ff_med" "< 20" \
	"$(verdict "$ff_med" 20)"
printf '%-44s %11s ms\n' "first frame, slowest of $runs starts" "$ff_max"
printf '%-44s %11s KB %9s KB %s\n' "private memory, welcome screen" "$ff_priv" "< 8192" \
	"$(verdict "$ff_priv" 8192)"
printf '%-44s %11s KB %9s KB %s\n' "private memory, full demo session (option 1)" "$ss_priv" \
	"< 8192" "$(verdict "$ss_priv" 8192)"
printf '%-44s %11s KB\n' "peak RSS (with shared library pages), welcome" "$ff_rss"
printf '%-44s %11s KB\n' "peak RSS (with shared library pages), session" "$ss_rss"
printf '%-44s %11s ms\n' "full demo session, wall (with key waits)" "$ss_ms"
if [ "$timev" = 1 ]; then
	printf '%-44s %11s KB\n' "time -v: max RSS, demo session" \
		"$(timev_get 'Maximum resident set size (kbytes)')"
	printf '%-44s %11s s\n' "time -v: user CPU, demo session" "$(timev_get 'User time (seconds)')"
	printf '%-44s %11s s\n' "time -v: system CPU, demo session" \
		"$(timev_get 'System time (seconds)')"
	printf '%-44s %14s\n' "time -v: minor page faults, demo session" \
		"$(timev_get 'Minor (reclaiming a frame) page faults')"
fi
if [ "$hf" = 1 ]; then
	# command,mean,stddev,median,user,system,min,max (seconds)
	IFS=, read -r _ hf_mean hf_sd _ < <(sed -n 2p "$tmp/hyperfine.csv")
	printf '%-44s %11s ms\n' "behalf --version (hyperfine, mean ± sd)" \
		"$(awk -v m="$hf_mean" -v s="$hf_sd" 'BEGIN { printf "%.2f ± %.2f", m * 1000, s * 1000 }')"
else
	echo "(hyperfine not installed: apt-get install hyperfine)"
fi

if [ -n "${WAITING:-}" ]; then
	echo
	CHECK=$check BEHALF_BIN=$bin bench/wait/waiting.sh "$WAITING" || status=$?
fi

if [ -n "${SSH_SESSIONS:-}" ]; then
	echo
	CHECK=$check BEHALF_BIN=$bin bench/ssh/sessions.sh "$SSH_SESSIONS" || status=$?
fi

if [ "$save" = 1 ]; then
	{
		echo "# bench/run.sh --save, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores," \
			"$(uname -sr), HEAD $(git rev-parse --short HEAD 2>/dev/null || echo '?'),"
		echo "# binary $bin built $(date -u -r "$bin" +%Y-%m-%dT%H:%MZ)," \
			"load average before: $load"
		cat "$tmp/first_frame.txt" "$tmp/session.txt"
		if [ "$timev" = 1 ]; then
			echo "# /usr/bin/time -v, one demo session"
			cat "$tmp/time-v.txt"
		fi
		if [ "$hf" = 1 ]; then
			echo "# hyperfine --warmup 3 -N 'behalf --version' (seconds)"
			cat "$tmp/hyperfine.csv"
		fi
	} >bench/baseline.txt
	echo "wrote bench/baseline.txt"
fi
exit "$status"
