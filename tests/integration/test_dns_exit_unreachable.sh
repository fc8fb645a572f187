#!/usr/bin/env bash
# Exit status 3 (DNS unreachable): every authoritative server is a socket
# that never answers; and, without --authoritative, a resolver that never
# answers (no zone, no nameservers can be found).  Both run at once.
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
echo "all servers silent: exit 3 after ${CHECK_MS} ms"

wait "$bg" || true
[ -s "$DNS_TMP/disc.rc" ] || fail "the discovery case did not finish"
read -r rc ms <"$DNS_TMP/disc.rc"
CHECK_OUT=$DNS_TMP/disc.out CHECK_ERR=$DNS_TMP/disc.err CHECK_RC=$rc
expect_rc 3 "the only resolver silent, no --authoritative"
echo "resolver silent: exit 3 after ${ms} ms"
pass
