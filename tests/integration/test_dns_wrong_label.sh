#!/usr/bin/env bash
# wrong-label: the key was published at the selector without _domainkey.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_SELECTOR TXT $DKIM_ZONE_TXT
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 1 "the record is at a wrong name"
expect_status "$DKIM_NAME" missing
expect_diag "$DKIM_NAME" wrong-label
expect_fix_contains "$DKIM_NAME" wrong-label "$DKIM_SELECTOR._domainkey"
expect_no_diag "$DKIM_NAME" zone-appended
pass
