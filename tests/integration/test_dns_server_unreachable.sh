#!/usr/bin/env bash
# server-unreachable: of three authoritative servers, one is a UDP socket
# that never answers, one is a Knot that does not serve the zone (it
# answers REFUSED, what Knot does for a zone it does not have), and one
# has the key.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
EOF
sa=$(dns_addr 9)
silent_start s1 "$sa"
ra=$(dns_addr 10)
rp=$(dns_free_port "$ra")
knot_start refusing "$ra" "$rp"
out=$(dns_query "$ra" "$rp" "$DKIM_NAME" TXT)
grep -q 'status: REFUSED' <<<"$out" || { echo "$out" >&2; fail "test bug: a Knot without the zone does not refuse"; }
AUTH=(--authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT" --authoritative "$sa:$SILENT_S1_PORT"
	--authoritative "$ra:$rp" --resolver "$KNOT_K1_ADDR:$KNOT_K1_PORT")
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
[ "$CHECK_RC" -ne 2 ] && [ "$CHECK_RC" -ne 3 ] || fail "exit status $CHECK_RC: one server of three has the key"
expect_diag "$DKIM_NAME" server-unreachable
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"server-unreachable\") | (.message + \" \" + .fix) | contains(\$a)] | any" \
	'server-unreachable names the silent server' --arg n "$DKIM_NAME" --arg a "$sa"
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"server-unreachable\") | (.message + \" \" + .fix) | contains(\$a)] | any" \
	'server-unreachable names the refusing server' --arg n "$DKIM_NAME" --arg a "$ra"
expect_ns_status "$DKIM_NAME" "$sa" error
expect_ns_status "$DKIM_NAME" "$ra" error
expect_ns_status "$DKIM_NAME" "$KNOT_K1_ADDR" verified
echo "check took ${CHECK_MS} ms with one silent server"
expect_no_diag "$DKIM_NAME" not-authoritative
pass
