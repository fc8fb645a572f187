#!/usr/bin/env bash
# not-propagated: two Knot instances serve the zone; the key is published at
# one of them only (partial, and which server lags), then at both (verified).
. "$(dirname "$0")/dnslib.sh"

a1=$(dns_addr 2) a2=$(dns_addr 3)
p1=$(dns_free_port "$a1") p2=$(dns_free_port "$a2")
knot_zone k1 "$DNS_ZONE" </dev/null
knot_zone k2 "$DNS_ZONE" </dev/null
knot_start k1 "$a1" "$p1"
knot_start k2 "$a2" "$p2"
AUTH=(--authoritative "$a1:$p1" --authoritative "$a2:$p2" --resolver "$a1:$p1")

knot_update k1 "$DNS_ZONE" <<EOF
add $DKIM_NAME. 300 TXT $DKIM_ZONE_TXT
EOF
dns_wait_answer "$a2" "$p2" "$DKIM_NAME" TXT 'status: NXDOMAIN'
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 1 "one server of two has the record"
expect_status "$DKIM_NAME" partial
expect_diag "$DKIM_NAME" not-propagated
jq_expect "$DNS_JQ_REC rec(\$n).nameservers | length == 2" 'two nameservers' --arg n "$DKIM_NAME"
expect_ns_status "$DKIM_NAME" "$a1" verified
expect_ns_status "$DKIM_NAME" "$a2" missing

# The second server catches up.
knot_update k2 "$DNS_ZONE" <<EOF
add $DKIM_NAME. 300 TXT $DKIM_ZONE_TXT
EOF
check_json
expect_rc 0 "both servers have the record"
expect_status "$DKIM_NAME" verified
expect_no_diag "$DKIM_NAME" not-propagated
pass
