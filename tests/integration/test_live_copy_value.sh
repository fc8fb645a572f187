#!/usr/bin/env bash
# Copying the DKIM value, live: the customer selects it with the mouse on
# the records screen, where it is wrapped over indented rows, and the DNS
# host keeps what the selection picked up (line breaks and indentation).
# The records screen says so (value-whitespace) with the fix; Postmark is
# not asked to verify.  Then the customer opens the one-record view (v),
# takes the value from its one line (what a triple-click selects: tmux's
# capture joined at the terminal's own wraps), publishes that, and the
# wizard reaches "All set!".
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
live_start
live_opt1_to_records
host=$(sim_jq '.Domains[0].DKIMPendingHost')
value=$(sim_jq '.Domains[0].DKIMPendingTextValue')
e2e_wait "Name    $LIVE_SELECTOR._domainkey"

# The value's rows as the screen shows them, and what a mouse selection
# from its first to its last character copies: the rows joined by a line
# break and the indentation of the next row.
mapfile -t rows < <(e2e_screen | awk '
	/^   Value / { on = 1; sub(/^   Value +/, ""); sub(/ +$/, ""); print; next }
	on && /^           [^ ]/ { sub(/^ +/, ""); sub(/ +$/, ""); print; next }
	on { exit }')
((${#rows[@]} >= 3)) || e2e_fail "the value is not wrapped over rows: ${rows[*]}"
e2e_equal "the rows are the value" "$value" "$(printf '%s' "${rows[@]}")"
indent='           '
first="${rows[0]}" rest=""
for ((i = 1; i < ${#rows[@]}; i++)); do
	if ((i < 2)); then first+="\\010$indent${rows[i]}"; else rest+="\\010$indent${rows[i]}"; fi
done
knot_update k1 "$DNS_ZONE" <<EOU
add $host. 300 TXT "$first" "$rest"
add pm-bounces.$DNS_ZONE. 300 CNAME pm.mtasv.net.
EOU
live_wait "has line breaks, runs of"
e2e_assert_screen "copied from a wrapped screen"
e2e_assert_screen "✗ Needs a fix"
e2e_equal "no verify asked of Postmark while the key is broken" 0 \
	"$(sim_requests_jq '[.[] | select(.Path | test("verifydkim"; "i"))] | length')"

# The one-record view: the value on one line; published as it is, it works.
e2e_keys v
e2e_wait "Triple-click a line"
line=$(e2e_tmux capture-pane -p -J -t e2e | grep -m1 '^k=rsa')
e2e_equal "the view's line is the value" "$value" "$line"
e2e_keys Escape
e2e_wait "Name    $LIVE_SELECTOR._domainkey"
knot_update k1 "$DNS_ZONE" <<EOU
del $host. TXT
add $host. 300 TXT "${line:0:200}" "${line:200}"
EOU
live_wait "All set!"
e2e_equal "DKIM verified at Postmark" true "$(sim_jq '.Domains[0].DKIMVerified')"
e2e_pass
