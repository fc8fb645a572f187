#!/usr/bin/env bash
# server-unreachable: one of the two authoritative servers is a UDP socket
# that never answers; the other has the key.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
EOF
sa=$(dns_addr 9)
silent_start s1 "$sa"
AUTH=(--authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT" --authoritative "$sa:$SILENT_S1_PORT"
	--resolver "$KNOT_K1_ADDR:$KNOT_K1_PORT")
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
[ "$CHECK_RC" -ne 2 ] && [ "$CHECK_RC" -ne 3 ] || fail "exit status $CHECK_RC: one server of two answered"
expect_diag "$DKIM_NAME" server-unreachable
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"server-unreachable\") | (.message + \" \" + .fix) | contains(\$a)] | any" \
	'server-unreachable names the silent server' --arg n "$DKIM_NAME" --arg a "$sa"
expect_ns_status "$DKIM_NAME" "$sa" error
expect_ns_status "$DKIM_NAME" "$KNOT_K1_ADDR" verified
echo "check took ${CHECK_MS} ms with one silent server"
pass
