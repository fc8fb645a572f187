#!/usr/bin/env bash
# Domain Connect discovery against a real Knot (the _domainconnect TXT) and
# the local provider over HTTPS: offered with the provider's display name;
# the template unknown there (404): the control panel only; settings
# malformed, huge or slow: not offered, and the slow one does not hold up
# the others (they all run as sources of one loop and print as they end).
. "$(dirname "$0")/dclib.sh"

P_ADDR=$(dns_addr 5)
dc_cert "$P_ADDR"
dc_provider_start p1 "$P_ADDR" --supported vendor.example/postmark \
	--mode malformed.customer.example=malformed --mode huge.customer.example=huge \
	--mode slow.customer.example=slow --slow-seconds 8
K_ADDR=$(dns_addr 1)
knot_zone k1 "$DNS_ZONE" <<EOF
_domainconnect TXT "$P_ADDR:$DCP_P1_PORT"
EOF
knot_start k1 "$K_ADDR" "$(dns_free_port "$K_ADDR")"
AUTH=(--authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT")
CFG=$DNS_TMP/behalf.ini
dc_config "$CFG" yes

# Offered: the display name, the URLs, the control panel with %domain% filled.
run_discover "$DNS_ZONE" --json --config "$CFG" "${AUTH[@]}"
[ "$DISC_RC" -eq 0 ] || { cat "$DISC_OUT" "$DISC_ERR" >&2; fail "offered: exit $DISC_RC"; }
disc_expect "$DNS_ZONE" '.result == "offered"' 'offered'
disc_expect "$DNS_ZONE" '.providerDisplayName == "Local DNS Test Host"' 'the display name'
disc_expect "$DNS_ZONE" '.providerId == "localdns.test"' 'the providerId'
disc_expect "$DNS_ZONE" ".urlSyncUX == \"https://$P_ADDR:$DCP_P1_PORT\"" 'urlSyncUX'
disc_expect "$DNS_ZONE" ".urlControlPanel == \"https://$P_ADDR:$DCP_P1_PORT/panel/$DNS_ZONE\"" \
	'urlControlPanel with %domain% filled'
disc_expect "$DNS_ZONE" '.width == 750 and .height == 750' 'width and height'
grep -q "GET /v2/$DNS_ZONE/settings" "$(dc_log p1)" || fail "the provider saw no settings request"
grep -q "GET /v2/domainTemplates/providers/vendor.example/services/postmark\$" "$(dc_log p1)" ||
	fail "the provider saw no template check"
# Without --json: one sentence with the display name.
run_discover "$DNS_ZONE" --config "$CFG" "${AUTH[@]}"
grep -q "offered by Local DNS Test Host" "$DISC_OUT" || fail "the text output: $(cat "$DISC_OUT")"

# A template the provider does not know: 404, the control panel only.
run_discover "$DNS_ZONE" --json --config "$CFG" "${AUTH[@]}" --template other.example/mail
[ "$DISC_RC" -eq 1 ] || fail "control panel: exit $DISC_RC, wanted 1"
disc_expect "$DNS_ZONE" '.result == "control-panel"' 'control panel only on a 404'
disc_expect "$DNS_ZONE" '.reason == "template not supported"' 'the reason'
disc_expect "$DNS_ZONE" ".urlControlPanel == \"https://$P_ADDR:$DCP_P1_PORT/panel/$DNS_ZONE\"" \
	'the control panel link'

# Faults, all in one process and one loop: slow first on the command line.
S=slow.$DNS_ZONE M=malformed.$DNS_ZONE H=huge.$DNS_ZONE
run_discover "$S" "$M" "$H" "$DNS_ZONE" --zone "$DNS_ZONE" --json --config "$CFG" "${AUTH[@]}"
[ "$DISC_RC" -eq 1 ] || fail "faults: exit $DISC_RC, wanted 1"
disc_expect "$M" '.result == "not-offered" and (.reason | test("JSON"))' 'malformed: not offered'
disc_expect "$H" '.result == "not-offered" and (.reason | test("too large"))' 'huge: not offered'
disc_expect "$S" '.result == "not-offered" and (.reason | test("timed out"))' 'slow: not offered'
disc_expect "$DNS_ZONE" '.result == "offered"' 'the normal one beside the faults: offered'
# The slow one ends last: the others were not held up behind it.
[ "$(jq -r .domain "$DISC_OUT" | tail -n 1)" = "$S" ] ||
	{ cat "$DISC_OUT" >&2; fail "the slow discovery did not end last"; }
[ "$(jq -r .domain "$DISC_OUT" | head -n 3 | sort | tr '\n' ' ')" = "$DNS_ZONE $H $M " ] ||
	{ cat "$DISC_OUT" >&2; fail "the other three did not end first"; }
grep -q "GET /v2/$S/settings" "$(dc_log p1)" || fail "the slow request never reached the provider"

# No _domainconnect TXT at all: not offered, quietly.
run_discover other.example --json --config "$CFG" "${AUTH[@]}"
disc_expect other.example '.result == "not-offered" and .reason == "no _domainconnect TXT record"' \
	'no TXT: not offered'
pass
