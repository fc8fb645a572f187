#!/usr/bin/env bash
# behalf deliver against a real receiver (tests/webhooks/receiver.js) that
# verifies every delivery with the official standardwebhooks npm package,
# all on loopback:
#  - a secret file readable by others is refused, and the secret is never
#    printed;
#  - the receiver down for a while, then up: every event arrives, verified,
#    in order per customer, none lost, none twice; events appended while
#    the service runs arrive too (inotify); a tampered body and another
#    secret are refused by the package;
#  - a delivery signed an hour ago is refused by the receiver (old
#    timestamp) and stays pending, then goes through;
#  - one customer's backend failing (503) holds up no other customer;
#  - kill -9 of deliver while the receiver holds the request: the event is
#    delivered again, with the same webhook-id;
#  - an event failing past give_up_after goes to the dead letters, and the
#    next one is tried; --status shows pending and dead per customer;
#  - the service uses no CPU while there is nothing to do;
#  - [hooks] command gets the event on stdin, exit 0 = delivered;
#  - an outbox all delivered and over compact_bytes is emptied, and the
#    events appended after it are delivered as before.
set -euo pipefail

: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
: "${BEHALF_SOURCE_DIR:?}"
FILL=${BEHALF_EVENTS_FILL:-$(dirname "$BEHALF_BIN")/tests/events_fill}
WEBHOOKS=$BEHALF_SOURCE_DIR/tests/webhooks
if ! command -v node >/dev/null || [ ! -d "$WEBHOOKS/node_modules/standardwebhooks" ]; then
	echo "skipped: node or the standardwebhooks package missing (bash scripts/npm-deps.sh)"
	exit 77
fi
unset BEHALF_FAKE_TIME
T=$(mktemp -d "${TMPDIR:-/tmp}/behalf-deliver.XXXXXX")
RECV_PID=
DELIVER_PID=
cleanup() {
	[ -n "$DELIVER_PID" ] && kill -9 "$DELIVER_PID" 2>/dev/null
	[ -n "$RECV_PID" ] && kill "$RECV_PID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
ok() {
	echo "ok: $*"
}

# wait_for DESCRIPTION COMMAND...: polls COMMAND until it succeeds (20 s).
wait_for() {
	local desc=$1 i=0
	shift
	while ((i < 400)); do
		if "$@" >/dev/null 2>&1; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL: waited 20 s for $desc" >&2
	exit 1
}

STATE=$T/state
mkdir -m 700 "$STATE"
SECRET="whsec_$(head -c 24 /dev/urandom | base64)"
printf '%s\n' "$SECRET" >"$T/secret"
chmod 600 "$T/secret"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
write_conf() { # extra [hooks] lines as arguments
	{
		printf '[behalf]\nstate_dir = %s\n[hooks]\nurl = http://127.0.0.1:%s/hook\n' "$STATE" "$PORT"
		printf 'secret_file = %s\nretry_first_ms = 50\nretry_max_ms = 300\ntimeout_ms = 5000\n' "$T/secret"
		printf 'compact_bytes = 1000\n'
		printf '%s\n' "$@"
	} >"$T/behalf.conf"
}
write_conf
LOG=$T/received.jsonl
REJ=$T/rejected.jsonl
: >"$LOG"
: >"$REJ"
start_receiver() { # extra receiver arguments
	rm -f "$T/port"
	node "$WEBHOOKS/receiver.js" --secret-file "$T/secret" --port "$PORT" --port-file "$T/port" \
		--log "$LOG" --rejects "$REJ" "$@" &
	RECV_PID=$!
	wait_for "the receiver to listen" test -s "$T/port"
}
stop_receiver() {
	kill "$RECV_PID"
	wait "$RECV_PID" 2>/dev/null || true
	RECV_PID=
}
deliver() {
	"$BEHALF_BIN" deliver --config "$T/behalf.conf" "$@"
}
received_at_least() {
	[ "$(wc -l <"$LOG")" -ge "$1" ]
}
status_says() {
	deliver --status | grep -q "$1"
}
# the service in the background; DELIVER_PID is behalf's own pid
start_deliver() {
	"$BEHALF_BIN" deliver --config "$T/behalf.conf" 2>>"$DELIVER_LOG" &
	DELIVER_PID=$!
}
status_of() { # CUSTOMER COLUMN (2 pending, 3 dead)
	deliver --status | awk -v c="$1" -v k="$2" '$1 == c { print $k; f = 1 } END { if (!f) print 0 }'
}

# ---- the secret file -------------------------------------------------------
chmod 644 "$T/secret"
set +e
deliver --once >"$T/out" 2>&1
rc=$?
set -e
chmod 600 "$T/secret"
if [ "$rc" = 2 ] && grep -q "readable by others" "$T/out" && ! grep -qF "${SECRET#whsec_}" "$T/out"; then
	ok "a secret file of mode 644 is refused, the secret not shown"
else
	fail "mode 644 secret file: exit $rc: $(cat "$T/out")"
fi

# ---- receiver down, then up ---------------------------------------------------
"$FILL" "$STATE" 3 5
DELIVER_LOG=$T/deliver.log
start_deliver
# deliver is trying, and failing: every customer's first event waits
wait_for "a failed try" status_says "Couldn't connect"
if [ "$(status_of cust-0 2)" = 5 ]; then ok "the receiver down: cust-0 has 5 pending"; else fail "pending while down: $(deliver --status)"; fi
start_receiver
wait_for "15 deliveries" received_at_least 15
# while the service runs, more events: inotify wakes it
"$FILL" "$STATE" 3 2 5
wait_for "21 deliveries" received_at_least 21
if [ "$(wc -l <"$LOG")" = 21 ] && [ "$(jq -r .id "$LOG" | sort -u | wc -l)" = 21 ]; then
	ok "every event arrived once: 21 ids"
else
	fail "deliveries: $(wc -l <"$LOG") lines, $(jq -r .id "$LOG" | sort -u | wc -l) ids"
fi
for c in cust-0 cust-1 cust-2; do
	order=$(jq -r --arg c "$c" 'select(.customer == $c) | .n' "$LOG" | tr '\n' ' ')
	if [ "$order" = "0 1 2 3 4 5 6 " ]; then ok "$c in order"; else fail "$c order: $order"; fi
done
if [ "$(jq -c 'select(.tamper_refused != true or .other_secret_refused != true)' "$LOG")" = "" ] &&
	[ "$(jq -r .type "$LOG" | sort -u)" = record.verified ]; then
	ok "standardwebhooks verified each, and refused each with a tampered body or another secret"
else
	fail "verification: $(head -3 "$LOG")"
fi
if [ -s "$REJ" ]; then fail "refused deliveries: $(cat "$REJ")"; fi
if [ "$(deliver --status | tail -1)" = "total: 0 pending, 0 dead" ]; then
	ok "--status: nothing pending"
else
	fail "--status: $(deliver --status)"
fi
# idle: deliver sleeps in poll() (a busy loop would take most of a core
# while 50 --status runs go by)
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$DELIVER_PID/stat"
}
before=$(cpu_ticks)
for _ in $(seq 50); do deliver --status >/dev/null; done
idle=$(($(cpu_ticks) - before))
if ((idle <= 3)); then ok "idle: $idle CPU ticks during 50 --status runs"; else fail "busy while idle: $idle ticks"; fi
# cust-0 had 7 events (about 1,200 bytes) appended in two bursts: the file
# was emptied once its delivered bytes passed compact_bytes (1000); what
# came after that (0 to 2 events: it depends on whether deliver saw the
# second burst at once) stays, all delivered, under compact_bytes.
c0=$STATE/outbox/cust-0.jsonl
c0_size=$(wc -c <"$c0")
if [ "$(wc -l <"$c0")" -lt 7 ] && [ "$c0_size" -lt 1000 ] &&
	[ "$(jq -r .offset "$STATE/outbox/cust-0.cursor")" = "$c0_size" ]; then
	ok "an outbox all delivered and over compact_bytes is emptied ($c0_size bytes left, all delivered)"
else
	fail "not compacted: $(wc -l <"$c0") events, $c0_size bytes, cursor $(jq -c . "$STATE/outbox/cust-0.cursor")"
fi
kill "$DELIVER_PID"
wait "$DELIVER_PID" || fail "deliver exited $? on SIGTERM"
DELIVER_PID=

# ---- an old timestamp ---------------------------------------------------------
"$FILL" "$STATE" 1 1 100
set +e
BEHALF_FAKE_TIME=$(($(date +%s) - 3600)) deliver --once 2>/dev/null
rc=$?
set -e
if [ "$rc" = 1 ] && grep -q "too old" "$REJ" && [ "$(status_of cust-0 2)" = 1 ]; then
	ok "signed an hour ago: refused by the receiver, still pending"
else
	fail "old timestamp: exit $rc, rejects: $(cat "$REJ")"
fi
deliver --once
if [ "$(jq -r 'select(.n == 100) | .customer' "$LOG")" = cust-0 ]; then ok "then delivered"; else fail "n=100 not delivered"; fi
: >"$REJ"

# ---- one customer failing holds up no other -------------------------------------
stop_receiver
start_receiver --refuse-customer cust-1
"$FILL" "$STATE" 3 3 150
set +e
deliver --once 2>/dev/null
rc=$?
set -e
got0=$(jq -r 'select(.customer == "cust-0" and .n >= 150) | .n' "$LOG" | tr '\n' ' ')
got2=$(jq -r 'select(.customer == "cust-2" and .n >= 150) | .n' "$LOG" | tr '\n' ' ')
if [ "$rc" = 1 ] && [ "$got0" = "150 151 152 " ] && [ "$got2" = "150 151 152 " ] &&
	[ "$(status_of cust-1 2)" = 3 ] && status_says "HTTP 503"; then
	ok "cust-1 refused (503): its 3 wait, cust-0's and cust-2's delivered"
else
	fail "one failing customer: rc $rc, cust-0 '$got0', cust-2 '$got2', $(deliver --status)"
fi
stop_receiver
start_receiver
deliver --once
if [ "$(jq -r 'select(.customer == "cust-1" and .n >= 150) | .n' "$LOG" | tr '\n' ' ')" = "150 151 152 " ]; then
	ok "then cust-1's, in order"
else
	fail "cust-1 after the refusal: $(tail -3 "$LOG")"
fi

# ---- kill -9 mid-POST ---------------------------------------------------------
stop_receiver
start_receiver --hold-first "$T/held"
"$FILL" "$STATE" 1 1 200
start_deliver
wait_for "the receiver to hold a request" test -s "$T/held"
kill -9 "$DELIVER_PID"
wait "$DELIVER_PID" 2>/dev/null || true
DELIVER_PID=
stop_receiver
start_receiver
deliver --once
held=$(cat "$T/held")
if [ "$(jq -r --arg id "$held" 'select(.id == $id) | .n' "$LOG")" = 200 ]; then
	ok "killed mid-POST: delivered again with the same id $held"
else
	fail "held $held not delivered again: $(tail -2 "$LOG")"
fi

# ---- dead letters -------------------------------------------------------------
stop_receiver # nothing listens: every try fails
write_conf "give_up_after = 1"
"$FILL" "$STATE" 2 2 300
# cust-1 and cust-0 each fail; after a second of failing each event is
# given up on and the next one tried (polled: a pass per try)
wait_for "cust-1's two events dead" sh -c "'$BEHALF_BIN' deliver --once --config '$T/behalf.conf' 2>/dev/null; '$BEHALF_BIN' deliver --status --config '$T/behalf.conf' | awk '\$1 == \"cust-1\" && \$3 == 2 && \$2 == 0 { f = 1 } END { exit !f }'"
if [ "$(jq -r .data.n "$STATE/outbox/cust-1.dead.jsonl" | tr '\n' ' ')" = "300 301 " ]; then
	ok "given up after give_up_after: both in cust-1's dead letters, in order"
else
	fail "dead letters: $(cat "$STATE/outbox/cust-1.dead.jsonl")"
fi
start_receiver
write_conf
"$FILL" "$STATE" 2 1 400
deliver --once
if [ "$(jq -r 'select(.n == 400) | .customer' "$LOG" | sort | tr '\n' ' ')" = "cust-0 cust-1 " ]; then
	ok "after the dead letters, the next events go through"
else
	fail "after dead letters: $(tail -3 "$LOG")"
fi

# ---- [hooks] command ----------------------------------------------------------
write_conf "command = cat >>'$T/cmd.out'; printf '%s\\n' \"\$WEBHOOK_ID\" >>'$T/cmd.ids'"
"$FILL" "$STATE" 1 2 500
deliver --once
if [ "$(jq -r .data.n "$T/cmd.out" | tr '\n' ' ')" = "500 501 " ] &&
	[ "$(wc -l <"$T/cmd.ids")" = 2 ] && grep -q '^msg_' "$T/cmd.ids" &&
	[ "$(jq -r 'has("id")' "$T/cmd.out" | sort -u)" = false ]; then
	ok "[hooks] command: each event on stdin, its id in WEBHOOK_ID"
else
	fail "command: $(cat "$T/cmd.out" "$T/cmd.ids" 2>&1)"
fi
write_conf "command = exit 3"
"$FILL" "$STATE" 1 1 600
set +e
deliver --once 2>/dev/null
rc=$?
set -e
if [ "$rc" = 1 ] && deliver --status | grep -q "exited 3"; then
	ok "a command exiting 3: not delivered, pending"
else
	fail "command exit 3: rc $rc, $(deliver --status)"
fi
wide=$(deliver --status | awk 'length > 80')
if [ -z "$wide" ]; then ok "--status with a failing customer fits 80 columns"; else fail "--status wider than 80: $wide"; fi

if ((fails)); then
	echo "FAIL: $fails check(s)" >&2
	exit 1
fi
echo "all deliver checks passed"
