#!/usr/bin/env bash
# cname-flattened: the DNS host proxies / flattens the CNAME, so the
# return-path name has A and AAAA records and no CNAME.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$RP_NAME. A 192.0.2.44
$RP_NAME. AAAA 2001:db8::44
EOF
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
check_json
expect_rc 1 "a flattened CNAME"
expect_status "$RP_NAME" mismatch
expect_diag "$RP_NAME" cname-flattened
expect_no_diag "$RP_NAME" cname-target-mismatch
pass
