#!/usr/bin/env bash
# N concurrent SSH sessions through a real sshd (issue 10, item 9; not a
# ctest test: the figures depend on the machine).  bench/README.md "SSH
# sessions at scale" says what is measured and shows the figures.
#
#   bench/ssh/sessions.sh [N]         (default 200; needs root)
#
# Environment: BEHALF_BIN (default build-bench/behalf, built by
# bench/run.sh), WINDOW (seconds of waiting sampled, default 30), SETTLE
# (seconds between the last frame and the window, default 5), PARALLEL
# (customers walked at a time, default 4), CHECK=1 (exit 1 when a budget
# is exceeded), KEEP_JSON=FILE (keep the driver's raw figures), RATE
# (connections a second; default 0: all at once), PROBES (default 20: one
# more connection at a time while the N wait, timed), LIVE=1 (live
# sessions instead of the demo: bench/ssh/live.sh).
#
# Setup (not measured), with tests/integration/sshlib.sh: the users, a
# root-owned copy of behalf under /run, sshd on loopback with the block of
# `behalf ssh-config` and "MaxStartups N+100" (the default 10:30:100 drops
# connections beyond 10 unauthenticated ones), N keys, one customer each,
# bound by the vendor's command (`behalf keys --customer ID --bind`) but
# the first, which is enrolled through the real screen with an invite code
# (a check that enrollment works on this host); every customer is walked to
# the records screen, where their step is saved.  Measured:
# bench/ssh/driver.py opens the N connections at once and times each to its
# records screen, then samples memory and CPU of the server side while all
# wait.  Everything (sshd, its
# sessions, the clients, the directory under /run) is removed at exit.
#
# LIVE=1: the sessions run live (no demo), as test_ssh_broker.sh runs them:
# Knot on loopback serves one zone a customer (cNNN.example, the domain the
# driver types), the Postmark simulator, `behalf broker` as its own user
# with [broker] tickets; the sessions' config has [esp] broker and [dns]
# resolvers and authoritative = that Knot.  Keys are bound in the broker's
# store, as its owner; walking a customer makes its domain at the simulator
# through the broker (checked).  Measured besides: the broker's private
# memory, its CPU until all frames and while all wait (in the total), a
# round trip to its socket every 0.2 s while connecting; Knot's and the
# simulator's CPU (apart, not in the total) and Knot's queries a second.
set -euo pipefail
BENCH_SSH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BEHALF_SOURCE_DIR=$(cd "$BENCH_SSH_DIR/../.." && pwd)
N=${1:-${N:-200}}
: "${BEHALF_BIN:=$BEHALF_SOURCE_DIR/build-bench/behalf}"
[ -x "$BEHALF_BIN" ] || {
	echo "sessions.sh: no binary at $BEHALF_BIN (run bench/run.sh once, or set BEHALF_BIN)" >&2
	exit 2
}
BEHALF_BIN=$(cd "$(dirname "$BEHALF_BIN")" && pwd)/$(basename "$BEHALF_BIN")
export BEHALF_BIN BEHALF_SOURCE_DIR
E2E_TIMEOUT=${E2E_TIMEOUT:-60}
# The records screen, as the resumed session draws it last (its footer).
EXPECT=${EXPECT:-_domainkey}

LIVE=${LIVE:-0}
if [ "$LIVE" = 1 ]; then
	# shellcheck source=tests/integration/dnslib.sh
	. "$BEHALF_SOURCE_DIR/tests/integration/dnslib.sh"
fi
# shellcheck source=tests/integration/sshlib.sh
. "$BEHALF_SOURCE_DIR/tests/integration/sshlib.sh"
# shellcheck source=bench/ssh/live.sh
if [ "$LIVE" = 1 ]; then . "$BENCH_SSH_DIR/live.sh"; fi

if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N * 4 + 64)) ]; then
	ulimit -n $((N * 4 + 64))
fi

PROBES=${PROBES:-20}
echo "# $N sessions: setup (users, sshd with MaxStartups $((N + 100)), keys bound)" >&2
if [ "$LIVE" = 1 ]; then live_bench_setup $((N + PROBES)); fi
ssh_setup "MaxStartups $((N + 100))"
codes=$SSH_DIR/codes
: >"$codes"
for ((i = 1; i <= N + PROBES; i++)); do
	name=$(printf 'c%03d' "$i")
	ssh_key "$name"
	if [ "$i" = 1 ]; then # through the screen, with a code
		if [ "$LIVE" = 1 ]; then code=$(live_bench_invite "$name"); else code=$(ssh_invite "$name"); fi
		printf '%s %s\n' "$name" "$code" >>"$codes"
	else # "-": bound already, no code to type
		if [ "$LIVE" = 1 ]; then # in the broker's store, as its owner
			as_broker "$BROKER_BIN" keys --config "$SSH_CONF" --state-dir "$BROKER_STATE" \
				--customer "$name" --bind "$(cat "$SSH_DIR/keys/$name.pub")" >/dev/null
		else
			ssh_as_service "$SSH_BIN" keys --config "$SSH_CONF" --customer "$name" \
				--bind "$(cat "$SSH_DIR/keys/$name.pub")" >/dev/null
		fi
		printf '%s -\n' "$name" >>"$codes"
	fi
done

driver() {
	python3 "$BENCH_SSH_DIR/driver.py" "$1" --port "$SSH_PORT" --user "$SSH_USER" \
		--keys "$SSH_DIR/keys" --known-hosts "$SSH_DIR/known_hosts" --codes "$codes" \
		--expect "$EXPECT" --n "$N" "${@:2}"
}

echo "# walking $((N + PROBES)) customers to the records screen (${PARALLEL:-4} at a time)" >&2
t0=$(date +%s)
driver enroll --parallel "${PARALLEL:-4}" --timeout 60 >/dev/null
echo "# walked in $(($(date +%s) - t0)) s; measuring" >&2
ssh_wait_no_behalf "after enrolling"
if [ "$LIVE" = 1 ]; then # each customer's domain, made at Postmark through the broker
	made=$(curl -sS --max-time 10 "$SIM_URL/__control/state" | jq '.Domains | length')
	[ "$made" = $((N + PROBES)) ] ||
		e2e_fail "the simulator has $made domains, not $((N + PROBES)): $(tail -n 5 "$BROKER_ERR")"
fi

out=$SSH_DIR/result.json
live_args=()
if [ "$LIVE" = 1 ]; then
	live_args=(--broker-socket "$BROKER_SOCK" --aside "knot=$KNOT_PID" --aside "simulator=$SIM_PID"
		--knot-sock "$DNS_TMP/k1/run/knot.sock")
fi
driver measure --sshd-pid "$SSH_PID" --probes "$PROBES" --rate "${RATE:-0}" --window "${WINDOW:-30}" --settle "${SETTLE:-5}" \
	--timeout 300 ${BROKER_PID:+--broker-pid "$BROKER_PID"} "${live_args[@]}" >"$out"
if [ -n "${KEEP_JSON:-}" ]; then cp "$out" "$KEEP_JSON"; fi

# The table.
jq -r --arg nproc "$(nproc)" --arg kernel "$(uname -r)" \
	--arg ssh "$(ssh -V 2>&1 | cut -d, -f1)" '
	def r(x): (x * 10 | round) / 10;
	def r2(x): (x * 100 | round) / 100;
	def per(k): if .private_kb[k] then "\(k) \(r(.private_kb[k].sum / .n)) KB" else empty end;
	"machine: \($nproc) cores, Linux \($kernel), \($ssh)",
	"sessions opened                          \(.n) \(if .rate > 0 then "at \(.rate) a second" else "at once" end)",
	"reached the records screen               \(.frames)  (still connected after the window: \(.sessions_alive); behalf sessions: \(.behalf_sessions))",
	"first frame p50 / p95 / max              \(r(.first_frame_ms.p50)) / \(r(.first_frame_ms.p95)) / \(r(.first_frame_ms.max)) ms   (budget p95 < 1000 ms: \(if .first_frame_ms.p95 < 1000 then "ok" else "OVER" end))",
	(if .probe_ms.count > 0 then "one more while all wait, p50 / p95 / max \(r(.probe_ms.p50)) / \(r(.probe_ms.p95)) / \(r(.probe_ms.max)) ms  (\(.probe_ms.count) connections, one at a time)" else empty end),
	"all spawned after / all frames after     \(r(.spawn_s)) s / \(r(.all_frames_s)) s",
	"CPU until all frames: machine / clients  \(r(.machine_cpu_start_s)) s / \(r(.client_cpu_start_s)) s  (server processes still alive: \(r(.start_cpu_s)) s)",
	"private memory a session (Private_Dirty) \(r((.private_kb | to_entries | map(select(.key != "sshd listener" and .key != "broker")) | map(.value.sum) | add) / .n)) KB  (\([per("behalf ssh-session"), per("sshd"), per("sh")] | join(", ")))",
	"waiting CPU, all server processes        \(r2(.cpu_total_pct_of_core)) % of one core over \(r(.window_s)) s   (budget < 10 %: \(if .cpu_total_pct_of_core < 10 then "ok" else "OVER" end))",
	"  by process kind (CPU seconds)          \(.cpu_s | to_entries | map("\(.key) \(r2(.value))") | join(", "))",
	"waiting CPU, the ssh clients (customers) \(r2(.client_cpu_pct_of_core)) % of one core",
	"waiting CPU, the whole machine           \(r2(.machine_cpu_window_pct_of_core)) % of one core (with anything else running)",
	"bytes sent to the clients while waiting  \(.bytes_to_clients_in_window)",
	(if .private_kb.broker then "broker: private memory                  \(.private_kb.broker.sum) KB  (Private_Dirty; RSS \(.rss_kb.broker.mean) KB)" else empty end),
	(if .aside_cpu_window_s.broker then "broker: CPU until all frames / waiting   \(r2(.aside_cpu_start_s.broker)) s / \(r2(.aside_cpu_window_s.broker)) s  (waiting: \(r2(100 * .aside_cpu_window_s.broker / .window_s)) % of one core; in the total above)" else empty end),
	(if .broker_ping_ms then "broker: round trip while connecting       p50 / p95 / max \(r(.broker_ping_ms.p50)) / \(r(.broker_ping_ms.p95)) / \(r(.broker_ping_ms.max)) ms  (\(.broker_ping_ms.count) pings every 0.2 s, \(.broker_ping_ms.failed) failed)" else empty end),
	(if .aside_cpu_window_s.knot then "apart: Knot CPU until all frames / waiting       \(r2(.aside_cpu_start_s.knot)) s / \(r2(.aside_cpu_window_s.knot)) s  (waiting: \(r2(100 * .aside_cpu_window_s.knot / .window_s)) % of one core)" else empty end),
	(if .aside_cpu_window_s.simulator then "apart: simulator CPU until all frames / waiting \(r2(.aside_cpu_start_s.simulator)) s / \(r2(.aside_cpu_window_s.simulator)) s" else empty end),
	(if .knot_queries_per_s_window then "Knot: queries while connecting / a second while all wait  \(.knot_queries_start) / \(r(.knot_queries_per_s_window))" else empty end)
' "$out"
if [ "${CHECK:-0}" = 1 ]; then
	jq -e '.frames == .n and .first_frame_ms.p95 < 1000 and .cpu_total_pct_of_core < 10' "$out" >/dev/null
fi
