#!/usr/bin/env bash
# The Domain Connect discovery guard in production mode (no allow_loopback):
# a _domainconnect TXT naming 127.x (by address or as "localhost") or
# 10.0.0.1 is refused after resolution, before any connection (the provider
# sees no request); with loopback allowed for the test, a urlAPI at
# 10.0.0.1 or over plain http is refused too, after the settings.
. "$(dirname "$0")/dclib.sh"

P_ADDR=$(dns_addr 5)
dc_cert "$P_ADDR"
dc_provider_start p1 "$P_ADDR" --supported vendor.example/postmark
dc_provider_start p2 "$P_ADDR" --supported vendor.example/postmark --api-url https://10.0.0.1
dc_provider_start p3 "$P_ADDR" --supported vendor.example/postmark --api-url "http://$P_ADDR:1"
K_ADDR=$(dns_addr 1)
knot_zone k1 "$DNS_ZONE" <<EOF
_domainconnect TXT "$P_ADDR:$DCP_P1_PORT"
_domainconnect.local TXT "localhost:$DCP_P1_PORT"
_domainconnect.ten TXT "10.0.0.1"
_domainconnect.api10 TXT "$P_ADDR:$DCP_P2_PORT"
_domainconnect.apihttp TXT "$P_ADDR:$DCP_P3_PORT"
EOF
knot_start k1 "$K_ADDR" "$(dns_free_port "$K_ADDR")"
AUTH=(--authoritative "$KNOT_K1_ADDR:$KNOT_K1_PORT")
PROD=$DNS_TMP/prod.ini TEST=$DNS_TMP/test.ini
dc_config "$PROD" no
dc_config "$TEST" yes

# Production: loopback by address and by name, and 10.0.0.1, all refused.
run_discover "$DNS_ZONE" local.$DNS_ZONE ten.$DNS_ZONE --json --config "$PROD" "${AUTH[@]}"
[ "$DISC_RC" -eq 1 ] || fail "production: exit $DISC_RC, wanted 1"
disc_expect "$DNS_ZONE" ".result == \"not-offered\" and .guard_refused and
	(.reason | contains(\"refused to connect to $P_ADDR\"))" '127.x refused'
disc_expect "local.$DNS_ZONE" '.result == "not-offered" and .guard_refused and
	(.reason | test("refused to connect to (127\\.|::1)"))' 'localhost refused'
disc_expect "ten.$DNS_ZONE" '.result == "not-offered" and .guard_refused and
	(.reason | contains("refused to connect to 10.0.0.1"))' '10.0.0.1 refused'
[ ! -s "$(dc_log p1)" ] || { cat "$(dc_log p1)" >&2; fail "the provider was reached in production mode"; }

# The same provider with loopback allowed (the test switch) is reached:
# the refusal above was the guard's, not a broken setup.
run_discover "$DNS_ZONE" --json --config "$TEST" "${AUTH[@]}"
disc_expect "$DNS_ZONE" '.result == "offered" and (.guard_refused | not)' 'loopback allowed: offered'
grep -q "GET /v2/$DNS_ZONE/settings" "$(dc_log p1)" || fail "the provider saw no request"

# Private addresses stay refused with the test switch on: a urlAPI at
# 10.0.0.1, after the settings came; a urlAPI over http is never asked.
run_discover "api10.$DNS_ZONE" "apihttp.$DNS_ZONE" ten.$DNS_ZONE --json --config "$TEST" "${AUTH[@]}"
disc_expect "api10.$DNS_ZONE" '.result == "not-offered" and .guard_refused and
	(.reason | contains("10.0.0.1"))' 'urlAPI at 10.0.0.1 refused'
disc_expect "apihttp.$DNS_ZONE" '.result == "not-offered" and (.reason | test("urlAPI"))' \
	'urlAPI over http refused'
disc_expect "ten.$DNS_ZONE" '.result == "not-offered" and .guard_refused' \
	'10.0.0.1 refused with loopback allowed'
grep -q "settings" "$(dc_log p2)" || fail "p2 saw no settings request"
! grep -q "domainTemplates" "$(dc_log p2)" || fail "p2 got a template check"
! grep -q "domainTemplates" "$(dc_log p3)" || fail "p3 got a template check"
pass
