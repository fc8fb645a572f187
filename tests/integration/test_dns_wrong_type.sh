#!/usr/bin/env bash
# wrong-type, both ways: a CNAME where the DKIM TXT is expected, and a TXT
# record holding the return-path target where a CNAME is expected.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. CNAME dkim.other-esp.example.
$RP_NAME. TXT "$RP_TARGET"
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
check_json
expect_rc 1 "records of the wrong type"
expect_status "$DKIM_NAME" mismatch
expect_diag "$DKIM_NAME" wrong-type
expect_status "$RP_NAME" mismatch
expect_diag "$RP_NAME" wrong-type
pass
