#!/usr/bin/env bash
# duplicate-records: the new key was added beside the old one: two TXT
# records at the DKIM name, so verifiers fail even though one is right.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
$DKIM_NAME. TXT $DKIM_OLD_ZONE_TXT
EOF
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME" TXT 'ANSWER: 2'
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 1 "two keys at one name are not verified"
expect_status "$DKIM_NAME" mismatch
expect_diag "$DKIM_NAME" duplicate-records
pass
