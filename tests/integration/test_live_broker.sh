#!/usr/bin/env bash
# The broker (issue 10, item 5), live: `behalf broker` holds the Postmark
# tokens; the real wizard, with only "[esp] broker = SOCKET" in its config
# and nothing in its environment, creates a domain through it.  Then:
# - no token in the session's environment (/proc/PID/environ), in the
#   config it read, nor anywhere in its memory (/proc/PID/mem; the same
#   scan of the broker's memory finds the token, so the scan works);
# - scoping: another customer's connection naming the first customer's
#   domain id (verify, delete) or its name (ensure) is refused, and
#   Postmark never hears of it; the owner's own connection goes through;
# - who may connect: a broker allowing only "nobody" refuses root by
#   SO_PEERCRED, accepts nobody, and its socket (0660, group nogroup, in a
#   0750 directory) cannot be reached by a user outside that group; the
#   sessions' user cannot read the broker's config;
# - one rate limit for the host: 30 sessions ensuring a domain while
#   Postmark answers every request 429 end with far fewer requests to
#   Postmark than sessions (each alone would try 5 times: 150);
# - a session stuck half-way through a line, never reading, stalls nobody
#   (everything after it is answered while it hangs on);
# - tickets ([broker] tickets): a hello needs a single-use ticket naming its
#   customer (`behalf broker --mint-ticket`); a false claim, a spent ticket
#   or none is refused; the resume ticket handed at hello goes with the
#   connection; the real wizard given one in BEHALF_BROKER_TICKET
#   starts, and the ticket is wiped from its environment.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
LIVE_TOKEN=pmacct-Br0k3rHeld-9QwZx-7e57
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
CLIENT="$BEHALF_SOURCE_DIR/tests/integration/broker_client.py"
BROKER_DIR="$E2E_TMP/broker"
BROKER_SOCK="$BROKER_DIR/broker.sock"
BROKER_CONF="$BROKER_DIR/broker.conf"
BROKER_ERR="$E2E_TMP/broker.stderr"
mkdir -p "$BROKER_DIR"
cat >"$BROKER_CONF" <<EOF
[postmark]
api_url = $SIM_URL
account_token = $LIVE_TOKEN
timeout_ms = 5000
retry_base_ms = 10
[broker]
socket = $BROKER_SOCK
state_dir = $BROKER_DIR/state
requests_per_second = 1000
burst = 4
EOF
chmod 600 "$BROKER_CONF"

# broker_start CONF SOCK: the broker in the background; waits for its socket.
broker_start() {
	local i
	"${DNS_REAP[@]}" "$BEHALF_BIN" broker --config "$1" 2>>"$BROKER_ERR" &
	DNS_PIDS+=($!)
	BROKER_PID=$!
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		[ -S "$2" ] && return 0
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.05
	done
	e2e_fail "the broker did not listen on $2: $(cat "$BROKER_ERR")"
}


broker_start "$BROKER_CONF" "$BROKER_SOCK"
main_broker=$BROKER_PID

# ---- the session: no token anywhere, a domain made through the broker ----
live_config "[esp]" "broker = $BROKER_SOCK"
# shellcheck disable=SC2034 # read by live_start (livelib.sh)
LIVE_ENV="" # nothing in the environment: no token, no API URL
! grep -qF -- "$LIVE_TOKEN" "$LIVE_CONF" || e2e_fail "the session's config holds the token"
live_start
live_opt1_to_records
e2e_equal "domains at Postmark" 1 "$(sim_jq '.Domains | length')"
e2e_equal "the domain" "$DNS_ZONE" "$(sim_jq '.Domains[0].Name')"
digest="REDACTED:$(printf '%s' "$LIVE_TOKEN" | sha256sum | cut -c1-12)"
sim_get requests | jq -e --arg d "$digest" 'length > 0 and all(.[]; .Headers |
	to_entries | any(.value == $d))' >/dev/null ||
	e2e_fail "Postmark did not get the broker's token with every request"
pid=$(e2e_wait_pid)
tr '\0' '\n' <"/proc/$pid/environ" >"$E2E_TMP/session.environ"
grep -q '^TERM=' "$E2E_TMP/session.environ" || e2e_fail "could not read the session's environment"
! grep -qiF -- "$LIVE_TOKEN" "$E2E_TMP/session.environ" || e2e_fail "the token is in the session's environment"
! grep -qi 'POSTMARK' "$E2E_TMP/session.environ" || e2e_fail "a POSTMARK_* variable reached the session"
mem_holds "$main_broker" "$LIVE_TOKEN" || e2e_fail "the memory scan does not find the token in the broker"
mem_holds "$pid" "$DNS_ZONE" || e2e_fail "the memory scan does not find the domain in the session"
if mem_holds "$pid" "$LIVE_TOKEN"; then e2e_fail "the token is in the session's memory"; fi
if mem_holds "$pid" "Br0k3rHeld"; then e2e_fail "a piece of the token is in the session's memory"; fi
id=$(sim_jq '.Domains[0].ID')
e2e_equal "the broker's record of the owner" acme \
	"$(jq -r --arg id "$id" '.domains[$id].customer' "$BROKER_DIR/state/owners.json")"

# ---- a stuck session stalls nobody: half a line, never read ----
"$DNS_PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"{\"op\":\"hello\",\"v\":1,\"customer\":\"slow\"}\n{\"op\":\"domain_ens")
open(sys.argv[2], "w").close()
time.sleep(600)' "$BROKER_SOCK" "$E2E_TMP/stuck.ready" &
DNS_PIDS+=($!)
for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
	[ -e "$E2E_TMP/stuck.ready" ] && break
	sleep 0.05
done
[ -e "$E2E_TMP/stuck.ready" ] || e2e_fail "the stuck session did not connect"

# ---- scoping: another customer names acme's domain ----
sim_get requests | jq length >"$E2E_TMP/before"
"$DNS_PY" "$CLIENT" "$BROKER_SOCK" intruder \
	"{\"op\":\"domain_verify\",\"id\":\"$id\"}" \
	"{\"op\":\"domain_delete\",\"id\":\"$id\"}" \
	"{\"op\":\"domain_ensure\",\"domain\":\"$DNS_ZONE\"}" \
	"{\"op\":\"signature_ensure\",\"email\":\"jane@$DNS_ZONE\",\"name\":\"Jane\"}" \
	>"$E2E_TMP/intruder.out"
e2e_equal "the intruder's hello" true "$(sed -n 1p "$E2E_TMP/intruder.out" | jq -r .ok)"
e2e_equal "verify of another customer's id: not found (8)" 8 "$(sed -n 2p "$E2E_TMP/intruder.out" | jq .err)"
e2e_equal "delete of another customer's id: not found (8)" 8 "$(sed -n 3p "$E2E_TMP/intruder.out" | jq .err)"
e2e_equal "ensure of another customer's domain: refused (12, 513)" "12 513" \
	"$(sed -n 4p "$E2E_TMP/intruder.out" | jq -r '"\(.err) \(.esp_code)"')"
e2e_equal "a signature at another customer's domain: refused (12, 513)" "12 513" \
	"$(sed -n 5p "$E2E_TMP/intruder.out" | jq -r '"\(.err) \(.esp_code)"')"
e2e_equal "the intruder's reply names no record" 0 \
	"$(sed -n 4p "$E2E_TMP/intruder.out" | jq '.domain.records | length')"
e2e_equal "requests Postmark got for the intruder" "$(cat "$E2E_TMP/before")" "$(sim_get requests | jq length)"
e2e_equal "acme's domain is still there" 1 "$(sim_jq '.Domains | length')"
grep -qF "customer intruder named domains $id of acme: refused" "$BROKER_ERR" ||
	e2e_fail "the broker did not log the refusal: $(cat "$BROKER_ERR")"
# The owner's own connection goes through to Postmark.
"$DNS_PY" "$CLIENT" "$BROKER_SOCK" acme "{\"op\":\"domain_verify\",\"id\":\"$id\"}" >"$E2E_TMP/owner.out"
e2e_equal "acme verifies its own domain" 0 "$(sed -n 2p "$E2E_TMP/owner.out" | jq .err)"
e2e_equal "acme's verify reached Postmark" 1 "$(sim_get requests | jq --arg p "/domains/$id/verifydkim" \
	'[.[] | select(.Path | ascii_downcase == $p)] | length')"
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_wait "[behalf exited"

# ---- who may connect ----
B2=$(mktemp -d /tmp/behalf-broker-XXXXXX)
broker_cleanup() {
	local rc=$?
	rm -rf "$B2"
	set +e
	(exit "$rc")
	live_cleanup
}
trap broker_cleanup EXIT
chmod 0750 "$B2"
chgrp nogroup "$B2"
cat >"$B2/broker.conf" <<EOF
[postmark]
api_url = $SIM_URL
account_token = $LIVE_TOKEN
[broker]
socket = $B2/b.sock
state_dir = $B2/state
allow_users = nobody
group = nogroup
EOF
chmod 600 "$B2/broker.conf"
cp "$CLIENT" "$B2/client.py"
chmod 0644 "$B2/client.py"
broker_start "$B2/broker.conf" "$B2/b.sock"
e2e_equal "the socket's mode and group" "660 nogroup" "$(stat -c '%a %G' "$B2/b.sock")"
"$DNS_PY" "$B2/client.py" "$B2/b.sock" acme >"$E2E_TMP/root.out"
e2e_equal "root (not allowed) is refused" false "$(jq -r .ok "$E2E_TMP/root.out")"
grep -qF "refused a connection of uid 0" "$BROKER_ERR" || e2e_fail "the refusal of uid 0 is not logged"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$DNS_PY" "$B2/client.py" "$B2/b.sock" acme \
	>"$E2E_TMP/nobody.out"
e2e_equal "nobody (allowed) is welcome" true "$(jq -r .ok "$E2E_TMP/nobody.out")"
e2e_equal "the broker's ESP and its capabilities" "Postmark 15" \
	"$(jq -r '"\(.esp) \(.caps)"' "$E2E_TMP/nobody.out")"
if setpriv --reuid=12345 --regid=12345 --clear-groups "$DNS_PY" "$B2/client.py" "$B2/b.sock" acme \
	>"$E2E_TMP/other.out" 2>&1; then
	e2e_fail "a user outside the group reached the socket: $(cat "$E2E_TMP/other.out")"
fi
grep -q "Permission denied" "$E2E_TMP/other.out" || e2e_fail "not refused by permissions: $(cat "$E2E_TMP/other.out")"
if setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$B2/broker.conf" >/dev/null 2>&1; then
	e2e_fail "the sessions' user can read the broker's config"
fi

# ---- tickets: the customer is the ticket's, never the session's word ----
TICKETS="$E2E_TMP/tickets"
mkdir -p "$TICKETS"
chmod 0700 "$TICKETS"
cat >"$E2E_TMP/tb.conf" <<EOF
[postmark]
api_url = $SIM_URL
account_token = $LIVE_TOKEN
retry_base_ms = 10
[broker]
socket = $E2E_TMP/tb.sock
state_dir = $E2E_TMP/tb-state
tickets = $TICKETS
EOF
chmod 600 "$E2E_TMP/tb.conf"
broker_start "$E2E_TMP/tb.conf" "$E2E_TMP/tb.sock"
mint() { "$BEHALF_BIN" broker --mint-ticket "$1" --tickets "$TICKETS"; }
hello_ok() { BROKER_TICKET=$2 "$DNS_PY" "$CLIENT" "$E2E_TMP/tb.sock" "$1" | head -1 | jq -r .ok; }
e2e_equal "a hello without a ticket" false "$(hello_ok acme "")"
t=$(mint acme)
e2e_equal "acme's ticket claiming another customer" false "$(hello_ok intruder "$t")"
e2e_equal "that ticket, spent by the false claim" false "$(hello_ok acme "$t")"
t=$(mint acme)
e2e_equal "acme's ticket for acme" true "$(hello_ok acme "$t")"
e2e_equal "the same ticket again" false "$(hello_ok acme "$t")"
# The hello that went through was handed a resume ticket; it goes when
# that connection ends.
for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
	[ "$(find "$TICKETS" -type f | wc -l)" = 0 ] && break
	sleep 0.05
done
e2e_equal "tickets left" 0 "$(find "$TICKETS" -type f | wc -l)"
grep -qF "claimed intruder with a ticket of acme" "$BROKER_ERR" || e2e_fail "the false claim is not logged"
# The real wizard, its ticket in its environment: it starts, makes its
# domain, and the ticket is gone from its environment.
t=$(mint beta)
live_config "[esp]" "broker = $E2E_TMP/tb.sock"
# shellcheck disable=SC2034 # read by live_start (livelib.sh)
LIVE_CUSTOMER=beta
# shellcheck disable=SC2034 # read by live_start (livelib.sh)
LIVE_ENV="BEHALF_BROKER_TICKET=$t"
live_start
live_opt1_to_records
pid=$(e2e_wait_pid)
! grep -qaF -- "$t" "/proc/$pid/environ" || e2e_fail "the ticket stayed in the session's environment"
e2e_equal "beta's ticket, spent" false "$(hello_ok beta "$t")"
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_wait "[behalf exited"

# ---- 30 sessions, Postmark answering 429 to everything: one backoff ----
sim_fault '{"Kind":"429","Count":1000,"Method":"GET","Path":"^/domains"}'
sim_delete requests >/dev/null
"$DNS_PY" "$CLIENT" --many 30 "$BROKER_SOCK" '{"op":"domain_ensure","domain":"c{n}.example"}' \
	>"$E2E_TMP/many.out"
e2e_equal "answers" 30 "$(wc -l <"$E2E_TMP/many.out")"
e2e_equal "every session was told Postmark is rate limiting (12, 429)" 30 \
	"$(jq -r '"\(.err) \(.esp_code)"' "$E2E_TMP/many.out" | grep -c '^12 429$')"
sent=$(sim_get requests | jq length)
echo "requests Postmark got for 30 rate-limited sessions: $sent (alone: 30 x 5 = 150)"
((sent > 0 && sent < 30)) || e2e_fail "Postmark got $sent requests from 30 sessions (want fewer than 30)"
e2e_equal "domains made" 1 "$(sim_jq '.Domains | length')"
! grep -qF -- "$LIVE_TOKEN" "$BROKER_ERR" || e2e_fail "the broker's log holds the token"

e2e_pass
