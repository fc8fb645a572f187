#!/usr/bin/env bash
# cname-target-mismatch: the return-path CNAME points at another ESP.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$RP_NAME. CNAME bounces.other-esp.example.
EOF
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
check_json
expect_rc 1 "a CNAME to elsewhere"
expect_status "$RP_NAME" mismatch
expect_diag "$RP_NAME" cname-target-mismatch
expect_fix_contains "$RP_NAME" cname-target-mismatch "$RP_TARGET"
jq_expect "$DNS_JQ_REC rec(\$n).nameservers[0].answer | tostring | ascii_downcase | contains(\"bounces.other-esp.example\")" \
	'the answer shows the wrong target' --arg n "$RP_NAME"
pass
