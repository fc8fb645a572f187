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
# Not verified while two servers may serve anything (issue 8, item 9).
expect_rc 1 "one server of three has the key, two failed to answer"
jq_expect '.verified == false' '"verified": false'
expect_status "$DKIM_NAME" partial
expect_no_diag "$DKIM_NAME" not-propagated
expect_diag "$DKIM_NAME" server-unreachable
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"server-unreachable\") | (.message + \" \" + .fix) | contains(\$a)] | any" \
	'server-unreachable names the silent server' --arg n "$DKIM_NAME" --arg a "$sa"
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"server-unreachable\") | (.message + \" \" + .fix) | contains(\$a)] | any" \
	'server-unreachable names the refusing server' --arg n "$DKIM_NAME" --arg a "$ra"
expect_ns_status "$DKIM_NAME" "$sa" error
expect_ns_status "$DKIM_NAME" "$ra" error
expect_ns_status "$DKIM_NAME" "$KNOT_K1_ADDR" verified
expect_no_diag "$DKIM_NAME" not-authoritative

# One server of two silent, the other with both records: exit 1, each
# record partial and naming the silent one; the text says so too.
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
knot_update k1 "$DNS_ZONE" <<EOF
add $RP_NAME. 300 CNAME $RP_TARGET.
EOF
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$RP_NAME" CNAME "$RP_TARGET"
AUTH=(--authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT" --authoritative "$sa:$SILENT_S1_PORT"
	--resolver "$KNOT_K1_ADDR:$KNOT_K1_PORT")
check_json
expect_rc 1 "one server of two silent"
for n in "$DKIM_NAME" "$RP_NAME"; do
	expect_status "$n" partial
	expect_diag "$n" server-unreachable
	expect_ns_status "$n" "$KNOT_K1_ADDR" verified
	expect_ns_status "$n" "$sa" error
done
run_check --records "$RECORDS" "${AUTH[@]}"
expect_rc 1 "one server of two silent (text)"
grep -qF "0 of 2 required records verified" "$CHECK_OUT" || fail "the text summary does not say 0 of 2"
grep -qF "We could not get an answer from $sa" "$CHECK_OUT" || fail "the text does not name the silent server"
# Only the answering server: verified, exit 0.
AUTH=(--authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT" --resolver "$KNOT_K1_ADDR:$KNOT_K1_PORT")
check_json
expect_rc 0 "the only server has both records"
pass
