#!/usr/bin/env bash
# Every server silent: exit 3 after one timeout sequence (3 tries x 1.5 s),
# not one per step (the zone cut is asked beside the probes, at the same
# servers); with --json, stdout still holds one JSON object saying the DNS
# was unreachable, with every record in status "error".  The same for the
# discovery case (a silent resolver) and for --watch giving up at its
# timeout without a single answer.
. "$(dirname "$0")/dnslib.sh"

silent_start s1 "$(dns_addr 7)"
silent_start s2 "$(dns_addr 8)"
silent_start s3 "$(dns_addr 9)"
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

# The discovery case, in the background with its own output files.
(
	CHECK_OUT=$DNS_TMP/disc.out CHECK_ERR=$DNS_TMP/disc.err
	run_check --records "$RECORDS" --resolver "$(dns_addr 9):$SILENT_S3_PORT" --json
	echo "$CHECK_RC $CHECK_MS" >"$DNS_TMP/disc.rc"
) &
bg=$!

AUTH=(--authoritative "$(dns_addr 7):$SILENT_S1_PORT" --authoritative "$(dns_addr 8):$SILENT_S2_PORT"
	--resolver "$(dns_addr 9):$SILENT_S3_PORT")
check_json
expect_rc 3 "every server silent"
echo "every server silent: exit 3 after ${CHECK_MS} ms"
# One sequence is 4.5 s; two (zone cut, then probes) were 9 s and more.
((CHECK_MS >= 4000)) || fail "gave up after ${CHECK_MS} ms, before the last try's timeout"
((CHECK_MS < 7500)) || fail "took ${CHECK_MS} ms: more than one timeout sequence"
expect_unreachable_json
expect_diag "$DKIM_NAME" server-unreachable

wait "$bg" || true
[ -s "$DNS_TMP/disc.rc" ] || fail "the discovery case did not finish"
read -r rc ms <"$DNS_TMP/disc.rc"
CHECK_OUT=$DNS_TMP/disc.out CHECK_ERR=$DNS_TMP/disc.err CHECK_RC=$rc
expect_rc 3 "the only resolver silent, no --authoritative"
echo "resolver silent: exit 3 after ${ms} ms"
((ms < 7500)) || fail "discovery took ${ms} ms: more than one timeout sequence"
expect_unreachable_json

# --watch that never gets an answer: exit 3 at its timeout, the last line
# the same object.
CHECK_OUT=$DNS_TMP/watch.out CHECK_ERR=$DNS_TMP/watch.err
check_json --watch --timeout 2
expect_rc 3 "watch without a single answer"
tail -n 1 "$CHECK_OUT" >"$DNS_TMP/watch.last"
CHECK_OUT=$DNS_TMP/watch.last
expect_unreachable_json
pass
