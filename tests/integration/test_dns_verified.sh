#!/usr/bin/env bash
# Every record published right, at a real Knot: exit 0, "verified": true.
# The DKIM key is served as two character-strings (joined before comparing),
# the CNAME target in capitals with a trailing dot (case and dot ignored).
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
$RP_NAME. CNAME PM.MTASV.NET.
_dmarc TXT "v=DMARC1; p=none;"
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_add dmarc TXT "_dmarc.$DNS_ZONE" "v=DMARC1; p=none;" false
rec_write
check_json
expect_rc 0 "all required records verified"
jq_expect '.verified == true' '"verified": true'
jq_expect '.domain == "customer.example"' 'the domain'
jq_expect '.records | length == 3' 'three records'
expect_status "$DKIM_NAME" verified
expect_status "$RP_NAME" verified
expect_status "_dmarc.$DNS_ZONE" verified
jq_expect "$DNS_JQ_REC rec(\$n) | .purpose == \"dkim\" and .type == \"TXT\"" 'dkim purpose and type' --arg n "$DKIM_NAME"
jq_expect "$DNS_JQ_REC rec(\$n) | .purpose == \"return-path\" and .type == \"CNAME\"" 'return-path purpose and type' --arg n "$RP_NAME"
jq_expect "[.records[].diagnoses | length] | add == 0" 'no diagnosis at all'
# One server, asked at the address given, answered the right data.
jq_expect "$DNS_JQ_REC rec(\$n).nameservers | length == 1" 'one nameserver' --arg n "$DKIM_NAME"
expect_ns_status "$DKIM_NAME" "$KNOT_K1_ADDR" verified
jq_expect "$DNS_JQ_REC rec(\$n).nameservers[0].answer | tostring | contains(\$p)" \
	'the nameserver answer shows the joined key' --arg n "$DKIM_NAME" --arg p "${DKIM_P:150:100}"

# Without --json: a human-readable report, same exit status.
run_check --records "$RECORDS" "${AUTH[@]}"
expect_rc 0 "text output"
grep -qi verified "$CHECK_OUT" || fail "the text report does not say verified"
pass
