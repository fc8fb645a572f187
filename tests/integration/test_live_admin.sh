#!/usr/bin/env bash
# behalf admin checks the DNS itself (issue 11, item 3: "live DNS status"):
# a live customer reaches the records screen (Postmark simulator, a real
# Knot) and leaves; with no session of theirs running, support opens them
# in admin, which asks Knot by itself: the zone-appended mistake published
# after the customer left shows up on admin's screen, then the fix, with
# admin's "DNS checked by admin" line; the customer's state file is never
# touched.  Then `behalf status --json` of the same customer validates
# against the schema with the ESP's real ids.
set -euo pipefail
# shellcheck disable=SC2119
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
live_start
live_opt1_to_records
e2e_wait "Not found yet"
e2e_end_running # the customer leaves: nothing of theirs runs from here on

state=$E2E_STATE/$LIVE_CUSTOMER.json
before=$(sha256sum <"$state")
stamp=$(stat -c %Y.%y "$state")

adm_screen() { e2e_tmux capture-pane -p -t adm; }
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
e2e_tmux new-session -d -s adm -x 80 -y 24 \
	"env TERM=xterm-256color $(printf '%q ' "$BEHALF_BIN" admin --config "$LIVE_CONF" --state-dir "$E2E_STATE") 2>>$(printf '%q' "$LIVE_STDERR"); echo '[admin exited]'; sleep 600"
adm_wait " $LIVE_CUSTOMER "
e2e_tmux send-keys -t adm Enter
adm_wait "Add these records to the DNS of $DNS_ZONE"
adm_wait "$LIVE_CUSTOMER: read-only, DNS checked by admin"
adm_wait "✗ Not found yet"

# Published after the customer left, with the zone appended: admin sees it.
host=$(sim_jq '.Domains[0].DKIMPendingHost')
value=$(sim_jq '.Domains[0].DKIMPendingTextValue')
knot_update k1 "$DNS_ZONE" <<EOU
add $host 300 TXT "${value:0:100}" "${value:100}"
EOU
adm_wait "added your domain to the name a second time"
adm_wait "type only $LIVE_SELECTOR._domainkey"

# Fixed: both records verified in admin's view.
knot_update k1 "$DNS_ZONE" <<EOU
del $host TXT
EOU
live_publish_correct
adm_wait "DKIM key     TXT   $LIVE_SELECTOR._domainkey"
i=0
until [ "$(adm_screen | grep -c '✓ Verified')" -ge 2 ]; do
	((i++ < E2E_TIMEOUT * 20)) || {
		adm_screen >&2
		e2e_fail "admin never showed both records verified"
	}
	sleep 0.05
done
e2e_tmux send-keys -t adm Escape Escape
adm_wait "[admin exited]"

# Admin never wrote: the file is the one the customer's session left.
[ "$(sha256sum <"$state")" = "$before" ] || e2e_fail "admin changed $state"
[ "$(stat -c %Y.%y "$state")" = "$stamp" ] || e2e_fail "admin touched $state"

# status --json: valid, with the ESP's own domain id.
"$BEHALF_BIN" status --config "$LIVE_CONF" --state-dir "$E2E_STATE" --customer "$LIVE_CUSTOMER" \
	--json >"$E2E_TMP/status.json"
python3 "$BEHALF_SOURCE_DIR/tests/integration/validate_json.py" \
	"$BEHALF_SOURCE_DIR/docs/status.schema.json" "$E2E_TMP/status.json" ||
	e2e_fail "status --json does not match docs/status.schema.json"
e2e_equal "the ESP's domain id" "$(sim_jq '.Domains[0].ID')" "$(jq -r .esp.domain_id "$E2E_TMP/status.json")"
e2e_equal "the domain" "$DNS_ZONE" "$(jq -r .domain "$E2E_TMP/status.json")"
e2e_equal "the DKIM record's name" "$host" \
	"$(jq -r '.records[] | select(.purpose == "dkim") | .name' "$E2E_TMP/status.json")"
if grep -q "$LIVE_TOKEN" "$E2E_TMP/status.json"; then e2e_fail "the token in status --json"; fi

e2e_pass
