#!/usr/bin/env bash
# value-whitespace: the DKIM key published with what a mouse selection of a
# wrapped screen picks up: line breaks and the next row's indentation (a
# mismatch: a bare line break is no folding a verifier must accept), then
# with tabs, then with runs of spaces (folding RFC 6376 allows: verified,
# but said), then clean (verified, nothing said).
. "$(dirname "$0")/dnslib.sh"

P=$DKIM_P
# \010 is a line feed and \009 a tab in zone-file text (decimal escapes).
dns_one_knot <<EOF
$DKIM_NAME. TXT "k=rsa; p=${P:0:64}\\010          ${P:64:64}" "\\010          ${P:128:64}\\010          ${P:192:100}" "\\010          ${P:292}"
EOF
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME" TXT '\\010'
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
check_json
expect_rc 1 "a key with line breaks inside is not verified"
expect_status "$DKIM_NAME" mismatch
expect_diag "$DKIM_NAME" value-whitespace
expect_no_diag "$DKIM_NAME" value-mismatch
expect_no_diag "$DKIM_NAME" truncated-value
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"value-whitespace\") | .message |
	contains(\"line breaks, runs of spaces\") and contains(\"${DKIM_SELECTOR}._domainkey\")] | any" \
	"the sentence says what is inside the key" --arg n "$DKIM_NAME"
expect_fix_contains "$DKIM_NAME" value-whitespace "one line"

# Tabs where the rows met: verified, and said.
knot_update k1 "$DNS_ZONE" <<EOF
del $DKIM_NAME. TXT
add $DKIM_NAME. 300 TXT "k=rsa; p=${P:0:100}\\009${P:100:100}" "\\009${P:200}"
EOF
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME" TXT '\\009'
check_json
expect_rc 0 "tabs inside the key are folding"
expect_status "$DKIM_NAME" verified
expect_diag "$DKIM_NAME" value-whitespace
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"value-whitespace\") | .message |
	contains(\"tabs\")] | any" "the sentence says tabs" --arg n "$DKIM_NAME"

# Line breaks a DNS host turned into spaces: runs of spaces.
knot_update k1 "$DNS_ZONE" <<EOF
del $DKIM_NAME. TXT
add $DKIM_NAME. 300 TXT "k=rsa; p=${P:0:100}           ${P:100:100}" "           ${P:200}"
EOF
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME" TXT '           '
check_json
expect_rc 0 "runs of spaces inside the key are folding"
expect_status "$DKIM_NAME" verified
jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \"value-whitespace\") | .message |
	contains(\"runs of spaces\")] | any" "the sentence says runs of spaces" --arg n "$DKIM_NAME"

# Pasted again on one line: nothing to say.
knot_update k1 "$DNS_ZONE" <<EOF
del $DKIM_NAME. TXT
add $DKIM_NAME. 300 TXT $DKIM_ZONE_TXT
EOF
# (the old data splits the key at 100 and 200 with spaces, this at 200 only)
dns_wait_answer "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME" TXT "${P:192:8}\" \"${P:200:8}"
check_json
expect_rc 0 "the clean key"
expect_status "$DKIM_NAME" verified
expect_no_diag "$DKIM_NAME" value-whitespace
pass
