#!/usr/bin/env bash
# check --watch while the customer fixes the records in place: the old key
# is replaced by the new one (delete + add in one update) and a TXT record
# at the return-path name by the CNAME; the watch shows the mismatches,
# then the fixes, and exits 0.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot <<EOF
$DKIM_NAME. TXT $DKIM_OLD_ZONE_TXT
$RP_NAME. TXT "$RP_TARGET"
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write
W_OUT=$DNS_TMP/watch.out W_ERR=$DNS_TMP/watch.err
"${DNS_REAP[@]}" "$BEHALF_BIN" check --records "$RECORDS" "${AUTH[@]}" --json --watch --timeout 30 >"$W_OUT" 2>"$W_ERR" &
wpid=$!
DNS_PIDS+=("$wpid")
CHECK_OUT=$W_OUT CHECK_ERR=$W_ERR

has_line() {
	[ "$(jq -c --arg d "$DKIM_NAME" --arg r "$RP_NAME" "$DNS_JQ_REC select($1)" "$W_OUT" 2>/dev/null | wc -l)" -gt 0 ]
}
wait_line() {
	local end=$(($(dns_now_ms) + 15000))
	until has_line "$1"; do
		if ! kill -0 "$wpid" 2>/dev/null; then
			sleep 0.1
			has_line "$1" && return 0
			fail "watch exited before: $2"
		fi
		(($(dns_now_ms) < end)) || fail "waited 15s for a watch line: $2"
		sleep 0.05
	done
}

wait_line 'rec($d).status == "mismatch" and ([rec($d).diagnoses[].code] | index("value-mismatch") != null) and rec($r).status == "mismatch" and ([rec($r).diagnoses[].code] | index("wrong-type") != null)' \
	'old key (value-mismatch) and TXT at the return-path name (wrong-type)'
knot_update k1 "$DNS_ZONE" <<EOF
del $DKIM_NAME. TXT
add $DKIM_NAME. 300 TXT $DKIM_ZONE_TXT
EOF
wait_line 'rec($d).status == "verified" and rec($r).status == "mismatch"' 'the new key verified, the return-path still wrong'
kill -0 "$wpid" 2>/dev/null || fail "watch exited while a required record is wrong"
knot_update k1 "$DNS_ZONE" <<EOF
del $RP_NAME. TXT
add $RP_NAME. 300 CNAME $RP_TARGET.
EOF
end=$(($(dns_now_ms) + 15000))
while kill -0 "$wpid" 2>/dev/null; do
	(($(dns_now_ms) < end)) || fail "watch did not exit 15s after the last fix"
	sleep 0.05
done
set +e
wait "$wpid"
CHECK_RC=$?
set -e
! grep -qE 'Sanitizer|runtime error:' "$W_ERR" || fail "sanitizer report from check --watch"
expect_rc 0 "watch exits 0 once both records are fixed"
tail -n 1 "$W_OUT" | jq -e '.verified == true and ([.records[].diagnoses[]] | length == 0)' >/dev/null ||
	fail "the last line is not verified without diagnoses"
pass
