#!/usr/bin/env bash
# Exit status 3 (DNS unreachable): every authoritative server is a socket
# that never answers (with a silent resolver, and with one that answers);
# and, without --authoritative, a resolver that never answers (no zone, no
# nameservers can be found), run at the same time.
. "$(dirname "$0")/dnslib.sh"

silent_start s1 "$(dns_addr 7)"
silent_start s2 "$(dns_addr 8)"
silent_start s3 "$(dns_addr 9)"
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write

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
expect_rc 3 "every authoritative server silent"
# When a JSON result is printed too, it must say why.
if jq -e . "$CHECK_OUT" >/dev/null 2>&1; then
	expect_status "$DKIM_NAME" error
	expect_diag "$DKIM_NAME" server-unreachable
fi

# Every authoritative server silent while the resolver answers (it has
# the record): still exit 3, the JSON saying why and naming the servers.
dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_ZONE_TXT
EOF
AUTH=(--authoritative "$(dns_addr 7):$SILENT_S1_PORT" --authoritative "$(dns_addr 8):$SILENT_S2_PORT"
	--resolver "$KNOT_K1_ADDR:$KNOT_K1_PORT")
check_json
expect_rc 3 "every authoritative server silent, the resolver answering"
jq_expect '.verified == false and .error == "dns-unreachable"' '"error": "dns-unreachable"'
expect_status "$DKIM_NAME" error
expect_diag "$DKIM_NAME" server-unreachable
expect_ns_status "$DKIM_NAME" "$(dns_addr 7)" error
grep -q 'no DNS server answered' "$CHECK_ERR" || fail "no message on stderr"
run_check --records "$RECORDS" "${AUTH[@]}"
expect_rc 3 "every authoritative server silent, the resolver answering (text)"

wait "$bg" || true
[ -s "$DNS_TMP/disc.rc" ] || fail "the discovery case did not finish"
read -r rc _ <"$DNS_TMP/disc.rc"
CHECK_OUT=$DNS_TMP/disc.out CHECK_ERR=$DNS_TMP/disc.err CHECK_RC=$rc
expect_rc 3 "the only resolver silent, no --authoritative"
pass
