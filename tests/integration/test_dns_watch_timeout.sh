#!/usr/bin/env bash
# check --watch --timeout: nothing is ever published, so watch gives up at
# the timeout with exit 1, not before (a lower bound: a busy machine only
# makes it later; how much after is measured by bench/dns/failures.sh).
. "$(dirname "$0")/dnslib.sh"

dns_one_knot </dev/null
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json --watch --timeout 2
expect_rc 1 "timeout of watch with the record missing"
((CHECK_MS >= 1800)) || fail "watch returned after ${CHECK_MS} ms, before its 2 s timeout"
jq -e -s 'length >= 1 and all(.verified == false)' "$CHECK_OUT" >/dev/null || fail "watch output: one JSON object per line, none verified"
tail -n 1 "$CHECK_OUT" | jq -e --arg n "$DKIM_NAME" "$DNS_JQ_REC rec(\$n).status == \"missing\"" >/dev/null ||
	fail "the last line does not show the record missing"
pass
