#!/usr/bin/env bash
# not-authoritative (lame delegation): one of the servers named for the
# zone does not serve it; it serves the parent zone "example." and answers
# with a referral (NOERROR, no AA flag).  The customer may be editing
# records at a DNS host that does not serve the domain.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
EOF
la=$(dns_addr 4)
lp=$(dns_free_port "$la")
knot_zone lame example ns1.example.=192.0.2.60 <<EOF
customer NS ns1.customer
ns1.customer A 192.0.2.61
EOF
knot_start lame "$la" "$lp"
# The lame server really answers without AA, and not REFUSED.
out=$(dns_query "$la" "$lp" "$DKIM_NAME" TXT)
grep -q 'status: NOERROR' <<<"$out" && ! grep -qE 'Flags: [^;]*aa' <<<"$out" ||
	{ echo "$out" >&2; fail "the lame server does not answer NOERROR without AA"; }

AUTH=(--authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT" --authoritative "$la:$lp"
	--resolver "$KNOT_K1_ADDR:$KNOT_K1_PORT")
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
[ "$CHECK_RC" -ne 2 ] && [ "$CHECK_RC" -ne 3 ] || fail "exit status $CHECK_RC"
expect_diag "$DKIM_NAME" not-authoritative
expect_no_diag "$DKIM_NAME" server-unreachable
expect_ns_status "$DKIM_NAME" "$la" error
expect_ns_status "$DKIM_NAME" "$KNOT_K1_ADDR" verified
pass
