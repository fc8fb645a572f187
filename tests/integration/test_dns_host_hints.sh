#!/usr/bin/env bash
# DNS host detection from discovered NS names, and fixes worded for that
# host: the zone is delegated (through Unbound) to ada.ns.cloudflare.com
# and bob.ns.cloudflare.com, whose addresses come from a stub zone
# ns.cloudflare.com served by a third Knot; the return-path is flattened
# (proxied), so the fix must speak of Cloudflare's proxy switch.
. "$(dirname "$0")/dnslib.sh"

ra=$(dns_addr 1) n1=$(dns_addr 2) n2=$(dns_addr 3) ca=$(dns_addr 4)
rp=$(dns_free_port "$ra") cp=$(dns_free_port "$ca")
for a in "$n1" "$n2"; do
	dns_port_free "$a" 53 || fail "port 53 is taken on $a (a DNS server bound to 0.0.0.0:53?)"
done
for k in k1 k2; do
	knot_zone "$k" "$DNS_ZONE" "ada.ns.cloudflare.com.=$n1" "bob.ns.cloudflare.com.=$n2" <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
$RP_NAME. A 104.16.0.1
$RP_NAME. A 104.16.0.2
EOF
done
knot_zone cf ns.cloudflare.com "ada.ns.cloudflare.com.=$n1" "bob.ns.cloudflare.com.=$n2" </dev/null
knot_start k1 "$n1" 53
knot_start k2 "$n2" 53
knot_start cf "$ca" "$cp"
unbound_start u1 "$ra" "$rp" "$DNS_ZONE=$n1@53,$n2@53" "ns.cloudflare.com=$ca@$cp"
out=$(kdig @"$ra" -p "$rp" +time=2 +retry=1 A bob.ns.cloudflare.com +short)
[ "$out" = "$n2" ] || fail "test bug: Unbound does not resolve bob.ns.cloudflare.com ($out)"

rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
AUTH=(--resolver "$ra:$rp")
check_json
expect_rc 1 "the return-path is flattened"
expect_status "$DKIM_NAME" verified
expect_status "$RP_NAME" mismatch
expect_diag "$RP_NAME" cname-flattened
jq_expect "$DNS_JQ_REC [rec(\$n).nameservers[].name | ascii_downcase | rtrimstr(\".\")] | sort == [\"ada.ns.cloudflare.com\", \"bob.ns.cloudflare.com\"]" \
	'the nameservers found are the Cloudflare ones' --arg n "$RP_NAME"
jq_expect '(.dns_host // "" | ascii_downcase | contains("cloudflare"))' 'the DNS host detected is Cloudflare'
expect_fix_contains "$RP_NAME" cname-flattened "Cloudflare"

# The text report names the host too.
run_check --records "$RECORDS" "${AUTH[@]}"
expect_rc 1 "text output"
grep -q 'Cloudflare' "$CHECK_OUT" || fail "the text report does not name Cloudflare"
pass
