# shellcheck shell=bash
# LIVE=1 for bench/ssh/sessions.sh (issue 10, item 9): the sessions live
# (no demo) against Knot and the Postmark simulator, their ESP through
# `behalf broker` with tickets, as tests/integration/test_ssh_broker.sh sets
# it up.  Sourced by sessions.sh after dnslib.sh and sshlib.sh; then:
#
#   live_bench_setup COUNT   Knot serving c001.example .. cCOUNT.example (one
#                            zone a customer, the domain the driver types;
#                            mod-stats counts its queries), the simulator,
#                            the broker as its own user with [broker]
#                            tickets, and the sessions' config: [esp] broker,
#                            [dns] resolvers and authoritative = that Knot
#   live_bench_invite ID     an invite code, made in the broker's store
#   as_broker ARGS...        ARGS as the broker's user (its store's owner)
#
# Knot's control socket is $DNS_TMP/k1/run/knot.sock (driver.py --knot-sock).
#
# Sets BROKER_PID, KNOT_PID, SIM_PID, BROKER_SOCK.  Everything is stopped at
# exit: sshd and its sessions first (sshlib.sh), then Knot and the
# simulator (dnslib.sh).
# shellcheck disable=SC2034,SC2153 # SSH_DEMO, SSH_CONF_LINES: read by sshlib.sh; SSH_*: set by it

LIVE_TOKEN=pmacct-BenchLive-4RvQm-8e21
BROKER_USER=behalf-broker
LIVE_E2E_TMP=$E2E_TMP
live_bench_cleanup() {
	local rc=$?
	# (ssh_cleanup ends with exit: a subshell.  Its "pgrep -P $$" lists
	# that subshell too, which kills itself half-way ("Terminated"):
	# dns_cleanup then stops what is left below this shell, and the
	# directory under /run goes here.)
	(
		(exit "$rc")
		ssh_cleanup
	) 2>/dev/null || true
	if [ -z "${SSH_KEEP:-}" ]; then rm -rf "$SSH_DIR"; fi
	rm -rf "$LIVE_E2E_TMP"
	dns_cleanup "$rc"
}
trap live_bench_cleanup EXIT

as_broker() {
	setpriv --reuid="$BROKER_USER" --regid="$BROKER_USER" --clear-groups -- "$@"
}

live_bench_invite() {
	as_broker "$BROKER_BIN" invite --config "$SSH_CONF" --state-dir "$BROKER_STATE" \
		--customer "$1" --json | jq -r .code
}

# live_knot COUNT ADDR PORT: knotd with one zone a customer and mod-stats
# (dnslib.sh's knot_start has no module); waits for the first and the last.
live_knot() {
	local count=$1 addr=$2 port=$3 dir="$DNS_TMP/k1" i zone
	for ((i = 1; i <= count; i++)); do
		knot_zone k1 "$(printf 'c%03d' "$i").example" "ns1.customer.example.=$addr" </dev/null
	done
	mkdir -p "$dir/run" "$dir/storage"
	{
		cat <<EOF
server:
    rundir: "$dir/run"
    listen: $addr@$port
    udp-max-payload: 1232
log:
  - target: stderr
    any: warning
database:
    storage: "$dir/storage"
control:
    listen: "$dir/run/knot.sock"
template:
  - id: default
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
    global-module: mod-stats
zone:
EOF
		while read -r zone; do printf '  - domain: %s\n' "$zone"; done <"$dir/zonelist"
	} >"$dir/knot.conf"
	"${DNS_REAP[@]}" knotd -c "$dir/knot.conf" >"$dir/log" 2>&1 &
	KNOT_PID=$!
	DNS_PIDS+=("$KNOT_PID")
	dns_wait_answer "$addr" "$port" c001.example SOA 'flags: qr aa'
	dns_wait_answer "$addr" "$port" "$(printf 'c%03d' "$count").example" SOA 'flags: qr aa'
}

live_bench_setup() {
	local count=$1 addr port i
	addr=$(dns_addr 1)
	port=$(dns_free_port "$addr")
	echo "# live: Knot with $count zones at $addr:$port, the simulator, the broker" >&2
	live_knot "$count" "$addr" "$port"
	LIVE_DNS=$addr:$port
	"${DNS_REAP[@]}" "$DNS_PY" "$BEHALF_SOURCE_DIR/tests/postmark_sim/postmark_sim.py" --port 0 \
		--port-file "$DNS_TMP/sim.port" --dns-server "$LIVE_DNS" \
		--account-token "$LIVE_TOKEN" >"$DNS_TMP/sim.log" 2>&1 &
	SIM_PID=$!
	DNS_PIDS+=("$SIM_PID")
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		[ -s "$DNS_TMP/sim.port" ] && break
		sleep 0.05
	done
	[ -s "$DNS_TMP/sim.port" ] || e2e_fail "the simulator did not start: $(cat "$DNS_TMP/sim.log")"
	SIM_URL="http://127.0.0.1:$(cat "$DNS_TMP/sim.port")"

	# The broker, as test_ssh_broker.sh runs it: its own user, its access
	# store and owners, the tickets the key command writes.
	ssh_user "$BROKER_USER"
	ssh_user "$SSH_USER"
	BROKER_DIR=$SSH_DIR/broker
	BROKER_STATE=$SSH_DIR/bstate
	TICKETS=$SSH_DIR/tickets
	BROKER_CONF=$SSH_DIR/broker.conf
	BROKER_ERR=$SSH_DIR/broker.stderr
	BROKER_BIN=$SSH_DIR/broker-bin/behalf
	BROKER_SOCK=$BROKER_DIR/broker.sock
	mkdir -p "$BROKER_DIR" "$BROKER_STATE" "$TICKETS" "$SSH_DIR/broker-bin"
	cp "$BEHALF_BIN" "$BROKER_BIN"
	chown "$BROKER_USER:$SSH_USER" "$BROKER_DIR"
	chmod 0750 "$BROKER_DIR"
	chown "$BROKER_USER:$BROKER_USER" "$BROKER_STATE"
	chmod 0700 "$BROKER_STATE"
	ssh_user "$SSH_KEYS_USER"
	chown "$SSH_KEYS_USER:$BROKER_USER" "$TICKETS"
	chmod 2770 "$TICKETS"
	cat >"$BROKER_CONF" <<EOF
[behalf]
state_dir = $BROKER_STATE
[postmark]
api_url = $SIM_URL
account_token = $LIVE_TOKEN
timeout_ms = 5000
retry_base_ms = 10
[broker]
socket = $BROKER_SOCK
state_dir = $BROKER_STATE/owners
group = $SSH_USER
allow_users = $SSH_USER
tickets = $TICKETS
EOF
	chown "$BROKER_USER:" "$BROKER_CONF"
	chmod 600 "$BROKER_CONF"
	: >"$BROKER_ERR"
	"${SSH_REAP[@]}" setpriv --reuid="$BROKER_USER" --regid="$BROKER_USER" \
		--groups="$(id -g "$SSH_USER")" -- "$BROKER_BIN" broker --config "$BROKER_CONF" \
		</dev/null 2>>"$BROKER_ERR" &
	BROKER_PID=$!
	SSH_PIDS+=("$BROKER_PID")
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		[ -S "$BROKER_SOCK" ] && break
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -S "$BROKER_SOCK" ] || e2e_fail "the broker did not listen: $(cat "$BROKER_ERR")"

	# The sessions' config: live, the ESP through the broker, no token.
	SSH_DEMO=no
	SSH_CONF_LINES=(
		"[dns]" "resolvers = $LIVE_DNS" "authoritative = ns1.customer.example=$LIVE_DNS"
		"[postmark]" "signature_note = Hello from the bench: please click the link."
		"[esp]" "broker = $BROKER_SOCK"
		"[broker]" "tickets = $TICKETS"
	)
}
