#!/usr/bin/env bash
# Records that differ from the expected text but not in meaning are
# verified, as a real server serves them: the DKIM key with its tags in
# another order, an extra v=DKIM1 tag and the p= value broken by spaces (as
# some DNS hosts do), a stricter DMARC policy with a report address, and an
# SPF record merged with another provider's include.
. "$(dirname "$0")/dnslib.sh"

spaced=$(sed -E 's/(.{64})/\1 /g' <<<"$DKIM_P")
dns_one_knot <<EOF
$DKIM_NAME. TXT "v=DKIM1; p=${spaced:0:200}" "${spaced:200}; k=rsa"
_dmarc TXT "v=DMARC1;p=quarantine; rua=mailto:dmarc@customer.example"
@ TXT "v=spf1 include:_spf.google.com include:spf.mtasv.net ~all"
@ TXT "google-site-verification=abcdefghijklmnop"
EOF
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add dmarc TXT "_dmarc.$DNS_ZONE" "v=DMARC1; p=none;" false
rec_add spf TXT "$DNS_ZONE" "v=spf1 include:spf.mtasv.net ~all"
rec_write
check_json
expect_rc 0 "equal in meaning"
expect_status "$DKIM_NAME" verified
expect_status "_dmarc.$DNS_ZONE" verified
expect_status "$DNS_ZONE" verified
jq_expect '[.records[].diagnoses[].code] | length == 0' 'no diagnosis'

# And one tag that does matter: k=ed25519 instead of k=rsa.
knot_update k1 "$DNS_ZONE" <<EOF
del $DKIM_NAME. TXT
add $DKIM_NAME. 300 TXT "k=ed25519; p=${DKIM_P:0:200}" "${DKIM_P:200}"
EOF
check_json
expect_rc 1 "another key type"
expect_status "$DKIM_NAME" mismatch
pass
