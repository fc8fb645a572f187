#!/usr/bin/env bash
# Discovery (no --authoritative) asks the NS of the records file's domain
# beside the zone cut, and goes on with them at once; when the cut is
# elsewhere, the NS (and the probes) are the real zone's:
#   1. the records sit in mail.customer.example, delegated by
#      customer.example (the domain) to another server: the NS asked are
#      the child zone's, and only its server is probed;
#   2. the domain shop.customer.example has no NS of its own: the zone is
#      customer.example and its servers are probed.
# Unbound is the resolver, with a stub zone for customer.example; the
# nameservers listen on port 53 of their loopback addresses.
. "$(dirname "$0")/dnslib.sh"

SUB=mail.$DNS_ZONE
ra=$(dns_addr 1) n1=$(dns_addr 2) n2=$(dns_addr 3)
rp=$(dns_free_port "$ra")
for a in "$n1" "$n2"; do
	dns_port_free "$a" 53 || fail "port 53 is taken on $a (a DNS server bound to 0.0.0.0:53?)"
done
knot_zone k1 "$DNS_ZONE" "ns1=$n1" <<EOF
mail NS ns1.$SUB.
ns1.$SUB. A $n2
$DKIM_SELECTOR._domainkey.shop TXT $DKIM_ZONE_TXT
EOF
knot_zone k2 "$SUB" "ns1=$n2" <<EOF
$DKIM_SELECTOR._domainkey TXT $DKIM_ZONE_TXT
pm-bounces CNAME $RP_TARGET.
EOF
knot_start k1 "$n1" 53
knot_start k2 "$n2" 53
unbound_start u1 "$ra" "$rp" "$DNS_ZONE=$n1@53"
AUTH=(--resolver "$ra:$rp")

# 1. The records in the child zone, the domain its parent.
rec_add dkim TXT "$DKIM_SELECTOR._domainkey.$SUB" "$DKIM_VALUE"
rec_add return-path CNAME "pm-bounces.$SUB" "$RP_TARGET"
rec_write "$RECORDS" "$DNS_ZONE"
check_json
expect_rc 0 "verified at the child zone's server"
jq_expect '.zone == $z' "the zone cut found: $SUB" --arg z "$SUB"
for n in "$DKIM_SELECTOR._domainkey.$SUB" "pm-bounces.$SUB"; do
	expect_status "$n" verified
	jq_expect "$DNS_JQ_REC [rec(\$n).nameservers[].name | ascii_downcase | rtrimstr(\".\")] == [\"ns1.$SUB\"]" \
		"the child zone's nameserver only, for $n" --arg n "$n"
done

# 2. A domain below the zone, without NS of its own.
rec_add dkim TXT "$DKIM_SELECTOR._domainkey.shop.$DNS_ZONE" "$DKIM_VALUE"
rec_write "$RECORDS" "shop.$DNS_ZONE"
check_json
expect_rc 0 "verified at the parent zone's server"
jq_expect '.zone == $z' "the zone cut found: $DNS_ZONE" --arg z "$DNS_ZONE"
jq_expect "$DNS_JQ_REC [rec(\$n).nameservers[].name | ascii_downcase | rtrimstr(\".\")] == [\"ns1.$DNS_ZONE\"]" \
	"the zone's nameserver" --arg n "$DKIM_SELECTOR._domainkey.shop.$DNS_ZONE"
pass
