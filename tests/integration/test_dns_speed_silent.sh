#!/usr/bin/env bash
# Every server silent: exit 3 after one timeout sequence (3 tries), not one
# per step: the zone cut is asked beside the probes, at the same servers, so
# every question's first try leaves before any question's last try (counted
# from what the silent servers got, not timed: bench/dns/failures.sh has
# the times).  With --json, stdout still holds one JSON object saying the
# DNS was unreachable, with every record in status "error".  The same for
# the discovery case (a silent resolver) and for --watch giving up at its
# timeout without a single answer.
. "$(dirname "$0")/dnslib.sh"

silent_start s1 "$(dns_addr 7)"
silent_start s2 "$(dns_addr 8)"
silent_start s3 "$(dns_addr 9)"
silent_start s4 "$(dns_addr 10)"
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write

# expect_unreachable_json: one JSON object on stdout that says why.
expect_unreachable_json() {
	jq_expect '.verified == false' '"verified": false'
	jq_expect '.error == "dns-unreachable"' '"error": "dns-unreachable"'
	jq_expect '(.message | type) == "string" and (.message | length) > 0' 'a message'
	jq_expect '.domain == $d' 'the domain' --arg d "$DNS_ZONE"
	jq_expect '(.records | length) == 2 and all(.records[]; .status == "error")' \
		'both records, status error'
	grep -q 'no DNS server answered' "$CHECK_ERR" || fail "no message on stderr"
}

# The discovery case (its own silent resolver, s4), in the background with
# its own output files.
(
	CHECK_OUT=$DNS_TMP/disc.out CHECK_ERR=$DNS_TMP/disc.err
	run_check --records "$RECORDS" --resolver "$(dns_addr 10):$SILENT_S4_PORT" --json
	echo "$CHECK_RC" >"$DNS_TMP/disc.rc"
) &
bg=$!

AUTH=(--authoritative "$(dns_addr 7):$SILENT_S1_PORT" --authoritative "$(dns_addr 8):$SILENT_S2_PORT"
	--resolver "$(dns_addr 9):$SILENT_S3_PORT")
check_json
expect_rc 3 "every server silent"
expect_unreachable_json
expect_diag "$DKIM_NAME" server-unreachable
# Each authoritative server got the zone cut's SOA questions and the
# probes, each asked 3 times (the check gave up only after the last try),
# the probes not waiting for the zone cut's timeouts.
for s in s1 s2; do
	n=$(silent_tries "$s" "$DKIM_NAME" 16)
	[ "$n" -eq 3 ] || fail "$s got the DKIM question $n times, expected 3 tries"
	[ "$(silent_tries "$s" "$DNS_ZONE" 6)" -eq 3 ] || fail "$s: the zone's SOA not asked 3 times"
	silent_one_sequence "$s" "every server silent"
done

wait "$bg" || true
[ -s "$DNS_TMP/disc.rc" ] || fail "the discovery case did not finish"
CHECK_OUT=$DNS_TMP/disc.out CHECK_ERR=$DNS_TMP/disc.err CHECK_RC=$(cat "$DNS_TMP/disc.rc")
expect_rc 3 "the only resolver silent, no --authoritative"
expect_unreachable_json
[ "$(silent_tries s4 "$DNS_ZONE" 2)" -eq 3 ] || fail "the zone's NS not asked 3 times"
silent_one_sequence s4 "the only resolver silent"

# --watch that never gets an answer: exit 3 at its timeout, the last line
# the same object.
CHECK_OUT=$DNS_TMP/watch.out CHECK_ERR=$DNS_TMP/watch.err
check_json --watch --timeout 2
expect_rc 3 "watch without a single answer"
tail -n 1 "$CHECK_OUT" >"$DNS_TMP/watch.last"
CHECK_OUT=$DNS_TMP/watch.last
expect_unreachable_json
pass
