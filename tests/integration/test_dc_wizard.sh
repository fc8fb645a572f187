#!/usr/bin/env bash
# One-click DNS, end to end (issue 12): the wizard, live in tmux, against
# the Postmark simulator, a real Knot and the local Domain Connect provider
# (HTTPS, a throwaway certificate).  The vendor's key pair and template come
# from behalf's own `domainconnect keygen` and `template`; the public key is
# published in Knot, the template handed to the provider.  The records
# screen offers "Let Local DNS Test Host add these records"; `a` shows the
# signed link as an OSC 8 hyperlink, as plain text and (r) as a QR code;
# the test opens the link as the customer's browser would (curl), the
# provider verifies the signature against the key it reads from Knot and
# writes the records into Knot with knsupdate, and the wizard, which only
# polls DNS, reaches "All set!": no record typed by anyone.
set -euo pipefail
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"
# shellcheck source=dclib.sh
. "$(dirname "$0")/dclib.sh"
command -v zbarimg >/dev/null || e2e_fail "zbarimg not installed"

P_ADDR=$(dns_addr 5)
dc_cert "$P_ADDR"

# The vendor, once: the key pair and the template, by behalf itself.
DC_CONF=$DNS_TMP/dc.conf
DC_LINES=(
	"[domainconnect]"
	"provider_id = vendor.example"
	"private_key_file = $DNS_TMP/dc.pem"
	"sync_pubkey_domain = keys.vendor.example"
	"allow_loopback = yes"
	"ca_file = $DC_CERT"
)
printf '%s\n' "${DC_LINES[@]}" >"$DC_CONF"
dc_vendor "$DC_CONF" "$DNS_TMP"

live_setup
dc_provider_start p1 "$P_ADDR" --supported vendor.example/postmark --template "$DC_TEMPLATE" \
	--dns "$LIVE_DNS"
# The customer's zone says where its DNS host's Domain Connect settings are.
dc_point p1
live_config "${DC_LINES[@]}"
# Everything the terminal is sent, raw: the OSC 8 hyperlink is not on screen.
RAW=$DNS_TMP/pane.raw
live_start
e2e_tmux pipe-pane -o -t e2e "cat >>$(printf '%q' "$RAW")"
live_opt1_to_records

# The offer, once discovery and signing are done; the footer says the key.
live_wait "Let Local DNS Test Host add these records for you, in one click: press a."
e2e_assert_screen "a one click"
e2e_assert_screen "Not found yet"
# The audit log says what discovery found (support: "why no one-click?").
grep '"domainconnect-offered"' "$E2E_STATE/audit.jsonl" | grep -q '"Local DNS Test Host"' ||
	e2e_fail "no domainconnect-offered in the audit log"
grep -q "GET /v2/$DNS_ZONE/settings" "$(dc_log p1)" || e2e_fail "no settings request"
grep -q "GET /v2/domainTemplates/providers/vendor.example/services/postmark\$" "$(dc_log p1)" ||
	e2e_fail "no template check"

# The page: the link whole on its own line (wrapped by the terminal only).
e2e_keys a
live_wait "Set up automatically at Local DNS Test Host"
e2e_assert_screen "Set up $DNS_ZONE at Local DNS Test Host"
URL=$(e2e_screen | awk '/^https:\/\//{on=1} on && /^$/{exit} on{printf "%s", $0}')
BASE="https://$P_ADDR:$DCP_P1_PORT/v2/domainTemplates/providers/vendor.example/services/postmark/apply?"
case $URL in "$BASE"*) ;; *) e2e_fail "the link on the page: $URL" ;; esac
Q=${URL#"$BASE"}
# Exactly the template's variables, escaped as the spec says (jq's @uri
# escapes the same unreserved set), then sig and key.
value=$(jq -rn --arg s "$(sim_jq '.Domains[0].DKIMPendingTextValue')" '$s | @uri')
want="domain=$DNS_ZONE&host=&dkimselector=$LIVE_SELECTOR&dkimvalue=$value&returnpathvalue=pm.mtasv.net"
e2e_equal "the signed query" "$want" "${Q%%&sig=*}"
grep -q "&sig=[A-Za-z0-9%]*&key=_dck1\$" <<<"$Q" || e2e_fail "sig and key: $Q"
# The instruction sheet for whoever runs the DNS carries the same link
# (once the session has saved the offer: it saves within half a second).
e2e_wait_saved "$E2E_STATE/$LIVE_CUSTOMER.json" .domain_connect.kind apply
"$BEHALF_BIN" export --config "$LIVE_CONF" --state-dir "$E2E_STATE" --customer "$LIVE_CUSTOMER" \
	--format md >"$DNS_TMP/sheet.md"
grep -qxF "<$URL>" "$DNS_TMP/sheet.md" || e2e_fail "the exported sheet lacks the link: $(cat "$DNS_TMP/sheet.md")"
# behalf status says so (JSON valid against its schema, and in words).
"$BEHALF_BIN" status --config "$LIVE_CONF" --state-dir "$E2E_STATE" --customer "$LIVE_CUSTOMER" \
	--json >"$DNS_TMP/status.json"
python3 "$BEHALF_SOURCE_DIR/tests/integration/validate_json.py" \
	"$BEHALF_SOURCE_DIR/docs/status.schema.json" "$DNS_TMP/status.json" ||
	e2e_fail "behalf status --json does not match its schema"
e2e_equal "status: the offer" "apply Local DNS Test Host false" \
	"$(jq -r '.domain_connect | "\(.kind) \(.provider) \(.demo)"' "$DNS_TMP/status.json")"
e2e_equal "status: the link" "$URL" "$(jq -r .domain_connect.url "$DNS_TMP/status.json")"
"$BEHALF_BIN" status --config "$LIVE_CONF" --state-dir "$E2E_STATE" --customer "$LIVE_CUSTOMER" |
	grep -q "One click *one click offered at Local DNS Test Host" ||
	e2e_fail "behalf status does not say the offer"
# The OSC 8 hyperlink carries the same URL.
e2e_wait_osc8() {
	local i
	for ((i = 0; i < E2E_TIMEOUT * 10; i++)); do
		grep -aqF $'\e]8;;'"$URL"$'\e\\' "$RAW" && return 0
		sleep 0.1
	done
	e2e_fail "no OSC 8 hyperlink to the URL in what the terminal was sent"
}
e2e_wait_osc8

# The QR code (r), once the window is large enough: it holds the URL.
e2e_keys r
live_wait "The QR code needs a window of at least"
e2e_resize 120 60
e2e_wait "Scan to set up $DNS_ZONE at Local DNS Test Host on your phone"
e2e_wait "████"
e2e_screen >"$DNS_TMP/qr.txt"
python3 "$BEHALF_SOURCE_DIR/tests/integration/qr_to_pgm.py" "$DNS_TMP/qr.txt" "$DNS_TMP/qr.pgm"
scanned=$(zbarimg -q --raw "$DNS_TMP/qr.pgm" 2>/dev/null)
e2e_equal "the QR code's text" "$URL" "$scanned"
e2e_keys Escape
e2e_wait "Set up $DNS_ZONE at Local DNS Test Host"
e2e_resize 80 24

# Nothing is in DNS yet; the customer opens the link and approves.
[ "$(kdig @"${LIVE_DNS%:*}" -p "${LIVE_DNS#*:}" +short +norec "pm-bounces.$DNS_ZONE" CNAME)" = "" ] ||
	e2e_fail "the Return-Path is in DNS before the approval"
code=$(curl -s --cacert "$DC_CERT" --max-time 30 -o "$DNS_TMP/apply.body" -w '%{http_code}' "$URL")
[ "$code" = 200 ] || e2e_fail "the provider refused the wizard's link: HTTP $code $(cat "$DNS_TMP/apply.body")"
grep -q "APPLY ok $DNS_ZONE" "$(dc_log p1)" || e2e_fail "the provider did not apply"

# The page closes by itself once DNS has the records; the wizard finishes
# when Postmark confirms them, as always.
live_wait "All set!" 90
e2e_refute_screen "Set up automatically"
# Done: nothing is offered any more.
"$BEHALF_BIN" status --config "$LIVE_CONF" --state-dir "$E2E_STATE" --customer "$LIVE_CUSTOMER" \
	--json | jq -e '.domain_connect == null' >/dev/null || e2e_fail "status still offers one click"

# The same link changed by one byte is refused, and nothing changes.
BAD=${URL/pm.mtasv.net/evil.example}
code=$(curl -s --cacert "$DC_CERT" --max-time 30 -o "$DNS_TMP/bad.body" -w '%{http_code}' "$BAD")
[ "$code" = 400 ] || e2e_fail "a changed link: HTTP $code"
grep -q 'signature%20does%20not%20verify' "$DNS_TMP/bad.body" || e2e_fail "the refusal: $(cat "$DNS_TMP/bad.body")"

# ---- A subdomain: the zone apex is what the DNS check found, host= the
# labels under it; the provider writes the records under the subdomain.
SUB=mail.$DNS_ZONE
LIVE_CUSTOMER=second-customer
live_start
live_opt1_subdomain "$SUB"
live_wait "Let Local DNS Test Host add these records for you, in one click: press a."
e2e_keys a
e2e_wait "Set up $SUB at Local DNS Test Host"
URL=$(e2e_screen | awk '/^https:\/\//{on=1} on && /^$/{exit} on{printf "%s", $0}')
Q=${URL#"$BASE"}
value=$(jq -rn --arg s "$(sim_jq ".Domains[] | select(.Name == \"$SUB\") | .DKIMPendingTextValue")" '$s | @uri')
want="domain=$DNS_ZONE&host=mail&dkimselector=$LIVE_SELECTOR&dkimvalue=$value&returnpathvalue=pm.mtasv.net"
e2e_equal "the subdomain's signed query" "$want" "${Q%%&sig=*}"
# Discovery waited for the zone apex: nothing was asked at the subdomain
# (the audit log would say "not offered" first).
if grep '"second-customer"' "$E2E_STATE/audit.jsonl" | grep -q '"domainconnect-not-offered"'; then
	e2e_fail "discovery ran before the zone apex was known: $(grep domainconnect "$E2E_STATE/audit.jsonl")"
fi
code=$(curl -s --cacert "$DC_CERT" --max-time 30 -o "$DNS_TMP/apply.body" -w '%{http_code}' "$URL")
[ "$code" = 200 ] || e2e_fail "the subdomain's link: HTTP $code $(cat "$DNS_TMP/apply.body")"
live_wait "All set!" 90
[ "$(kdig @"${LIVE_DNS%:*}" -p "${LIVE_DNS#*:}" +short +norec "pm-bounces.$SUB" CNAME)" = "pm.mtasv.net." ] ||
	e2e_fail "the Return-Path is not under the subdomain"

# ---- A DNS host that has not imported the vendor's template (404): its
# control panel only, with the zone filled in; nothing signed.
dc_provider_start p2 "$P_ADDR" --supported other.example/mail
dc_point p2
LIVE_CUSTOMER=third-customer
live_start
live_opt1_subdomain "news.$DNS_ZONE"
live_wait "Your DNS settings at Local DNS Test Host are one link away: press a."
e2e_assert_screen "a DNS host  v copy"
grep -q "GET /v2/domainTemplates/providers/vendor.example/services/postmark\$" "$(dc_log p2)" ||
	e2e_fail "p2 was not asked for the template"
grep '"domainconnect-control-panel"' "$E2E_STATE/audit.jsonl" | grep -q 'template not supported' ||
	e2e_fail "the audit log does not say why only the control panel"
e2e_keys a
live_wait "Your DNS settings at Local DNS Test Host"
e2e_assert_screen "https://$P_ADDR:$DCP_P2_PORT/panel/$DNS_ZONE"
e2e_refute_screen "sig="
e2e_keys Escape
e2e_wait "one link away"
e2e_pass
