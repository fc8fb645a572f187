#!/usr/bin/env bash
# Domain Connect over SSH (issue 12, item 3): the broker signs, the session
# discovers.  A real sshd in front of behalf with the broker and its
# tickets (as test_ssh_broker.sh), Knot, the Postmark simulator and the
# local Domain Connect provider (dclib.sh):
# - the vendor's key (behalf domainconnect keygen) belongs to the broker's
#   user, mode 600; the sessions' config names the same path (the offer is
#   on) but the session cannot read it, and never needs to;
# - the customer, over SSH, reaches the records screen, which offers one
#   click at the provider ("press a"); a shows the page; the URL printed
#   on it, applied with curl, is accepted by the provider (which verifies
#   the signature against the public key it reads from Knot and writes the
#   records into Knot), and the wizard reaches "All set!" with no record
#   typed: discovery ran inside the confined session (HTTPS to the
#   provider), the signature came from the broker;
# - the session's memory holds no piece of the private key (the broker's
#   does: the scan's control);
# - at the broker's socket, as the sessions' user: dc_sign for a domain the
#   customer does not own, and a query naming two domains, are refused and
#   logged with nothing of the query but the domain; for the customer's own
#   domain the signature verifies.
# shellcheck disable=SC2030,SC2031 # subshells read the settings on purpose
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "skip (test_dc_ssh): needs root (its own sshd, users, sessions as another user)"
	exit 77
fi
LIVE_TOKEN=pmacct-DcSsh-4RvQm-8e21
# shellcheck source=livelib.sh
. "$HERE/livelib.sh"
LIVE_E2E_TMP=$E2E_TMP
# shellcheck source=dclib.sh
. "$HERE/dclib.sh"
# shellcheck source=sshlib.sh
. "$HERE/sshlib.sh"
both_cleanup() {
	local rc=$?
	(
		(exit "$rc")
		ssh_cleanup
	) || true
	rm -rf "$LIVE_E2E_TMP"
	dns_cleanup "$rc"
}
trap both_cleanup EXIT

ssh_broker_setup
KEY_DIR=$SSH_DIR/dckey
KEY=$KEY_DIR/vendor-dc.pem
TPL_DIR=$SSH_DIR/template
mkdir -p "$KEY_DIR" "$TPL_DIR"
chown "$BROKER_USER:$BROKER_USER" "$KEY_DIR" "$TPL_DIR"
chmod 0700 "$KEY_DIR"
as_broker() { setpriv --reuid="$BROKER_USER" --regid="$BROKER_USER" --clear-groups -- "$@"; }

P_ADDR=$(dns_addr 5)
dc_cert "$P_ADDR"
CA=$SSH_DIR/dc-ca.pem
install -m 0644 "$DC_CERT" "$CA"

# The broker's config holds the key's path (it signs); the vendor's key
# and template are made by behalf as the broker's user.
BROKER_DC=(
	"[vendor]" "name = Vendor" "domain = vendor.example"
	"[domainconnect]" "provider_id = vendor.example" "service_id = postmark"
	"private_key_file = $KEY" "sync_pubkey_domain = keys.vendor.example"
)
ssh_broker_config "${BROKER_DC[@]}"
dc_vendor "$BROKER_CONF" "$TPL_DIR" as_broker "$BROKER_BIN"
[ "$(stat -c '%U %a' "$KEY")" = "$BROKER_USER 600" ] || e2e_fail "the key: $(stat -c '%U %a' "$KEY")"

live_setup
ssh_broker_config "${BROKER_DC[@]}" # now with the simulator's URL
dc_provider_start p1 "$P_ADDR" --supported vendor.example/postmark --template "$DC_TEMPLATE" \
	--dns "$LIVE_DNS"
dc_point p1
ssh_broker_start

# The sessions' config: the broker, no token; Domain Connect on (the key's
# path, which the session cannot open), the test-only loopback and CA.
ssh_broker_sessions "[domainconnect]" "provider_id = vendor.example" "service_id = postmark" \
	"private_key_file = $KEY" "allow_loopback = yes" "ca_file = $CA"
ssh_setup
as_sessions() { setpriv --reuid="$SSH_USER" --regid="$SSH_USER" --init-groups -- "$@"; }
if as_sessions cat "$KEY" >/dev/null 2>&1; then e2e_fail "the sessions' user can read the key"; fi
as_sessions cat "$CA" >/dev/null || e2e_fail "the sessions' user cannot read the test CA"

# ---- the customer, over SSH: the offer, the page, the link ----
ssh_key alice
code=$(as_broker "$BROKER_BIN" invite --config "$SSH_CONF" --state-dir "$BROKER_STATE" \
	--customer acme --json | jq -r .code)
{ [ -n "$code" ] && [ "$code" != null ]; } || e2e_fail "behalf invite gave no code"
E2E_ROWS=40 ssh_connect alice
e2e_wait "Connect this key"
e2e_type "$code"
e2e_keys Enter
live_opt1_to_records
session=$(ssh_session_pid)
e2e_wait "in one click: press a" 60
e2e_assert_screen "Local DNS Test Host"
grep -q "GET /v2/$DNS_ZONE/settings" "$(dc_log p1)" || e2e_fail "discovery never reached the provider"
grep -q "customer acme: signing a Domain Connect link for $DNS_ZONE" "$BROKER_ERR" ||
	e2e_fail "the broker did not sign: $(cat "$BROKER_ERR")"
e2e_keys a
e2e_wait "Set up automatically at Local DNS Test Host"
live_cap oneclick
# The plain URL: its own line, wrapped by the terminal: the rows from
# https:// to the blank line after it, joined.
url=$(e2e_screen | awk '/^https:\/\// { on = 1 } on && /^ *$/ { exit } on { sub(/ +$/, ""); printf "%s", $0 }')
case $url in
"https://$P_ADDR:$DCP_P1_PORT/v2/domainTemplates/providers/vendor.example/services/postmark/apply?domain=$DNS_ZONE&host=&"*"&sig="*"&key=_dck1") ;;
*) e2e_fail "no whole apply URL on the page: '$url'" ;;
esac
[ -z "$(kdig @"$KNOT_K1_ADDR" -p "$KNOT_K1_PORT" +short +norec "$LIVE_SELECTOR._domainkey.$DNS_ZONE" TXT)" ] ||
	e2e_fail "a DKIM record before the apply"
status=$(curl -s --cacert "$DC_CERT" --max-time 30 -o "$DNS_TMP/apply.body" -w '%{http_code}' "$url")
[ "$status" = 200 ] || e2e_fail "the provider refused the link: HTTP $status $(cat "$DNS_TMP/apply.body")"
grep -q "APPLY ok $DNS_ZONE" "$(dc_log p1)" || e2e_fail "the provider did not apply"
# No record typed: the wizard sees the provider's records and goes on.
e2e_wait "All set!" 120
dkim=$(kdig @"$KNOT_K1_ADDR" -p "$KNOT_K1_PORT" +short +norec "$LIVE_SELECTOR._domainkey.$DNS_ZONE" TXT |
	sed 's/" "//g; s/^"//; s/"$//')
e2e_equal "the DKIM value the provider wrote" "$(sim_jq '.Domains[0].DKIMTextValue')" "$dkim"
e2e_equal "Postmark verified it" true "$(sim_jq '.Domains[0].DKIMVerified')"

# ---- the session holds no piece of the key; the broker does ----
# The first prime as big-endian bytes (DER), as little-endian (OpenSSL's
# BIGNUM words on this machine), 32 bytes each; a line of the PEM.
prime=$(openssl rsa -in "$KEY" -noout -text 2>/dev/null |
	awk '/^prime1:/ { on = 1; next } /^prime2:/ { on = 0 } on' | tr -d ' :\n' | sed 's/^00//')
[ "${#prime}" -ge 128 ] || e2e_fail "could not read the key's prime"
prime_be=${prime:0:64}
prime_le=$(echo "$prime" | fold -w2 | tac | tr -d '\n' | cut -c1-64)
pem_line=$(sed -n 5p "$KEY" | tr -d '\n' | od -An -tx1 | tr -d ' \n')
mem_holds_hex "$BROKER_PID" "$prime_le" "$prime_be" ||
	e2e_fail "the memory scan does not find the key in the broker (the control)"
mem_holds "$session" "$DNS_ZONE" ||
	e2e_fail "the memory scan does not find the domain in the session"
if mem_holds_hex "$session" "$prime_le" "$prime_be" "$pem_line"; then
	e2e_fail "a piece of the vendor's private key is in the session's memory"
fi
if grep -q "$KEY" "/proc/$session/maps"; then e2e_fail "the session mapped the key file"; fi
ssh_drop
ssh_wait_no_behalf "after the drop"

# ---- at the broker's socket, as the sessions' user ----
# sign DATA...: acme's session (alice's ticket) asks dc_sign for each DATA;
# one answer a line after the hello's.
sign() {
	local t reqs=() d
	t=$(ssh_ticket alice)
	for d in "$@"; do reqs+=("$(jq -cn --arg d "$d" '{op: "dc_sign", data: $d}')"); done
	BROKER_TICKET=$t as_sessions "$DNS_PY" "$HERE/broker_client.py" "$BROKER_DIR/broker.sock" "" \
		"${reqs[@]}" >"$DNS_TMP/sign.out"
	e2e_equal "the hello, as acme" acme "$(head -1 "$DNS_TMP/sign.out" | jq -r .customer)"
	e2e_equal "the hello says the broker signs" true "$(head -1 "$DNS_TMP/sign.out" | jq -r .dc_sign)"
}
OWN="domain=$DNS_ZONE&host=&dkimselector=OwnSelector1"
OTHER="domain=victim.example&host=&dkimselector=Xq7Secret9Value"
TWO="domain=$DNS_ZONE&domain=victim.example&dkimselector=Xq7Secret9Value"
SUB="domain=$DNS_ZONE&host=mail&dkimselector=Xq7Secret9Value"
sign "$OTHER" "$TWO" "$SUB" "$OWN"
ans() { sed -n "$(($1 + 1))p" "$DNS_TMP/sign.out"; }
for i in 1 2 3; do
	(($(ans $i | jq .err) != 0)) || e2e_fail "request $i was signed: $(ans $i)"
	[ "$(ans $i | jq -r '.sig // ""')" = "" ] || e2e_fail "request $i came back with a signature"
done
grep -q "customer acme asked for a Domain Connect signature for victim.example, not theirs: refused" \
	"$BROKER_ERR" || e2e_fail "the refusal for victim.example is not logged: $(cat "$BROKER_ERR")"
grep -q "customer acme asked for a Domain Connect signature over a malformed query: refused" \
	"$BROKER_ERR" || e2e_fail "the refusal of two domains is not logged"
grep -q "signature for mail.$DNS_ZONE, not theirs: refused" "$BROKER_ERR" ||
	e2e_fail "a subdomain the customer has not set up was signed"
if grep -q "Xq7Secret9Value" "$BROKER_ERR"; then e2e_fail "the broker logged the query's values"; fi
e2e_equal "acme's own domain: signed" 0 "$(ans 4 | jq .err)"
ans 4 | jq -r .sig | base64 -d >"$DNS_TMP/own.sig"
openssl pkey -in "$KEY" -pubout -out "$DNS_TMP/pub.pem"
printf '%s' "$OWN" | openssl dgst -sha256 -verify "$DNS_TMP/pub.pem" -signature "$DNS_TMP/own.sig" \
	>/dev/null || e2e_fail "the broker's signature does not verify with the vendor's public key"

# The broker stops cleanly, key and all (a sanitized build reports here).
kill "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null || true
grep -q "behalf broker: stopping" "$BROKER_ERR" || e2e_fail "the broker did not stop: $(tail -5 "$BROKER_ERR")"
if grep -qE "Sanitizer|runtime error" "$BROKER_ERR"; then e2e_fail "the broker: $(cat "$BROKER_ERR")"; fi

e2e_pass
