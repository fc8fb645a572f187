#!/usr/bin/env bash
# The Postmark simulator's --dns-server mode against a real Knot: verifyDkim
# and verifyReturnPath stay false until the records are published (the DKIM
# key split into two character-strings), then turn true, and the pending
# key becomes the active one.  What the end-to-end tests of option 1 rely on.
. "$(dirname "$0")/dnslib.sh"

addr=$(dns_addr 1)
port=$(dns_free_port "$addr")
knot_zone k1 "$DNS_ZONE" </dev/null
knot_start k1 "$addr" "$port"

sim="$BEHALF_SOURCE_DIR/tests/postmark_sim/postmark_sim.py"
"${DNS_REAP[@]}" "$DNS_PY" "$sim" --port 0 --port-file "$DNS_TMP/sim.port" --dns-server "$addr:$port" \
	--account-token tok --fake-time 1755409889 2>"$DNS_TMP/sim.log" &
DNS_PIDS+=($!)
for _ in $(seq 100); do [ -s "$DNS_TMP/sim.port" ] && break; sleep 0.05; done
[ -s "$DNS_TMP/sim.port" ] || fail "the simulator did not start"
api="http://127.0.0.1:$(cat "$DNS_TMP/sim.port")"
pm() { curl -sS -H 'Accept: application/json' -H 'X-Postmark-Account-Token: tok' "$@"; }

created=$(pm -H 'Content-Type: application/json' -d \
	"{\"Name\":\"$DNS_ZONE\",\"ReturnPathDomain\":\"pm-bounces.$DNS_ZONE\"}" "$api/domains")
id=$(jq -r .ID <<<"$created")
host=$(jq -r .DKIMPendingHost <<<"$created")
value=$(jq -r .DKIMPendingTextValue <<<"$created")
[ "$host" = "20250817055129pm._domainkey.$DNS_ZONE" ] || fail "DKIM selector from the UTC creation time: $host"

out=$(pm -X PUT -H 'Content-Length: 0' "$api/domains/$id/verifyDkim")
[ "$(jq -r .DKIMVerified <<<"$out")" = false ] || fail "DKIM verified before it was published"
out=$(pm -X PUT -H 'Content-Length: 0' "$api/domains/$id/verifyReturnPath")
[ "$(jq -r .ReturnPathDomainVerified <<<"$out")" = false ] || fail "Return-Path verified before it was published"

knot_update k1 "$DNS_ZONE" <<EOF
add $host. 300 TXT "${value:0:120}" "${value:120}"
add pm-bounces.$DNS_ZONE. 300 CNAME pm.mtasv.net.
EOF
dns_wait_answer "$addr" "$port" "pm-bounces.$DNS_ZONE" CNAME 'pm.mtasv.net'

out=$(pm -X PUT -H 'Content-Length: 0' "$api/domains/$id/verifydkim/")
[ "$(jq -r .DKIMVerified <<<"$out")" = true ] || fail "DKIM not verified once published: $out"
[ "$(jq -r .DKIMHost <<<"$out")" = "$host" ] || fail "the pending key did not become the active one"
[ "$(jq -r .DKIMPendingHost <<<"$out")" = "" ] || fail "a pending key is left"
out=$(pm -X PUT -H 'Content-Length: 0' "$api/domains/$id/verifyReturnPath")
[ "$(jq -r .ReturnPathDomainVerified <<<"$out")" = true ] || fail "Return-Path not verified once published: $out"
pass
