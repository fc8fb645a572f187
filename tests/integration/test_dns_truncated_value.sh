#!/usr/bin/env bash
# truncated-value: the DNS host cut the key at 255 characters (the first
# character-string only).
. "$(dirname "$0")/dnslib.sh"

cut="k=rsa; p=$DKIM_P"
cut=${cut:0:255}
dns_one_knot <<EOF
$DKIM_NAME. TXT "$cut"
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 1 "a cut key is not verified"
expect_status "$DKIM_NAME" mismatch
expect_diag "$DKIM_NAME" truncated-value
expect_no_diag "$DKIM_NAME" value-mismatch
pass
