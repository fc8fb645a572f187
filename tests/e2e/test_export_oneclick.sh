#!/usr/bin/env bash
# The exported sheets carry the Domain Connect link (issue 12): after the
# demo's cloudflare story reached its records (where the one-click offer
# shows), the saved progress holds the offer, and `behalf export` (which
# reads only the saved state) prints the link, while the session runs and
# after it ended: Markdown as an autolink before the records, JSON as a
# domain_connect object.  A resumed demo of a story without Domain
# Connect drops it; once the records are in, the sheets drop it.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

state="$E2E_STATE/demo.json"
export XDG_CONFIG_HOME="$E2E_TMP/no-config" # no config of the machine's
UX=https://domainconnect.cloudflare.demo.example/v2/domainTemplates/providers/

sheet() { # sheet FORMAT: the demo customer's sheet on stdout
	"$BEHALF_BIN" export --state-dir "$E2E_STATE" --customer demo --format "$1"
}

# check_md: the Markdown sheet has the offer before the records, the link
# as an autolink on its own line, for this domain.
check_md() {
	local md
	md=$(sheet md)
	grep -qxF "## Quicker: let Cloudflare add them" <<<"$md" ||
		e2e_fail "export md has no one-click section: $md"
	grep -qE "^<${UX//./\\.}[^ <>]*/apply\?domain=customer\.example&[^ <>]*>$" <<<"$md" ||
		e2e_fail "export md has no link to apply at Cloudflare: $md"
	grep -qF "In this demo the link leads nowhere" <<<"$md" ||
		e2e_fail "export md does not say the demo's link is pretend"
	local offer records
	offer=$(grep -n "^## Quicker" <<<"$md" | cut -d: -f1)
	records=$(grep -n "^## DNS records to add" <<<"$md" | cut -d: -f1)
	((offer < records)) || e2e_fail "the offer is not before the records (lines $offer, $records)"
}

e2e_start --scenario cloudflare
e2e_to_domain customer.example
e2e_keys Enter
e2e_wait "Let Cloudflare add these records for you, in one click: press a."
e2e_wait_saved "$state" .domain_connect.kind apply
e2e_equal "saved offer's provider" Cloudflare "$(jq -r .domain_connect.provider "$state")"

# ---- while the session runs (export takes no lock) ----
check_md
json=$(sheet json)
e2e_equal "JSON domain_connect.kind" apply "$(jq -r .domain_connect.kind <<<"$json")"
e2e_equal "JSON domain_connect.provider" Cloudflare "$(jq -r .domain_connect.provider <<<"$json")"
e2e_equal "JSON domain_connect.url = the saved link" "$(jq -r .domain_connect.url "$state")" \
	"$(jq -r .domain_connect.url <<<"$json")"
e2e_equal "JSON records" 3 "$(jq '.records | length' <<<"$json")"

# ---- after the session ended ----
e2e_stop
check_md

# ---- resumed with a story without Domain Connect: the saved offer goes ----
e2e_start --scenario cf-by-hand
e2e_wait "Add these records to the DNS of customer.example at Cloudflare."
e2e_wait_saved "$state" .domain_connect.kind none
e2e_refute_screen "in one click"
if sheet md | grep -qF "Quicker"; then
	e2e_fail "the sheet offers the last story's link"
fi
e2e_stop

# ---- the cloudflare story again, and the customer approved: the records
# are in, no offer ----
e2e_start --scenario cloudflare
e2e_wait "Let Cloudflare add these records for you, in one click: press a."
e2e_keys n
e2e_wait "All set!"
e2e_wait_saved "$state" .step "done"
md=$(sheet md)
if grep -qF "Quicker" <<<"$md" || grep -qF "$UX" <<<"$md"; then
	e2e_fail "the sheet still offers the link once the records are in: $md"
fi
e2e_pass
