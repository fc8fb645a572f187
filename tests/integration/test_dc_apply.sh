#!/usr/bin/env bash
# The local Domain Connect provider's apply endpoint (what the customer's
# DNS host does on consent): a request signed (openssl, RS256 over the query
# string minus sig and key) with the key whose public half is published in
# Knot at _dck1.keys.vendor.example is accepted and the template's records
# appear in Knot; a signature by another key, or a query changed after
# signing, is refused with an OAuth-style error and changes nothing.
. "$(dirname "$0")/dclib.sh"

P_ADDR=$(dns_addr 5)
K_ADDR=$(dns_addr 1)
K_PORT=$(dns_free_port "$K_ADDR")
dc_cert "$P_ADDR"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$DNS_TMP/vendor.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$DNS_TMP/other.pem" 2>/dev/null
PUB=$(openssl pkey -in "$DNS_TMP/vendor.pem" -pubout -outform DER | base64 -w0)
cat >"$DNS_TMP/template.json" <<EOF
{"providerId": "vendor.example", "providerName": "Vendor", "serviceId": "postmark",
 "serviceName": "Email", "version": 1, "syncPubKeyDomain": "keys.vendor.example",
 "warnPhishing": true,
 "records": [
  {"type": "TXT", "host": "%dkimselector%._domainkey", "data": "%dkimvalue%", "ttl": 3600},
  {"type": "CNAME", "host": "%rphost%", "pointsTo": "%rpvalue%", "ttl": 3600}]}
EOF
dc_provider_start p1 "$P_ADDR" --supported vendor.example/postmark \
	--template "$DNS_TMP/template.json" --dns "$K_ADDR:$K_PORT"
knot_zone k1 "$DNS_ZONE" </dev/null
# The public key split over two TXT records, as the spec publishes it.
knot_zone k1 vendor.example <<EOF
_dck1.keys TXT "p=1,a=RS256,d=${PUB:0:200}"
_dck1.keys TXT "p=2,a=RS256,d=${PUB:200}"
EOF
knot_start k1 "$K_ADDR" "$K_PORT"

# urlencode STRING
urlencode() { jq -rn --arg s "$1" '$s | @uri'; }
# sign KEYFILE QUERY: the URL-encoded base64 RS256 signature of QUERY.
sign() { urlencode "$(printf '%s' "$2" | openssl dgst -sha256 -sign "$1" | base64 -w0)"; }
# apply QUERY: GET the apply URL; $APPLY_CODE, $APPLY_BODY.
apply() {
	local url="https://$P_ADDR:$DCP_P1_PORT/v2/domainTemplates/providers/vendor.example/services/postmark/apply?$1"
	APPLY_CODE=$(curl -s --cacert "$DC_CERT" --max-time 30 -o "$DNS_TMP/apply.body" -w '%{http_code}' "$url")
	APPLY_BODY=$(cat "$DNS_TMP/apply.body")
}

DKIM="k=rsa;p=$(openssl pkey -in "$DNS_TMP/other.pem" -pubout -outform DER | base64 -w0 | cut -c1-300)"
Q="domain=$DNS_ZONE&host=&dkimselector=20260101pm&dkimvalue=$(urlencode "$DKIM")&rphost=pm-bounces&rpvalue=pm.mtasv.net"

# Signed by another key: refused, nothing written.
apply "$Q&sig=$(sign "$DNS_TMP/other.pem" "$Q")&key=_dck1"
[ "$APPLY_CODE" = 400 ] || fail "another key's signature: HTTP $APPLY_CODE ($APPLY_BODY)"
grep -q '^error=invalid_request&error_description=signature' <<<"$APPLY_BODY" ||
	fail "the refusal does not say why: $APPLY_BODY"
# The query changed after signing (the CNAME pointed elsewhere): refused.
EVIL=${Q/pm.mtasv.net/evil.example}
apply "$EVIL&sig=$(sign "$DNS_TMP/vendor.pem" "$Q")&key=_dck1"
[ "$APPLY_CODE" = 400 ] || fail "a changed query: HTTP $APPLY_CODE ($APPLY_BODY)"
grep -q '^error=invalid_request' <<<"$APPLY_BODY" || fail "no error=: $APPLY_BODY"
# Unsigned: refused.
apply "$Q"
[ "$APPLY_CODE" = 400 ] || fail "unsigned: HTTP $APPLY_CODE"
out=$(dns_query "$K_ADDR" "$K_PORT" "pm-bounces.$DNS_ZONE" CNAME)
grep -q 'status: NXDOMAIN' <<<"$out" || { echo "$out" >&2; fail "a refused apply wrote records"; }

# Signed by the vendor's key: applied, both records in Knot.
apply "$Q&sig=$(sign "$DNS_TMP/vendor.pem" "$Q")&key=_dck1"
[ "$APPLY_CODE" = 200 ] || fail "the vendor's signature: HTTP $APPLY_CODE ($APPLY_BODY)"
dns_wait_answer "$K_ADDR" "$K_PORT" "pm-bounces.$DNS_ZONE" CNAME 'CNAME[[:space:]]+pm\.mtasv\.net\.'
dns_wait_answer "$K_ADDR" "$K_PORT" "20260101pm._domainkey.$DNS_ZONE" TXT 'TXT[[:space:]]+"k=rsa;p='
# The long value came back whole (joined character-strings).
got=$(kdig @"$K_ADDR" -p "$K_PORT" +short +norec "20260101pm._domainkey.$DNS_ZONE" TXT |
	sed 's/" "//g; s/^"//; s/"$//')
[ "$got" = "$DKIM" ] || fail "the DKIM value in Knot differs: $got"
grep -q "APPLY ok $DNS_ZONE" "$(dc_log p1)" || fail "the provider did not log the apply"
pass
