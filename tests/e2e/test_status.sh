#!/usr/bin/env bash
# behalf status and behalf list beside a live session (issue 11): the demo
# wizard runs in tmux and, while it runs (holding its lock), `status --json`
# says what the screen shows: the option, the step, the domain, the records
# by name, the diagnosis on screen, the demo ESP's domain id, then done;
# option 3's exact From header as the preview showed it.  Every JSON printed
# is validated against docs/status.schema.json / docs/list.schema.json by a
# real validator (python3-jsonschema).  The human output fits 80 columns.
# `list` on a directory with a corrupt and a foreign file names both and
# lists the customers all the same.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

SRC=${BEHALF_SOURCE_DIR:-$(cd "$BEHALF_E2E_DIR/../.." && pwd)}
VALIDATE=("python3" "$SRC/tests/integration/validate_json.py")
export XDG_CONFIG_HOME="$E2E_TMP/no-config" # the defaults, as the demo's session

status_json() { # CUSTOMER: status --json into $E2E_TMP/status.json
	"$BEHALF_BIN" status --customer "$1" --state-dir "$E2E_STATE" --json >"$E2E_TMP/status.json"
}
valid() { # SCHEMA FILE
	"${VALIDATE[@]}" "$SRC/docs/$1" "$2" || e2e_fail "$2 does not match docs/$1"
}
# wait_json CUSTOMER JQ-EXPR: polls status --json until the expression holds
# (the session saves within half a second of a change).
wait_json() {
	local i=0
	while :; do
		if status_json "$1" && jq -e "$2" "$E2E_TMP/status.json" >/dev/null 2>&1; then
			return 0
		fi
		((i++ < E2E_TIMEOUT * 20)) || {
			cat "$E2E_TMP/status.json" >&2
			e2e_fail "status --json of $1 never showed $2"
		}
		sleep 0.05
	done
}
jq_is() { # EXPR EXPECTED
	local got
	got=$(jq -r "$1" "$E2E_TMP/status.json")
	[ "$got" = "$2" ] || e2e_fail "status --json: $1 is \"$got\", not \"$2\""
}
fits_80() { # FILE
	local long
	long=$(awk '{ if (length($0) > 80) print }' "$1")
	[ -z "$long" ] || e2e_fail "wider than 80 columns: $long"
}

# The validator can fail: a document of another version is refused.
echo '{"version": 2}' >"$E2E_TMP/bad.json"
if "${VALIDATE[@]}" "$SRC/docs/status.schema.json" "$E2E_TMP/bad.json" 2>/dev/null; then
	e2e_fail "the schema accepted a document of version 2"
fi

# Unknown customer: a clear message and a non-zero exit.
if "$BEHALF_BIN" status --customer nobody --state-dir "$E2E_STATE" 2>"$E2E_TMP/err"; then
	e2e_fail "status of an unknown customer exited 0"
fi
grep -q 'no customer "nobody"' "$E2E_TMP/err" || e2e_fail "unknown customer: $(cat "$E2E_TMP/err")"

# Option 1 to the records, and the zone-appended mistake.
e2e_start
e2e_to_domain "acme-example.com"
e2e_keys Enter
e2e_wait "pm-bounces                   pm.mtasv… ✗ Not found yet"
e2e_keys n
e2e_wait "added your domain to the name a second time"
e2e_assert_screen "DKIM key     TXT   20270101000000pm._domainkey"

wait_json demo '.records[0].diagnoses | map(.code) | index("zone-appended") != null'
valid status.schema.json "$E2E_TMP/status.json"
jq_is .version 1
jq_is .option 1
jq_is .option_name domain
jq_is .step records
jq_is .done false
jq_is .domain acme-example.com
jq_is .holdup zone-appended
jq_is .step_since 2027-01-01T00:00:00Z # BEHALF_FAKE_TIME when the step began
jq_is '[.records[] | select(.required)] | length' 2
jq_is '[.records[] | select(.required | not) | .purpose] | join(",")' dmarc
jq_is '.records[0].purpose + " " + .records[0].type + " " + .records[0].name' \
	"dkim TXT 20270101000000pm._domainkey.acme-example.com"
jq_is '.records[0].status' missing
jq_is '.records[0].diagnoses[0].severity' fix
jq_is '.records[1].purpose + " " + .records[1].type + " " + .records[1].name' \
	"return-path CNAME pm-bounces.acme-example.com"
jq_is '.records[1].status' missing
# the ESP's id is the demo ESP's own, as its account file holds it
jq_is .esp.domain_id "$(jq -r '.Domains[0].ID' "$E2E_STATE/sandbox-account.json")"
jq_is .esp.signature_id null
grep -q '"tok\|token' "$E2E_TMP/status.json" && e2e_fail "a token in status --json"

# The text: 80 columns, the diagnosis named.
"$BEHALF_BIN" status --customer demo --state-dir "$E2E_STATE" >"$E2E_TMP/status.txt"
fits_80 "$E2E_TMP/status.txt"
grep -q "^Held up by    zone-appended" "$E2E_TMP/status.txt" || e2e_fail "status: $(cat "$E2E_TMP/status.txt")"
grep -q "20270101000000pm._domainkey.acme-example.com" "$E2E_TMP/status.txt" ||
	e2e_fail "status: no DKIM record name"

# A second customer stays there (a copy of this state, for the list).
sed 's/"customer": "demo"/"customer": "zed"/' "$E2E_STATE/demo.json" >"$E2E_STATE/zed.json"

# The customer comes back an hour later: still in the step entered then.
E2E_ENV="BEHALF_FAKE_TIME=$((BEHALF_FAKE_TIME + 3600))" e2e_start
e2e_wait "added your domain to the name a second time"
status_json demo
jq_is .step_since 2027-01-01T00:00:00Z

# The DNS fixed: done, a step entered an hour after the records.
e2e_keys n
e2e_wait "ns52.domaincontrol.com not yet."
e2e_keys n
e2e_wait "All set!"
wait_json demo '.done'
valid status.schema.json "$E2E_TMP/status.json"
jq_is .step done
jq_is .step_since 2027-01-01T01:00:00Z
jq_is .holdup null
jq_is '[.records[] | select(.required) | .status] | unique | join(",")' verified
jq_is '[.records[] | select(.required) | .esp_verified] | all' true

# Option 3 for another customer: the exact From header the preview showed.
E2E_ENV= e2e_start --customer ann
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 3
e2e_wait "Emails go out from our domain with your name on them."
e2e_type "Smith, Jane"
e2e_wait 'From: "Smith, Jane via Acme Help Desk" <notifications@acmehelp.example>'
wait_json ann '.from.display_name == "Smith, Jane via Acme Help Desk"'
valid status.schema.json "$E2E_TMP/status.json"
jq_is .from.header 'From: "Smith, Jane via Acme Help Desk" <notifications@acmehelp.example>'
jq_is .from.address notifications@acmehelp.example
jq_is .option 3
jq_is .step from-name
jq_is .domain null
jq_is '.records | length' 0
e2e_end_running

# list: both customers; a corrupt and a foreign file named, the rest listed.
printf '{"schema": 3, "customer": "broken", "step": ' >"$E2E_STATE/broken.json"
echo '{"name": "not a customer"}' >"$E2E_STATE/notes.json"
# a corrupt file whose bytes reach the message: no escape sequence gets through
printf '{"schema": 3, "customer": "evil", "step": \033[2J\033]0;pwned\007' >"$E2E_STATE/evil.json"
"$BEHALF_BIN" list --state-dir "$E2E_STATE" --json >"$E2E_TMP/list.json" 2>"$E2E_TMP/list.err" ||
	e2e_fail "list exited $?: $(cat "$E2E_TMP/list.err")"
valid list.schema.json "$E2E_TMP/list.json"
grep -q "skipped $E2E_STATE/broken.json: " "$E2E_TMP/list.err" || e2e_fail "list: $(cat "$E2E_TMP/list.err")"
grep -q "skipped $E2E_STATE/notes.json: " "$E2E_TMP/list.err" || e2e_fail "list: $(cat "$E2E_TMP/list.err")"
grep -q "skipped $E2E_STATE/evil.json: " "$E2E_TMP/list.err" || e2e_fail "list: $(cat "$E2E_TMP/list.err")"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$E2E_TMP/list.err"; then
	e2e_fail "list: a control character reached stderr: $(cat -v "$E2E_TMP/list.err")"
fi
[ "$(jq -r '[.skipped[].file | split("/") | last] | sort | join(",")' "$E2E_TMP/list.json")" = \
	"broken.json,evil.json,notes.json" ] || e2e_fail "list --json: skipped $(jq -c .skipped "$E2E_TMP/list.json")"
# zed has something to fix, ann is on the way, demo is done
[ "$(jq -r '[.customers[].customer] | join(",")' "$E2E_TMP/list.json")" = "zed,ann,demo" ] ||
	e2e_fail "list --json: $(jq -c .customers "$E2E_TMP/list.json")"
[ "$(jq -r '.customers[2].done' "$E2E_TMP/list.json")" = true ] || e2e_fail "demo not done"
[ "$(jq -r '.customers[0].holdup' "$E2E_TMP/list.json")" = zone-appended ] || e2e_fail "zed's holdup"
# Two days later zed is stuck (24 h by default); ann has nothing holding it up.
later=$((BEHALF_FAKE_TIME + 2 * 86400))
BEHALF_FAKE_TIME=$later "$BEHALF_BIN" list --state-dir "$E2E_STATE" --stuck --json 2>/dev/null |
	jq -e '[.customers[] | .customer + " " + (.stuck | tostring) + " " + (.age_in_step_s | tostring)] == ["zed true 172800"]' \
	>/dev/null || e2e_fail "list --stuck two days later"
BEHALF_FAKE_TIME=$later "$BEHALF_BIN" list --state-dir "$E2E_STATE" --stuck --json 2>/dev/null >"$E2E_TMP/stuck.json"
valid list.schema.json "$E2E_TMP/stuck.json"
# ... unless [status] stuck_after says three days.
mkdir -p "$E2E_TMP/cfg"
printf '[status]\nstuck_after = 3d\n' >"$E2E_TMP/cfg/behalf.conf"
BEHALF_FAKE_TIME=$later "$BEHALF_BIN" list --config "$E2E_TMP/cfg/behalf.conf" --state-dir "$E2E_STATE" \
	--stuck --json 2>/dev/null | jq -e '.customers == [] and .stuck_after_s == 259200' >/dev/null ||
	e2e_fail "list --stuck with stuck_after = 3d"
# --since: only the file changed within the last two hours.
touch -d "@$((later - 3600))" "$E2E_STATE/ann.json"
touch -d "@$((later - 3 * 3600))" "$E2E_STATE/zed.json" "$E2E_STATE/demo.json"
BEHALF_FAKE_TIME=$later "$BEHALF_BIN" list --state-dir "$E2E_STATE" --since 2h --json 2>/dev/null |
	jq -e '[.customers[].customer] == ["ann"]' >/dev/null || e2e_fail "list --since 2h"
"$BEHALF_BIN" list --state-dir "$E2E_STATE" --option 3 --json 2>/dev/null |
	jq -e '[.customers[].customer] == ["ann"]' >/dev/null || e2e_fail "list --option 3"
"$BEHALF_BIN" list --state-dir "$E2E_STATE" >"$E2E_TMP/list.txt" 2>/dev/null
fits_80 "$E2E_TMP/list.txt"
grep -q "^ann  *3   from-name " "$E2E_TMP/list.txt" || e2e_fail "list: $(cat "$E2E_TMP/list.txt")"
grep -q "^3 customers, 0 stuck" "$E2E_TMP/list.txt" || e2e_fail "list: $(cat "$E2E_TMP/list.txt")"

e2e_pass
