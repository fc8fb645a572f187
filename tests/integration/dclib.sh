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
