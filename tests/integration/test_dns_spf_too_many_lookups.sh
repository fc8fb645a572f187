#!/usr/bin/env bash
# spf-too-many-lookups: the merged SPF record has the ESP's include, but
# with the nested includes it costs 13 DNS lookups (the limit is 10):
# 1 (spf.mtasv.net) + 3 includes + 3 x 3 nested includes.
. "$(dirname "$0")/dnslib.sh"

{
	echo '@ TXT "v=spf1 include:spf.mtasv.net include:a._spf.customer.example include:b._spf.customer.example include:c._spf.customer.example ~all"'
	for x in a b c; do
		echo "$x._spf TXT \"v=spf1 include:${x}1._spf.customer.example include:${x}2._spf.customer.example include:${x}3._spf.customer.example ~all\""
		for i in 1 2 3; do echo "$x$i._spf TXT \"v=spf1 ip4:192.0.2.$i -all\""; done
	done
} >"$DNS_TMP/zone-extra"
dns_one_knot <"$DNS_TMP/zone-extra"
rec_add spf TXT "$DNS_ZONE" "v=spf1 include:spf.mtasv.net ~all"
rec_write
check_json
[ "$CHECK_RC" -ne 2 ] && [ "$CHECK_RC" -ne 3 ] || fail "exit status $CHECK_RC"
jq_expect '[.records[].diagnoses[].code] | index("spf-too-many-lookups") != null' 'an spf-too-many-lookups diagnosis'
jq_expect '[.records[].diagnoses[] | select(.code == "spf-too-many-lookups") | (.message + " " + .fix) | test("1[0-9]")] | any' \
	'spf-too-many-lookups shows the count'
pass
