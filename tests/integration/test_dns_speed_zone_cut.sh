#!/usr/bin/env bash
# The probes start at once with the records file's domain as the presumed
# zone while the zone cut is asked; when the cut is elsewhere, what depends
# on the zone is asked again and the verdict is the real zone's:
#   1. the records sit in a zone below the domain (mail.customer.example):
#      the DKIM key published with the zone appended once more is found at
#      <name>.mail.customer.example (zone-appended), a probe that only the
#      real zone gives;
#   2. the domain is a subdomain (shop.customer.example) of the zone: the
#      records there verify, and the zone reported is customer.example.
. "$(dirname "$0")/dnslib.sh"

SUB=mail.$DNS_ZONE
ka=$(dns_addr 2)
kp=$(dns_free_port "$ka")
# No trailing dot on the key's name: the zone file appends the origin once
# more, as such hosts do.
knot_zone k1 "$SUB" <<EOF
$DKIM_SELECTOR._domainkey.$SUB TXT $DKIM_ZONE_TXT
pm-bounces CNAME $RP_TARGET.
EOF
knot_zone k1 "$DNS_ZONE" <<EOF
$DKIM_SELECTOR._domainkey.shop TXT $DKIM_ZONE_TXT
pm-bounces.shop CNAME $RP_TARGET.
EOF
knot_start k1 "$ka" "$kp"
dns_wait_answer "$ka" "$kp" "$DKIM_SELECTOR._domainkey.$SUB.$SUB" TXT 'k=rsa'
AUTH=(--authoritative "$ka:$kp" --resolver "$ka:$kp")

# 1. The zone below the domain.
rec_add dkim TXT "$DKIM_SELECTOR._domainkey.$SUB" "$DKIM_VALUE"
rec_add return-path CNAME "pm-bounces.$SUB" "$RP_TARGET"
rec_write "$RECORDS" "$DNS_ZONE"
check_json
expect_rc 1 "the key is not at its name"
jq_expect '.zone == $z' "the zone cut found: $SUB" --arg z "$SUB"
expect_status "$DKIM_SELECTOR._domainkey.$SUB" missing
expect_diag "$DKIM_SELECTOR._domainkey.$SUB" zone-appended
expect_status "pm-bounces.$SUB" verified

# 2. The domain below the zone.
rec_add dkim TXT "$DKIM_SELECTOR._domainkey.shop.$DNS_ZONE" "$DKIM_VALUE"
rec_add return-path CNAME "pm-bounces.shop.$DNS_ZONE" "$RP_TARGET"
rec_write "$RECORDS" "shop.$DNS_ZONE"
check_json
expect_rc 0 "both records published in the parent zone"
jq_expect '.zone == $z' "the zone cut found: $DNS_ZONE" --arg z "$DNS_ZONE"
expect_status "$DKIM_SELECTOR._domainkey.shop.$DNS_ZONE" verified
pass
