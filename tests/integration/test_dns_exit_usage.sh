#!/usr/bin/env bash
# Exit status 2, usage or configuration errors, each with a message naming
# the problem: a malformed records file, a missing file, a name over 253
# characters, an unknown record type, no --records, a resolver that is not
# an address.  And exit 1 (not yet) for a plain missing record.
. "$(dirname "$0")/dnslib.sh"

dns_one_knot </dev/null

# stderr_has REGEX WHAT: the message names the problem.
stderr_has() {
	grep -qiE -- "$1" "$CHECK_ERR" || fail "the message does not name the problem ($2): expected /$1/"
}

bad=$DNS_TMP/malformed.json
printf '{"domain": "customer.example", "records": [ {"purpose": "dkim", "type": "TXT",' >"$bad"
run_check --records "$bad" "${AUTH[@]}" --json
expect_rc 2 "malformed records file"
stderr_has 'malformed\.json|json|parse|syntax' "malformed JSON"

run_check --records "$DNS_TMP/does-not-exist.json" "${AUTH[@]}" --json
expect_rc 2 "records file missing"
stderr_has 'does-not-exist\.json' "the missing file"

label=$(printf 'a%.0s' {1..63})
long="$label.$label.$label.$label.$DNS_ZONE"
((${#long} > 253)) || fail "test bug: name of ${#long} characters"
rec_add dkim TXT "$long" "$DKIM_VALUE"
rec_write
run_check --records "$RECORDS" "${AUTH[@]}" --json
expect_rc 2 "a name of ${#long} characters"
stderr_has '253|too long|long' "name over 253 characters"

rec_add dkim BOGUS "$DKIM_NAME" "$DKIM_VALUE"
rec_write
run_check --records "$RECORDS" "${AUTH[@]}" --json
expect_rc 2 "unknown record type"
stderr_has 'BOGUS' "the unknown type"

run_check "${AUTH[@]}" --json
expect_rc 2 "no --records"
stderr_has 'records' "--records is required"

rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
run_check --records "$RECORDS" --authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT" --resolver not-an-address --json
expect_rc 2 "a resolver that is not an address"
stderr_has 'not-an-address' "the bad resolver"

# The same file, well formed, record not published: exit 1.
check_json
expect_rc 1 "record missing"
expect_status "$DKIM_NAME" missing
jq_expect '.verified == false' '"verified": false'
pass
