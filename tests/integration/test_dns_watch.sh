#!/usr/bin/env bash
# check --watch while the records are published mid-test with knsupdate:
# a line per status change (the DKIM key first, then the Return-Path), and
# exit 0 as soon as every required record is verified.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot </dev/null
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
W_OUT=$DNS_TMP/watch.out W_ERR=$DNS_TMP/watch.err
"${DNS_REAP[@]}" "$BEHALF_BIN" check --records "$RECORDS" "${AUTH[@]}" --json --watch --timeout 30 >"$W_OUT" 2>"$W_ERR" &
wpid=$!
DNS_PIDS+=("$wpid")
CHECK_OUT=$W_OUT CHECK_ERR=$W_ERR

# lines_where FILTER: how many output lines match the jq filter.
lines_where() {
	jq -c --arg d "$DKIM_NAME" --arg r "$RP_NAME" "$DNS_JQ_REC select($1)" "$W_OUT" 2>/dev/null | wc -l
}
# wait_line FILTER DESCRIPTION: polls until a line matches.
wait_line() {
	local end=$(($(dns_now_ms) + 15000))
	until [ "$(lines_where "$1")" -gt 0 ]; do
		kill -0 "$wpid" 2>/dev/null || { sleep 0.1; [ "$(lines_where "$1")" -gt 0 ] && return 0; fail "watch exited before: $2"; }
		(($(dns_now_ms) < end)) || fail "waited 15s for a watch line: $2"
		sleep 0.05
	done
}

wait_line 'rec($d).status == "missing" and rec($r).status == "missing"' 'both records missing'
t0=$(dns_now_ms)
knot_update k1 "$DNS_ZONE" <<EOF
add $DKIM_NAME. 300 TXT $DKIM_ZONE_TXT
EOF
wait_line 'rec($d).status == "verified" and rec($r).status == "missing"' 'DKIM verified, Return-Path still missing'
t1=$(dns_now_ms)
kill -0 "$wpid" 2>/dev/null || fail "watch exited while a required record is missing"
knot_update k1 "$DNS_ZONE" <<EOF
add $RP_NAME. 300 CNAME $RP_TARGET.
EOF
t2=$(dns_now_ms)
end=$((t2 + 15000))
while kill -0 "$wpid" 2>/dev/null; do
	(($(dns_now_ms) < end)) || fail "watch did not exit 15s after every record was published"
	sleep 0.05
done
t3=$(dns_now_ms)
set +e
wait "$wpid"
CHECK_RC=$?
set -e
! grep -qE 'Sanitizer|runtime error:' "$W_ERR" || fail "sanitizer report from check --watch"
expect_rc 0 "watch exits 0 once all required records are verified"
# Every line is one JSON object; the last says verified.
jq -e -s 'length >= 3 and all(type == "object")' "$W_OUT" >/dev/null || fail "watch output is not one JSON object per line (3 or more)"
[ "$(wc -l <"$W_OUT")" -eq "$(jq -c . "$W_OUT" | wc -l)" ] || fail "a JSON object spans several lines"
tail -n 1 "$W_OUT" | jq -e --arg d "$DKIM_NAME" --arg r "$RP_NAME" \
	"$DNS_JQ_REC .verified == true and rec(\$d).status == \"verified\" and rec(\$r).status == \"verified\"" >/dev/null ||
	fail "the last line does not say verified"
echo "DKIM seen $((t1 - t0)) ms after publishing; exit $((t3 - t2)) ms after the Return-Path"
pass
