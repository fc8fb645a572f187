#!/usr/bin/env bash
# spf-multiple: two v=spf1 records at the domain (a permerror for every
# receiver), next to an unrelated TXT record that does not count.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
@ TXT "v=spf1 include:spf.mtasv.net ~all"
@ TXT "v=spf1 include:_spf.google.com ~all"
@ TXT "google-site-verification=abcdefghijklmnop"
EOF
rec_add spf TXT "$DNS_ZONE" "v=spf1 include:spf.mtasv.net ~all"
rec_write
check_json
expect_rc 1 "two SPF records are not a valid SPF setup"
jq_expect '[.records[].diagnoses[].code] | index("spf-multiple") != null' 'an spf-multiple diagnosis'
jq_expect "$DNS_JQ_REC rec(\$n).status != \"verified\"" 'the SPF record is not verified' --arg n "$DNS_ZONE"
pass
