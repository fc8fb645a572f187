#!/usr/bin/env bash
# A resolver that never answers does not hold the check for its retries:
# once the authoritative servers have answered, the resolvers get at most
# one try's time (1.5 s from when they were asked) and the check ends
# without the silent one; the view of a resolver that does answer is still
# there (Unbound's cached NXDOMAIN: resolver-stale).  Counted, not timed:
# the silent resolver gets the first try and at most the retry sent as the
# grace ends, never the third try a check that waited would send
# (bench/dns/failures.sh has the times).
. "$(dirname "$0")/dnslib.sh"

ra=$(dns_addr 1) ka=$(dns_addr 2)
rp=$(dns_free_port "$ra") kp=$(dns_free_port "$ka")
DNS_SOA_MIN=300 knot_zone k1 "$DNS_ZONE" </dev/null
knot_start k1 "$ka" "$kp"
unbound_start u1 "$ra" "$rp" "$DNS_ZONE=$ka@$kp"
silent_start s1 "$(dns_addr 9)"

# Unbound learns that the name does not exist, then the key is published.
out=$(kdig @"$ra" -p "$rp" +time=2 +retry=1 "$DKIM_NAME" TXT)
grep -q 'status: NXDOMAIN' <<<"$out" || { echo "$out" >&2; fail "the resolver did not answer NXDOMAIN"; }
knot_update k1 "$DNS_ZONE" <<EOF
add $DKIM_NAME. 300 TXT $DKIM_ZONE_TXT
EOF
dns_wait_answer "$ka" "$kp" "$DKIM_NAME" TXT 'k=rsa'

rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
AUTH=(--authoritative "$ka:$kp" --resolver "$(dns_addr 9):$SILENT_S1_PORT" --resolver "$ra:$rp")
check_json
expect_rc 0 "the authoritative server has the record"
tries=$(silent_tries s1 "$DKIM_NAME" 16)
((tries >= 1 && tries <= 2)) || fail "the silent resolver was asked $tries times: its retries were waited for"
expect_status "$DKIM_NAME" verified
expect_diag "$DKIM_NAME" resolver-stale
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"resolver-stale\") | .message + \" \" + .fix | contains(\$r)] | any" \
	'resolver-stale names the resolver that answered' --arg n "$DKIM_NAME" --arg r "$ra"
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"resolver-stale\") | .message + \" \" + .fix | contains(\$r)] | any | not" \
	'resolver-stale does not name the silent resolver' --arg n "$DKIM_NAME" --arg r "$(dns_addr 9)"

# The silent resolver alone: the same, without any resolver view.
AUTH=(--authoritative "$ka:$kp" --resolver "$(dns_addr 9):$SILENT_S1_PORT")
: >"$(silent_log s1)"
check_json
expect_rc 0 "the authoritative server has the record"
tries=$(silent_tries s1 "$DKIM_NAME" 16)
((tries >= 1 && tries <= 2)) || fail "the only resolver, silent, was asked $tries times: its retries were waited for"
expect_no_diag "$DKIM_NAME" resolver-stale
pass
