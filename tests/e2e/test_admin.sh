#!/usr/bin/env bash
# behalf admin, the support view (issue 11, item 3), beside a live session:
# the demo wizard runs in one tmux session, behalf admin in another on the
# same state directory.  The list shows the customer where the session is;
# typing filters; Enter opens the customer on the screen they see; what the
# live session changes (the zone-appended mistake, then done) shows up in
# admin without a key; d opens the records' details.  Admin never writes:
# with no session running, going through every key leaves every file of the
# state directory as it was.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

export XDG_CONFIG_HOME="$E2E_TMP/no-config"

adm_screen() { e2e_tmux capture-pane -p -t adm; }
# adm_wait TEXT: polls admin's screen until TEXT (fixed string) is on it.
adm_wait() {
	local i=0
	until adm_screen | grep -qF -- "$1"; do
		((i++ < E2E_TIMEOUT * 20)) || {
			adm_screen >&2
			e2e_fail "admin never showed: $1"
		}
		sleep 0.05
	done
}
adm_refute() {
	if adm_screen | grep -qF -- "$1"; then
		adm_screen >&2
		e2e_fail "admin shows: $1"
	fi
}
adm_keys() { e2e_tmux send-keys -t adm "$@"; }
adm_start() {
	e2e_tmux new-session -d -s adm -x 80 -y 24 \
		"env TERM=xterm-256color $(printf '%q ' "$BEHALF_BIN" admin --demo --state-dir "$E2E_STATE"); echo '[admin exited]'; sleep 600"
}

# A second customer, waiting for option 2's confirmation for two days.
cat >"$E2E_STATE/bob.json" <<'JSON'
{"schema": 3, "customer": "bob", "step": "confirm", "option": "address",
 "step_since_ms": 1798588800000,
 "address": {"normalized": "help@bob.example", "email": {"text": "help@bob.example", "cursor": 0}},
 "signature": {"exists": true, "id": "77", "email": "help@bob.example", "confirmed": false}}
JSON

e2e_start
e2e_to_domain "acme-example.com"
e2e_keys Enter
e2e_wait "pm-bounces                   pm.mtasv… ✗ Not found yet"

adm_start
adm_wait "2 customers, 1 stuck."
# stuck first (bob, 2 days unconfirmed), then demo
adm_wait " bob                 2   confirm    2d      -       unconfirmed STUCK"
adm_wait " demo                1   records    0s      0/2     missing"
[ "$(adm_screen | grep -n ' bob ' | cut -d: -f1)" -lt "$(adm_screen | grep -n ' demo ' | cut -d: -f1)" ] ||
	e2e_fail "bob (stuck) is not above demo"

# Typing filters; Enter opens the customer's own screen, read-only.
adm_keys -l "dem"
adm_wait "Filter: dem_"
adm_refute " bob "
adm_keys Enter
adm_wait "Add these records to the DNS of acme-example.com at GoDaddy."
adm_wait "demo: read-only"
adm_wait "✗ Not found yet"
# admin checks nothing itself in the demo: no countdown of its own, the
# session's count of checks
adm_wait "   Checks so far: "
adm_refute "Next check in"

# The live session moves on: admin shows it by itself.
e2e_keys n
e2e_wait "added your domain to the name a second time"
adm_wait "added your domain to the name a second time"
adm_wait "✗ Wrong name"
# d: the details of the record under the cursor, Esc closes them
adm_keys d
adm_wait "NS 1"
adm_keys Escape
adm_wait "added your domain to the name a second time"
e2e_keys n
e2e_wait "ns52.domaincontrol.com not yet."
e2e_keys n
e2e_wait "All set!"
adm_wait "Your domain acme-example.com is authenticated"
# Esc: back to the list, done now
adm_keys Escape
adm_wait " demo                1   done "
adm_keys Escape # the filter goes
adm_wait " bob "

# Read-only: with no session running, every key of admin leaves the files.
e2e_end_running
snapshot() { (cd "$E2E_STATE" && find . -type f -printf '%p %s %T@\n' | sort && cat -- *.json | sha256sum); }
snapshot >"$E2E_TMP/before"
adm_keys -l "bob"
adm_wait "Filter: bob_"
adm_keys Enter
adm_wait "bob: read-only"
adm_keys d Up Down Escape
adm_wait "bob                 2   confirm"
adm_keys Down Up Enter
adm_keys Escape Escape
adm_keys Escape
adm_wait "[admin exited]"
snapshot >"$E2E_TMP/after"
diff "$E2E_TMP/before" "$E2E_TMP/after" >&2 || e2e_fail "admin changed the state directory"

e2e_pass
