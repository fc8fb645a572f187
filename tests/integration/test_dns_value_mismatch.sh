#!/usr/bin/env bash
# value-mismatch: an older key of the customer is still published at the
# DKIM name (right name, right type, other content); the return-path CNAME
# is right and stays verified.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_OLD_ZONE_TXT
$RP_NAME. CNAME $RP_TARGET.
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
check_json
expect_rc 1 "the old key is not the expected one"
expect_status "$DKIM_NAME" mismatch
expect_diag "$DKIM_NAME" value-mismatch
expect_no_diag "$DKIM_NAME" truncated-value
expect_status "$RP_NAME" verified
jq_expect "$DNS_JQ_REC rec(\$n).nameservers[0].answer | tostring | contains(\$p)" \
	'the answer shows the key that is there' --arg n "$DKIM_NAME" --arg p "${DKIM_OLD_P:0:40}"
pass
