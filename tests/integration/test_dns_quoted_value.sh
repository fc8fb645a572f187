#!/usr/bin/env bash
# quoted-value: the customer pasted the value with its quotes, so the TXT
# data itself starts and ends with a literal '"'.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT "\"k=rsa; p=${DKIM_P:0:200}" "${DKIM_P:200}\""
EOF
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME" TXT '\\"k=rsa'
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 1 "a quoted value is not verified"
expect_status "$DKIM_NAME" mismatch
expect_diag "$DKIM_NAME" quoted-value
expect_no_diag "$DKIM_NAME" value-mismatch
pass
