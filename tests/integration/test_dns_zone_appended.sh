#!/usr/bin/env bash
# zone-appended: the DNS host added the zone to the name a second time: the
# key sits at <name>.customer.example.customer.example.
. "$(dirname "$0")/dnslib.sh"

# No trailing dot: the zone file appends the origin, as such hosts do.
dns_one_knot <<EOF
$DKIM_NAME TXT $DKIM_ZONE_TXT
EOF
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME.$DNS_ZONE" TXT 'k=rsa'
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 1 "the record is not at its name"
jq_expect '.verified == false' '"verified": false'
expect_status "$DKIM_NAME" missing
expect_diag "$DKIM_NAME" zone-appended
expect_fix_contains "$DKIM_NAME" zone-appended "$DKIM_SELECTOR._domainkey"
expect_no_diag "$DKIM_NAME" wrong-label
pass
