#!/usr/bin/env bash
# A large TXT set at one name: the apex has the SPF record among a dozen
# site-verification records, ~2 KB in all, more than the 1232 bytes a UDP
# answer may carry: the UDP answer comes truncated (TC) and the engine must
# ask again over TCP to see the SPF record.
. "$(dirname "$0")/dnslib.sh"

{
	echo '@ TXT "v=spf1 include:spf.mtasv.net ~all"'
	for i in $(seq 1 12); do
		printf '@ TXT "site-verification-%02d=%s"\n' "$i" "$(printf 'x%.0s' {1..140})"
	done
	echo "$DKIM_NAME. TXT $DKIM_ZONE_TXT"
} >"$DNS_TMP/zone-extra"
dns_one_knot <"$DNS_TMP/zone-extra"
# The precondition: over UDP the answer is truncated.
out=$(dns_query "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DNS_ZONE" TXT +notcp +ignore +bufsize=1232)
grep -qE 'Flags: [^;]*tc' <<<"$out" || { echo "$out" >&2; fail "test bug: the UDP answer is not truncated"; }

rec_add spf TXT "$DNS_ZONE" "v=spf1 include:spf.mtasv.net ~all"
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 0 "the SPF record is found over TCP"
expect_status "$DNS_ZONE" verified
expect_status "$DKIM_NAME" verified
pass
