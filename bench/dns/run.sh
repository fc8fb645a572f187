#!/usr/bin/env bash
# DNS benchmarks of DESIGN.md "Performance budgets" (bench/dns/README.md):
#   (a) a full check of 3 records on 4 authoritative servers, each answer
#       delayed 50 ms by a relay (relay.c), against one query's round trip;
#   (b) a record published at T0 is reported verified by check --watch
#       (median of 10);
#   (c) CPU of check --watch while nothing changes;
#   (d) the sequential baseline: the same 12 queries, one kdig after another.
# Everything on loopback: one Knot instance, four relays in front of it.
#
#   bench/dns/run.sh [BEHALF_BIN]      (default build/behalf)
#   env: DELAY_MS=50 RUNS=20 PUBLISH_RUNS=10 CPU_SECONDS=30
# Needs scripts/deps.d/dns-tests.txt (knot, kdig, knsupdate, jq, hyperfine, gcc).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
BEHALF_BIN=$(realpath "${1:-${BEHALF_BIN:-$root/build/behalf}}")
export BEHALF_BIN
DELAY_MS=${DELAY_MS:-50}
RUNS=${RUNS:-20}
PUBLISH_RUNS=${PUBLISH_RUNS:-10}
CPU_SECONDS=${CPU_SECONDS:-30}

# The test harness: Knot start/update, ports, records files, cleanup on exit.
# shellcheck source=../../tests/integration/dnslib.sh
. "$root/tests/integration/dnslib.sh"
DNS_NAME=bench-dns

gcc -std=c11 -O2 -Wall -Wextra -o "$DNS_TMP/relay" "$here/relay.c"

# relay_start ID ADDR UPSTREAM_ADDR UPSTREAM_PORT [DELAY]: RELAY_PORT afterwards.
relay_start() {
	local dir="$DNS_TMP/$1" end
	mkdir -p "$dir"
	"${DNS_REAP[@]}" "$DNS_TMP/relay" "$2" 0 "$3" "$4" "${5:-$DELAY_MS}" >"$dir/port" 2>"$dir/log" &
	DNS_PIDS+=($!)
	end=$(($(dns_now_ms) + 5000))
	until [ -s "$dir/port" ]; do
		(($(dns_now_ms) < end)) || fail "relay $1 did not start"
		sleep 0.02
	done
	RELAY_PORT=$(cat "$dir/port")
}

# ---- the servers ----
ka=$(dns_addr 2)
kp=$(dns_free_port "$ka")
knot_zone k1 "$DNS_ZONE" <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
$RP_NAME. CNAME $RP_TARGET.
_dmarc TXT "v=DMARC1; p=none;"
EOF
knot_start k1 "$ka" "$kp"
SERVERS=()
AUTH=()
for i in 1 2 3 4; do
	a=$(dns_addr $((10 + i)))
	relay_start "r$i" "$a" "$ka" "$kp"
	SERVERS+=("$a:$RELAY_PORT")
	AUTH+=(--authoritative "$a:$RELAY_PORT")
done
relay_start r5 "$(dns_addr 15)" "$ka" "$kp"
RESOLVER="$(dns_addr 15):$RELAY_PORT"
AUTH+=(--resolver "$RESOLVER")
# The same servers without delay: what the check costs besides the network.
AUTH0=()
for i in 1 2 3 4 5; do
	a=$(dns_addr $((20 + i)))
	relay_start "z$i" "$a" "$ka" "$kp" 0
	if ((i < 5)); then AUTH0+=(--authoritative "$a:$RELAY_PORT"); else AUTH0+=(--resolver "$a:$RELAY_PORT"); fi
done
dns_wait_answer "${SERVERS[0]%:*}" "${SERVERS[0]#*:}" "$DKIM_NAME" TXT 'k=rsa'

rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_add dmarc TXT "_dmarc.$DNS_ZONE" "v=DMARC1; p=none;" false
rec_write
run_check --records "$RECORDS" "${AUTH[@]}" --json
[ "$CHECK_RC" -eq 0 ] || fail "the benchmark's check does not verify (exit $CHECK_RC)"

# The 12 queries of the baseline: 3 records x 4 servers.
seq_script=$DNS_TMP/sequential.sh
{
	echo 'set -e'
	for s in "${SERVERS[@]}"; do
		for q in "$DKIM_NAME TXT" "$RP_NAME CNAME" "_dmarc.$DNS_ZONE TXT"; do
			echo "kdig @${s%:*} -p ${s#*:} +norec +time=2 +retry=0 $q >/dev/null"
		done
	done
} >"$seq_script"

echo "== (a)+(d) wall time, ${DELAY_MS} ms per answer, ${RUNS} runs each"
# Commands without redirections: hyperfine -N runs them without a shell and
# discards their output.
check_cmd="$(printf '%q ' "$BEHALF_BIN" check --records "$RECORDS" "${AUTH[@]}" --json)"
check0_cmd="$(printf '%q ' "$BEHALF_BIN" check --records "$RECORDS" "${AUTH0[@]}" --json)"
one_cmd="kdig @${SERVERS[0]%:*} -p ${SERVERS[0]#*:} +norec +time=2 +retry=0 $DKIM_NAME TXT"
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 2 --runs "$RUNS" --export-json "$DNS_TMP/wall.json" \
		-n check "$check_cmd" -n check-no-delay "$check0_cmd" -n one-query "$one_cmd" -n sequential-12 "bash $seq_script" >&2 ||
		hyperfine --warmup 2 --runs "$RUNS" --export-json "$DNS_TMP/wall.json" \
			-n check "$check_cmd" -n check-no-delay "$check0_cmd" -n one-query "$one_cmd" -n sequential-12 "bash $seq_script" >&2
	mean() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean * 1000 | round' "$DNS_TMP/wall.json"; }
	median() { jq -r --arg n "$1" '.results[] | select(.command == $n) | .median * 1000 | round' "$DNS_TMP/wall.json"; }
	check_ms=$(median check) check0_ms=$(median check-no-delay) one_ms=$(median one-query) seq_ms=$(median sequential-12)
else
	# time_runs CMD: median wall time in ms over RUNS runs.
	time_runs() {
		local t0 i
		for ((i = 0; i < RUNS; i++)); do
			t0=$(date +%s%N)
			bash -c "$1" >/dev/null
			echo $((($(date +%s%N) - t0) / 1000000))
		done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
	}
	check_ms=$(time_runs "$check_cmd") check0_ms=$(time_runs "$check0_cmd")
	one_ms=$(time_runs "$one_cmd") seq_ms=$(time_runs "bash $seq_script")
fi
ratio=$(awk -v a="$check_ms" -v b="$one_ms" 'BEGIN {printf "%.2f", a / b}')
# The network round trip alone, as kdig measures it (no process start).
rtt_ms=$(for ((i = 0; i < RUNS; i++)); do bash -c "$one_cmd"; done |
	awk '/^;; From .* in [0-9.]+ ms/ {print $(NF-1)}' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
ratio_rtt=$(awk -v a="$check_ms" -v b="$rtt_ms" 'BEGIN {printf "%.2f", a / b}')
# Round trips the check waits for one after another: its time beyond the
# same check without delay, in units of the delay.
serial=$(awk -v a="$check_ms" -v b="$check0_ms" -v d="$DELAY_MS" 'BEGIN {printf "%.1f", (a - b) / d}')

echo "== (b) published at T0 -> verified by check --watch, ${PUBLISH_RUNS} runs"
lat=()
for ((run = 0; run < PUBLISH_RUNS; run++)); do
	knot_update k1 "$DNS_ZONE" <<EOF
del $RP_NAME. CNAME
EOF
	dns_wait_answer "$ka" "$kp" "$RP_NAME" CNAME 'status: NXDOMAIN'
	stamped=$DNS_TMP/watch.$run
	: >"$stamped"
	# Each line of the watch stamped with the time it arrived.
	( "$BEHALF_BIN" check --records "$RECORDS" "${AUTH[@]}" --json --watch --timeout 30 2>"$DNS_TMP/watch.err" |
		while IFS= read -r line; do printf '%s %s\n' "$(date +%s%3N)" "$line"; done >"$stamped" ) &
	wpid=$!
	DNS_PIDS+=("$wpid")
	end=$(($(dns_now_ms) + 10000))
	until [ -s "$stamped" ]; do
		(($(dns_now_ms) < end)) || fail "watch printed nothing in 10 s"
		sleep 0.01
	done
	# Publish at a random point of the poll cycle (0-2 s after the first
	# result), so that the figure is not one phase of the cycle.
	sleep "$(awk -v r=$RANDOM 'BEGIN {printf "%.3f", r / 32767 * 2}')"
	t0=$(dns_now_ms)
	knot_update k1 "$DNS_ZONE" <<EOF
add $RP_NAME. 300 CNAME $RP_TARGET.
EOF
	end=$(($(dns_now_ms) + 30000))
	while kill -0 "$wpid" 2>/dev/null; do
		(($(dns_now_ms) < end)) || fail "watch did not report the record in 30 s"
		sleep 0.01
	done
	wait "$wpid" || fail "watch exited with an error"
	t1=$(awk '{ line=$0; sub(/^[0-9]+ /, "", line); if (line ~ /"verified": *true/) { print $1; exit } }' "$stamped")
	[ -n "$t1" ] || fail "no verified line in the watch output"
	lat+=($((t1 - t0)))
	echo "  run $((run + 1)): $((t1 - t0)) ms" >&2
done
pub_median=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : int((a[NR/2] + a[NR/2+1]) / 2)}')
pub_max=$(printf '%s\n' "${lat[@]}" | sort -n | tail -n 1)

echo "== (c) CPU of check --watch, nothing changing, ${CPU_SECONDS} s"
knot_update k1 "$DNS_ZONE" <<EOF
del $RP_NAME. CNAME
EOF
dns_wait_answer "$ka" "$kp" "$RP_NAME" CNAME 'status: NXDOMAIN'
"$BEHALF_BIN" check --records "$RECORDS" "${AUTH[@]}" --json --watch --timeout $((CPU_SECONDS + 30)) \
	>"$DNS_TMP/cpu.out" 2>&1 &
cpid=$!
DNS_PIDS+=("$cpid")
# ticks PID: utime + stime of the process, in clock ticks.
ticks() { awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$1/stat"; }
end=$(($(dns_now_ms) + 10000))
until [ -s "$DNS_TMP/cpu.out" ]; do
	(($(dns_now_ms) < end)) || fail "watch printed nothing in 10 s"
	sleep 0.05
done
c0=$(ticks "$cpid") w0=$(dns_now_ms)
sleep "$CPU_SECONDS"
kill -0 "$cpid" 2>/dev/null || fail "watch exited during the CPU measurement"
c1=$(ticks "$cpid") w1=$(dns_now_ms)
hz=$(getconf CLK_TCK)
cpu_pct=$(awk -v t=$((c1 - c0)) -v hz="$hz" -v ms=$((w1 - w0)) 'BEGIN {printf "%.3f", t / hz / (ms / 1000) * 100}')
queries=$(wc -l <"$DNS_TMP/cpu.out")
kill "$cpid" 2>/dev/null || true

cat <<EOF

## DNS benchmarks ($(date -u +%Y-%m-%d), $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo))
every answer delayed ${DELAY_MS} ms by bench/dns/relay.c; 4 relays in front of one Knot $(knotd --version | awk '{print $NF}'); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)

| figure | measured | budget |
|---|---|---|
| (a) full check, 3 records x 4 servers (median of ${RUNS}) | ${check_ms} ms | |
| the same check, no delay (process start, parsing, output) | ${check0_ms} ms | |
| round trips the check waits for in sequence ((check - no delay) / ${DELAY_MS} ms) | ${serial} | 1 |
| one query's round trip (a kdig process, median of ${RUNS}) | ${one_ms} ms | |
| one query's network round trip (kdig's own figure, median) | ${rtt_ms} ms | |
| (a) ratio check / one query (both as processes) | ${ratio}x | <= 1.5x |
| (a) ratio check / network round trip | ${ratio_rtt}x | |
| (d) sequential baseline, 12 kdig one after another | ${seq_ms} ms | |
| (b) published -> verified by check --watch (median of ${PUBLISH_RUNS}; max) | ${pub_median} ms; ${pub_max} ms | <= 2000 ms |
| (c) CPU of check --watch, nothing changing (${CPU_SECONDS} s) | ${cpu_pct} % | < 1 % |
EOF
