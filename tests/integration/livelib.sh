# shellcheck shell=bash
# shellcheck disable=SC2119,SC2120
# Harness for the live end-to-end tests (tests/integration/test_live_*.sh):
# the real binary in live mode (no --demo) inside a private tmux server,
# talking to the Postmark simulator (tests/postmark_sim/postmark_sim.py) and
# to a real Knot DNS server, everything on loopback.  Combines dnslib.sh
# (Knot, the test's own 127.A.B.0/24, DNS_TMP) and tests/e2e/lib.sh (tmux,
# e2e_wait, e2e_keys, sanitizer reports); every process started here is
# stopped on exit.  Source this file, then:
#
#   live_setup [sim options...]     Knot "k1" serving $DNS_ZONE (no records
#                                   but SOA/NS) at dns_addr 1, the simulator
#                                   (--dns-server that Knot, --fake-time
#                                   $LIVE_SIM_TIME, --account-token
#                                   $LIVE_TOKEN) and the config file $LIVE_CONF
#   live_start [behalf args...]     behalf --config $LIVE_CONF --customer
#                                   $LIVE_CUSTOMER --state-dir $E2E_STATE in
#                                   tmux (stderr appended to $LIVE_STDERR)
#   live_cap NAME                   saves the screen to $LIVE_SCREENS/NNN-NAME
#   sim_get WHAT / sim_post WHAT JSON / sim_delete WHAT   control API
#   sim_jq FILTER                   jq -r FILTER on /__control/state
#   sim_requests_jq FILTER          jq -r FILTER on /__control/requests
#   sim_wait_jq FILTER DESC [S]     polls the state until FILTER is true
#   sim_fault JSON                  adds a fault
#   live_opt1_subdomain DOMAIN      the same to the records of a subdomain
#   live_dkim_value_on_screen       the Value of the details panel, joined
#
# Timeouts are generous (E2E_TIMEOUT, default 30 s here: the sanitized build
# is slow); nothing waits a fixed time for correctness.
set -euo pipefail

LIVE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${BEHALF_SOURCE_DIR:=$(cd "$LIVE_DIR/../.." && pwd)}"
: "${E2E_TIMEOUT:=30}"
export E2E_TIMEOUT
# shellcheck source=dnslib.sh
. "$LIVE_DIR/dnslib.sh"
# shellcheck source=../e2e/lib.sh
. "$BEHALF_SOURCE_DIR/tests/e2e/lib.sh"
# lib.sh is for the demo: live mode runs on the real clock and no sandbox.
unset BEHALF_FAKE_TIME BEHALF_DEMO_DNS_MS BEHALF_DEMO_ESP_MS
# Never a token from the caller's environment or a config file of theirs.
unset POSTMARK_ACCOUNT_TOKEN POSTMARK_SERVER_TOKEN POSTMARK_API_URL
export XDG_CONFIG_HOME="$E2E_TMP/xdg-config" XDG_STATE_HOME="$E2E_TMP/xdg-state"

# Both libraries trap EXIT; one cleanup runs both, keeping the status.  The
# status goes to dns_cleanup as an argument: "(exit $rc)" would end the
# trap right there under set -e when the test failed, leaving the
# simulator running.
live_cleanup() {
	local rc=$?
	e2e_cleanup || true
	dns_cleanup "$rc"
}
trap live_cleanup EXIT

LIVE_TOKEN=${LIVE_TOKEN:-sim-account-token}
LIVE_CUSTOMER=${LIVE_CUSTOMER:-acme}
LIVE_SIM_TIME=1798761600 # 2027-01-01 00:00:00 UTC: DKIM selector 20270101000000pm
LIVE_SELECTOR=20270101000000pm
LIVE_CONF="$E2E_TMP/behalf.conf"
LIVE_STDERR="$E2E_TMP/behalf.stderr"
LIVE_SCREENS="$E2E_TMP/screens"
LIVE_NOTE="Hello from Acme Help Desk: please click the link so we can send as you."
mkdir -p "$LIVE_SCREENS"
: >"$LIVE_STDERR"

# live_setup [simulator options...]
live_setup() {
	local addr port i
	addr=$(dns_addr 1)
	port=$(dns_free_port "$addr")
	knot_zone k1 "$DNS_ZONE" "ns1=$addr" </dev/null
	knot_start k1 "$addr" "$port"
	LIVE_DNS="$addr:$port"
	# With a parent-death signal: it must not outlive a test killed outright.
	"${DNS_REAP[@]}" "$DNS_PY" "$BEHALF_SOURCE_DIR/tests/postmark_sim/postmark_sim.py" --port 0 \
		--port-file "$DNS_TMP/sim.port" --dns-server "$LIVE_DNS" \
		--fake-time "$LIVE_SIM_TIME" --account-token "$LIVE_TOKEN" "$@" \
		>"$DNS_TMP/sim.log" 2>&1 &
	DNS_PIDS+=($!)
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		[ -s "$DNS_TMP/sim.port" ] && break
		sleep 0.05
	done
	[ -s "$DNS_TMP/sim.port" ] || e2e_fail "the simulator did not start: $(cat "$DNS_TMP/sim.log")"
	SIM_URL="http://127.0.0.1:$(cat "$DNS_TMP/sim.port")"
	live_config
}

# live_config [extra lines...]: (re)writes $LIVE_CONF, mode 600.
live_config() {
	local line
	{
		printf '[dns]\nresolvers = %s\nauthoritative = ns1.%s=%s\n' \
			"$LIVE_DNS" "$DNS_ZONE" "$LIVE_DNS"
		printf '[postmark]\nsignature_note = %s\n' "$LIVE_NOTE"
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$LIVE_CONF"
	chmod 600 "$LIVE_CONF"
}

# live_start [behalf args...]: the wizard, live, in tmux (a restart reuses
# the pane).  LIVE_ENV: extra "NAME=value ..." (default: the API URL and the
# account token in the environment).
live_start() {
	local cmd envs
	envs=${LIVE_ENV-POSTMARK_API_URL=$SIM_URL POSTMARK_ACCOUNT_TOKEN=$LIVE_TOKEN}
	cmd="env TERM=xterm-256color $envs $(printf '%q ' "$BEHALF_BIN" --config "$LIVE_CONF" \
		--customer "$LIVE_CUSTOMER" --state-dir "$E2E_STATE" "$@") 2>>$(printf '%q' "$LIVE_STDERR")"
	if e2e_tmux has-session -t e2e 2>/dev/null; then
		e2e_end_running # the old one lets go of the customer's lock first
		e2e_tmux respawn-pane -k -t e2e \
			"printf '\\033[H\\033[2J'; $cmd; echo \"[behalf exited \$?]\"; sleep 600"
	else
		e2e_tmux new-session -d -s e2e -x 80 -y 24 \
			"$cmd; echo \"[behalf exited \$?]\"; sleep 600"
		e2e_guard
	fi
}

LIVE_NCAP=0
# live_cap NAME: keeps the screen as it is now (the secrets test greps them all).
live_cap() {
	LIVE_NCAP=$((LIVE_NCAP + 1))
	e2e_screen >"$LIVE_SCREENS/$(printf '%03d' "$LIVE_NCAP")-$1.txt"
	e2e_screen_sgr >"$LIVE_SCREENS/$(printf '%03d' "$LIVE_NCAP")-$1.sgr"
}

# live_wait TEXT [TIMEOUT]: e2e_wait, then a capture named after the text.
live_wait() {
	e2e_wait "$@"
	live_cap "$(tr -c 'A-Za-z0-9' '_' <<<"${1:0:30}")"
}

# mem_holds PID TEXT...: true when the readable memory of PID holds one of
# the TEXTs; mem_holds_hex PID HEX...: the same for byte strings in hex
# (tests/integration/memscan.py).  The caller checks that the scan finds
# what is there (a control) before trusting that it finds nothing.
mem_holds() { "$DNS_PY" "$LIVE_DIR/memscan.py" "$@"; }
mem_holds_hex() { "$DNS_PY" "$LIVE_DIR/memscan.py" "$1" --hex "${@:2}"; }

sim_get() { curl -sS --max-time 10 "$SIM_URL/__control/$1"; }
sim_post() { curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' -d "$2" "$SIM_URL/__control/$1"; }
sim_delete() { curl -sS --max-time 10 -X DELETE "$SIM_URL/__control/$1"; }
sim_jq() { sim_get state | jq -r "$1"; }
sim_requests_jq() { sim_get requests | jq -r "$1"; }
sim_fault() { sim_post faults "$1" >/dev/null; }

# sim_wait_jq FILTER DESCRIPTION [TIMEOUT]: until jq -e FILTER holds on the
# simulator's state.
sim_wait_jq() {
	local filter=$1 desc=$2 limit=${3:-$E2E_TIMEOUT} i=0
	while ((i < limit * 20)); do
		if sim_get state | jq -e "$filter" >/dev/null 2>&1; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "---- simulator state ----" >&2
	sim_get state | jq -c . >&2 || true
	e2e_screen >&2
	e2e_fail "waited ${limit}s for the simulator: $desc"
}

# sim_wait_requests FILTER DESCRIPTION [TIMEOUT]: until jq -e FILTER holds on
# the simulator's request log.
sim_wait_requests() {
	local filter=$1 desc=$2 limit=${3:-$E2E_TIMEOUT} i=0
	while ((i < limit * 20)); do
		if sim_get requests | jq -e "$filter" >/dev/null 2>&1; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	sim_get requests | jq -c '.[] | [.Method, .Path]' >&2 || true
	e2e_screen >&2
	e2e_fail "waited ${limit}s for the simulator's requests: $desc"
}

# live_dkim_value_on_screen: the "Value" of the records screen's details
# panel, its wrapped lines joined.
live_dkim_value_on_screen() {
	e2e_screen | awk '
		/^   Value / { on = 1; sub(/^   Value +/, ""); v = $0; next }
		on && /^           [^ ]/ { sub(/^ +/, ""); v = v $0; next }
		on { exit }
		END { gsub(/ +$/, "", v); print v }'
}

# live_opt1_to_records: welcome -> 1 -> the domain -> the records screen.
live_opt1_to_records() {
	live_opt1_submit
	live_wait "$LIVE_SELECTOR._domainkey"
}

# live_opt1_submit: welcome -> 1 -> types the domain -> Enter (no wait after).
live_opt1_submit() {
	e2e_wait "Press Enter to start."
	live_cap welcome
	e2e_keys Enter
	e2e_wait "How should your emails be sent?"
	e2e_keys 1
	e2e_wait "Which domain do your emails come from?"
	e2e_type "$DNS_ZONE"
	e2e_wait "Domain $DNS_ZONE"
	e2e_keys Enter
}

# live_opt1_subdomain DOMAIN: welcome -> 1 -> a subdomain, kept when the
# wizard asks whether its parent was meant -> the records screen.
live_opt1_subdomain() {
	e2e_to_domain "$1"
	e2e_keys Enter
	e2e_wait "This is a subdomain"
	e2e_keys Enter
	e2e_wait "Add these records to the DNS of $1."
}

# live_publish_correct: the DKIM record (as Postmark handed it out, split in
# two character-strings) and the Return-Path CNAME, at Knot.
live_publish_correct() {
	local host value
	host=$(sim_jq '.Domains[0].DKIMPendingHost')
	value=$(sim_jq '.Domains[0].DKIMPendingTextValue')
	knot_update k1 "$DNS_ZONE" <<EOF
add $host. 300 TXT "${value:0:100}" "${value:100}"
add pm-bounces.$DNS_ZONE. 300 CNAME pm.mtasv.net.
EOF
}
