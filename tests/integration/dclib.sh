# Harness for the Domain Connect tests (tests/integration/test_dc_*.sh), on
# top of dnslib.sh: the local provider (tests/dcprovider/dcprovider.py) on
# HTTPS with a throwaway certificate made here and trusted by behalf
# through the test-only [domainconnect] ca_file.
#
#   dc_cert ADDR                  certificate + key for ADDR ($DC_CERT, $DC_KEY)
#   dc_provider_start ID ADDR [dcprovider options]
#                                 DCP_<ID>_PORT, its request log $(dc_log ID)
#   dc_config FILE LOOPBACK [PROVIDER SERVICE]
#                                 a behalf config (LOOPBACK: yes|no)
#   dc_vendor CONF DIR [CMD...]   the vendor's key and template by behalf
#                                 itself (CMD: how to run it); the key's
#                                 TXT into Knot k1's vendor.example (before
#                                 k1 starts), the template: $DC_TEMPLATE
#   dc_point ID                   the zone's _domainconnect TXT (Knot k1,
#                                 running) names provider ID
#   run_discover ARGS...          behalf domainconnect discover; DISC_RC, $DISC_OUT
#   disc_expect DOMAIN JQ WHAT    the JSON line of DOMAIN satisfies JQ
# Source this file.
# (already sourced by livelib.sh: dnslib.sh guards itself too)
. "$(dirname "${BASH_SOURCE[0]}")/dnslib.sh"

DC_PROVIDER=${BEHALF_SOURCE_DIR:-$(dirname "${BASH_SOURCE[0]}")/../..}/tests/dcprovider/dcprovider.py
DISC_OUT=$DNS_TMP/discover.out
DISC_ERR=$DNS_TMP/discover.err
DISC_RC=0
command -v openssl >/dev/null || fail "openssl not installed"

dc_cert() {
	DC_CERT=$DNS_TMP/cert.pem DC_KEY=$DNS_TMP/key.pem
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$1" \
		-addext "subjectAltName=IP:$1" -keyout "$DC_KEY" -out "$DC_CERT" \
		>"$DNS_TMP/openssl.log" 2>&1 || { cat "$DNS_TMP/openssl.log" >&2; fail "openssl req"; }
}

dc_log() {
	echo "$DNS_TMP/$1/requests"
}

dc_provider_start() {
	local id=$1 addr=$2 dir="$DNS_TMP/$1" var i
	shift 2
	mkdir -p "$dir"
	"${DNS_REAP[@]}" "$DNS_PY" "$DC_PROVIDER" --addr "$addr" --cert "$DC_CERT" --key "$DC_KEY" \
		--port-file "$dir/port" --log "$dir/requests" "$@" >"$dir/log" 2>&1 &
	DNS_PIDS+=($!)
	for ((i = 0; i < 200; i++)); do
		[ -s "$dir/port" ] && break
		kill -0 "$!" 2>/dev/null || { cat "$dir/log" >&2; fail "dcprovider $id died"; }
		sleep 0.05
	done
	[ -s "$dir/port" ] || fail "dcprovider $id did not start"
	var=$(tr 'a-z-' 'A-Z_' <<<"$id")
	printf -v "DCP_${var}_PORT" '%s' "$(cat "$dir/port")"
	printf -v "DCP_${var}_ADDR" '%s' "$addr"
}

# dc_vendor CONF DIR [CMD...]: what the vendor does once, by behalf itself
# (CMD: the command that runs it, default $BEHALF_BIN; a test running it as
# the broker's user passes its own): `domainconnect keygen` (CONF names the
# key file, provider_id vendor.example and sync_pubkey_domain
# keys.vendor.example), its TXT records published in Knot k1's zone
# vendor.example (so call it before k1 starts), and `domainconnect
# template -o DIR`: $DC_TEMPLATE, for the provider's --template.
dc_vendor() {
	local conf=$1 dir=$2
	shift 2
	[ $# -gt 0 ] || set -- "$BEHALF_BIN"
	"$@" domainconnect keygen --config "$conf" >"$DNS_TMP/keygen.out" 2>&1 ||
		fail "keygen: $(cat "$DNS_TMP/keygen.out")"
	"$@" domainconnect template --config "$conf" -o "$dir" >/dev/null || fail "template"
	DC_TEMPLATE=$dir/vendor.example.postmark.json
	[ -s "$DC_TEMPLATE" ] || fail "no template written: $(ls "$dir")"
	grep '^_dck1\.keys\.vendor\.example\. .* TXT "p=' "$DNS_TMP/keygen.out" |
		knot_zone k1 vendor.example
	[ "$(grep -c 'TXT "p=' "$DNS_TMP/k1/zones/vendor.example.zone")" -ge 2 ] ||
		fail "keygen printed no split TXT records: $(cat "$DNS_TMP/keygen.out")"
}

# dc_point ID: $DNS_ZONE's _domainconnect TXT (at Knot k1, running) names
# the provider ID (its address and port), instead of what it named.
dc_point() {
	local var addr port
	var=$(tr 'a-z-' 'A-Z_' <<<"$1")
	eval "addr=\${DCP_${var}_ADDR} port=\${DCP_${var}_PORT}"
	knot_update k1 "$DNS_ZONE" <<EOF
del _domainconnect.$DNS_ZONE. TXT
add _domainconnect.$DNS_ZONE. 300 TXT "$addr:$port"
EOF
}

dc_config() {
	{
		printf '[domainconnect]\nallow_loopback = %s\nca_file = %s\n' "$2" "$DC_CERT"
		printf 'provider_id = %s\nservice_id = %s\n' "${3:-vendor.example}" "${4:-postmark}"
	} >"$1"
}

run_discover() {
	DISC_RC=0
	timeout 60 "$BEHALF_BIN" domainconnect discover "$@" >"$DISC_OUT" 2>"$DISC_ERR" || DISC_RC=$?
}

disc_expect() {
	jq -s -e --arg d "$1" "map(select(.domain == \$d)) | length == 1 and (.[0] | $2)" \
		"$DISC_OUT" >/dev/null || {
		cat "$DISC_OUT" "$DISC_ERR" >&2
		fail "$1: $3"
	}
}
