#!/usr/bin/env bash
# resolver-stale: Unbound (the recursive resolver) cached the NXDOMAIN of
# the DKIM name before the key was published; the authoritative server has
# it now, the resolver will not until its negative cache (SOA minimum 300 s)
# expires.
. "$(dirname "$0")/dnslib.sh"

ra=$(dns_addr 1) ka=$(dns_addr 2)
rp=$(dns_free_port "$ra") kp=$(dns_free_port "$ka")
DNS_SOA_MIN=300 knot_zone k1 "$DNS_ZONE" </dev/null
knot_start k1 "$ka" "$kp"
unbound_start u1 "$ra" "$rp" "$DNS_ZONE=$ka@$kp"

# The resolver learns that the name does not exist.
out=$(kdig @"$ra" -p "$rp" +time=2 +retry=1 "$DKIM_NAME" TXT)
grep -q 'status: NXDOMAIN' <<<"$out" || { echo "$out" >&2; fail "the resolver did not answer NXDOMAIN"; }
knot_update k1 "$DNS_ZONE" <<EOF
add $DKIM_NAME. 300 TXT $DKIM_ZONE_TXT
EOF
dns_wait_answer "$ka" "$kp" "$DKIM_NAME" TXT 'k=rsa'
out=$(kdig @"$ra" -p "$rp" +time=2 +retry=1 "$DKIM_NAME" TXT)
grep -q 'status: NXDOMAIN' <<<"$out" || { echo "$out" >&2; fail "the resolver's negative cache is not in force"; }

rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
AUTH=(--authoritative "$ka:$kp" --resolver "$ra:$rp")
check_json
expect_rc 0 "the authoritative server has the record"
expect_status "$DKIM_NAME" verified
expect_diag "$DKIM_NAME" resolver-stale
# The estimate of when it clears, from the SOA: some time is shown.
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"resolver-stale\") | (.message + \" \" + .fix) | test(\"[0-9]\")] | any" \
	'resolver-stale shows when the negative cache clears' --arg n "$DKIM_NAME"
pass
