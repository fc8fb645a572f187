#!/usr/bin/env bash
# dmarc-missing: DKIM and Return-Path are right, there is no _dmarc record:
# advice, not a blocker (exit 0).
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
$RP_NAME. CNAME $RP_TARGET.
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_add dmarc TXT "_dmarc.$DNS_ZONE" "v=DMARC1; p=none;" false
rec_write
check_json
expect_rc 0 "DMARC is not required"
jq_expect '.verified == true' '"verified": true (the required records are)'
expect_status "_dmarc.$DNS_ZONE" missing
jq_expect '[.records[].diagnoses[].code] | index("dmarc-missing") != null' 'a dmarc-missing diagnosis'
jq_expect '[.records[].diagnoses[] | select(.code == "dmarc-missing") | .fix | test("v=DMARC1"; "i")] | any' \
	'dmarc-missing suggests a starter record'
pass
