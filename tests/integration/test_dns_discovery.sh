#!/usr/bin/env bash
# Full discovery, as on the internet: no --authoritative.  Unbound is the
# recursive resolver; it knows customer.example only through a stub zone
# pointing at two Knot instances, which publish NS records ns1/ns2 with
# their (loopback) addresses, on port 53 as any nameserver.  behalf must
# find the zone cut, the NS names and their addresses through Unbound, then
# ask both servers directly.  A DMARC record published at ns1 only shows
# that both were asked (partial, not-propagated), without blocking exit 0.
. "$(dirname "$0")/dnslib.sh"

ra=$(dns_addr 1) n1=$(dns_addr 2) n2=$(dns_addr 3)
rp=$(dns_free_port "$ra")
for a in "$n1" "$n2"; do
	dns_port_free "$a" 53 || fail "port 53 is taken on $a (a DNS server bound to 0.0.0.0:53?)"
done
for k in k1 k2; do
	knot_zone "$k" "$DNS_ZONE" "ns1=$n1" "ns2=$n2" <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
$RP_NAME. CNAME $RP_TARGET.
EOF
done
knot_start k1 "$n1" 53
knot_start k2 "$n2" 53
unbound_start u1 "$ra" "$rp" "$DNS_ZONE=$n1@53,$n2@53"
knot_update k1 "$DNS_ZONE" <<EOF
add _dmarc.$DNS_ZONE. 300 TXT "v=DMARC1; p=none;"
EOF

rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_add dmarc TXT "_dmarc.$DNS_ZONE" "v=DMARC1; p=none;" false
rec_write
AUTH=(--resolver "$ra:$rp")
check_json
expect_rc 0 "found and verified through discovery"
jq_expect '.verified == true' '"verified": true'
expect_status "$DKIM_NAME" verified
expect_status "$RP_NAME" verified
for n in "$DKIM_NAME" "$RP_NAME" "_dmarc.$DNS_ZONE"; do
	jq_expect "$DNS_JQ_REC rec(\$n).nameservers | length == 2" "two nameservers found for $n" --arg n "$n"
	jq_expect "$DNS_JQ_REC [rec(\$n).nameservers[].name | ascii_downcase | rtrimstr(\".\")] | sort == [\"ns1.customer.example\", \"ns2.customer.example\"]" \
		"the nameservers are ns1 and ns2 for $n" --arg n "$n"
done
expect_ns_status "$DKIM_NAME" "$n1" verified
expect_ns_status "$DKIM_NAME" "$n2" verified
expect_status "_dmarc.$DNS_ZONE" partial
expect_diag "_dmarc.$DNS_ZONE" not-propagated
expect_ns_status "_dmarc.$DNS_ZONE" "$n1" verified
expect_ns_status "_dmarc.$DNS_ZONE" "$n2" missing
pass
