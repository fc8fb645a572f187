#!/usr/bin/env bash
# The vendor's side of Domain Connect (issue 12, items 3, 4 and 6):
# `behalf domainconnect template` writes <provider>.<service>.json that a
# JSON Schema validator (draft-07) accepts against the spec's
# template.schema (and a copy without providerId is rejected, so the check
# can fail); `keygen` makes a mode-600 key, refuses to overwrite it and
# prints p=1/p=2 TXT records; a URL from `sign-url` verifies with
# `openssl dgst -sha256 -verify` against the public key re-assembled from
# those printed records, in the spec's way and in Cloudflare's (key signed);
# a key file others can read is refused and the key is never printed.
set -euo pipefail

: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
: "${BEHALF_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/behalf-dcv.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
export XDG_CONFIG_HOME="$T/xdg" XDG_STATE_HOME="$T/xdg-state"
SCHEMA="$BEHALF_SOURCE_DIR/tests/data/domainconnect/template.schema"
VALIDATE="$BEHALF_SOURCE_DIR/tests/integration/validate_json.py"
# shellcheck source=clilib.sh
. "$(dirname "$0")/clilib.sh"

cat >"$T/behalf.conf" <<CONF
[vendor]
name = Acme Help Desk
domain = acmehelp.example
[postmark]
return_path_label = pm-bounces
[domainconnect]
service_id = postmark
private_key_file = $T/keys/dc.pem
key_host = _dck1
sync_pubkey_domain = keys.acmehelp.example
logo_url = https://acmehelp.example/logo.png
dmarc = v=DMARC1; p=none
CONF
mkdir -m 700 "$T/keys" "$T/out.d"

# --- the template ------------------------------------------------------
run domainconnect template --config "$T/behalf.conf" -o "$T/out.d"
expect 0 "template written"
TPL="$T/out.d/acmehelp.example.postmark.json"
if [ -f "$TPL" ]; then ok "named <providerId>.<serviceId>.json"; else fail "no $TPL: $(ls "$T/out.d")"; fi
if python3 "$VALIDATE" "$SCHEMA" "$TPL" 2>"$T/verr"; then ok "valid against template.schema"; else fail "invalid: $(cat "$T/verr")"; fi
python3 - "$TPL" >"$T/bad.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); del t["providerId"]; print(json.dumps(t))
PY
if python3 "$VALIDATE" "$SCHEMA" "$T/bad.json" 2>"$T/verr"; then fail "the validator accepts a template without providerId"; else has "$T/verr" "providerId" "the validator rejects a template without providerId"; fi
python3 - "$TPL" >"$T/facts" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
r = {(x["type"], x["host"]): x for x in t["records"]}
print("dkim", r[("TXT", "%dkimselector%._domainkey")]["data"])
print("rp", r[("CNAME", "pm-bounces")]["pointsTo"])
d = r[("TXT", "_dmarc")]
print("dmarc", d["data"], d["txtConflictMatchingMode"], d["essential"])
print("sync", t["syncPubKeyDomain"], t["warnPhishing"], t.get("logoUrl"))
PY
has "$T/facts" "dkim %dkimvalue%" "DKIM TXT at %dkimselector%._domainkey = %dkimvalue%"
has "$T/facts" "rp %returnpathvalue%" "Return-Path CNAME at the fixed pm-bounces"
has "$T/facts" "dmarc v=DMARC1; p=none Prefix OnApply" "DMARC kept apart from an existing one"
has "$T/facts" "sync keys.acmehelp.example True https://acmehelp.example/logo.png" "syncPubKeyDomain, warnPhishing, logo"
run domainconnect template --config "$T/behalf.conf" -o -
expect 0 "template on standard output"
if cmp -s "$T/out" "$TPL"; then ok "the same template on stdout"; else fail "stdout differs from the file"; fi

# --- keygen -----------------------------------------------------------
run domainconnect keygen --config "$T/behalf.conf"
expect 0 "keygen"
cp "$T/out" "$T/keygen.out"
mode=$(stat -c %a "$T/keys/dc.pem")
if [ "$mode" = 600 ]; then ok "private key mode 600"; else fail "private key mode $mode"; fi
hasnt "$T/keygen.out" "PRIVATE KEY" "the private key is not printed"
has "$T/keygen.out" '_dck1.keys.acmehelp.example. 3600 IN TXT "p=1,a=RS256,d=MII' "zone-file form, p=1"
has "$T/keygen.out" '_dck1.keys.acmehelp.example. 3600 IN TXT "p=2,a=RS256,d=' "zone-file form, p=2"
has "$T/keygen.out" '  p=1,a=RS256,d=' "the list form"
long=$(grep -o '"p=[^"]*"' "$T/keygen.out" | awk 'length($0) > 257' | wc -l)
if [ "$long" -eq 0 ]; then ok "each TXT string <= 255 bytes"; else fail "$long TXT strings over 255 bytes"; fi
sum=$(md5sum <"$T/keys/dc.pem")
run domainconnect keygen --config "$T/behalf.conf"
expect 1 "keygen again"
has "$T/err" "never overwritten" "an existing key is refused"
if [ "$(md5sum <"$T/keys/dc.pem")" = "$sum" ]; then ok "the key is unchanged"; else fail "the key was overwritten"; fi
run domainconnect keygen --config "$T/behalf.conf" --show
expect 0 "keygen --show"
if diff <(grep 'IN TXT' "$T/out") <(grep 'IN TXT' "$T/keygen.out") >/dev/null; then ok "--show prints the same records"; else fail "--show differs"; fi

# The public key as a provider would rebuild it from the zone-file records.
grep 'IN TXT' "$T/keygen.out" | sed -E 's/.*"p=([0-9]+),a=RS256,d=([^"]*)"/\1 \2/' | sort -n |
	cut -d' ' -f2 | tr -d '\n' >"$T/spki.b64"
{
	echo "-----BEGIN PUBLIC KEY-----"
	fold -w 64 "$T/spki.b64"
	echo
	echo "-----END PUBLIC KEY-----"
} | grep -v '^$' >"$T/pub.pem"
if openssl pkey -pubin -in "$T/pub.pem" -noout 2>/dev/null; then ok "the TXT records join into a public key"; else fail "the TXT records do not make a key"; fi

# checks URL SED: true when the string signed (the URL's query with the
# parameters SED deletes taken out) verifies with openssl against the
# re-assembled key.
checks() {
	local q sig
	q=${1#*\?}
	sig=$(printf '%s' "$q" | tr '&' '\n' | sed -n 's/^sig=//p')
	printf '%s' "$q" | tr '&' '\n' | sed -E "$2" | paste -sd '&' | tr -d '\n' >"$T/signed"
	python3 -c 'import sys, urllib.parse, base64; sys.stdout.buffer.write(base64.b64decode(urllib.parse.unquote(sys.argv[1])))' "$sig" >"$T/sig.bin"
	openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/sig.bin" "$T/signed" >/dev/null 2>&1
}
verify() {
	if checks "$1" "$2"; then ok "$3"; else fail "$3: openssl does not verify '$(cat "$T/signed")'"; fi
}
refute() {
	if checks "$1" "$2"; then fail "$3: openssl verifies '$(cat "$T/signed")'"; else ok "$3"; fi
}

# --- sign-url ---------------------------------------------------------
run domainconnect sign-url --config "$T/behalf.conf" --domain customer.example \
	--var dkimselector=20261201pm --var 'dkimvalue=k=rsa; p=MIGfMA0+/=' \
	--var returnpathvalue=pm.mtasv.net --url-sync-ux https://dc.test/sync
expect 0 "sign-url"
if [ "$(wc -l <"$T/out")" -eq 1 ]; then ok "one line"; else fail "sign-url printed $(wc -l <"$T/out") lines"; fi
URL=$(cat "$T/out")
case "$URL" in
"https://dc.test/sync/v2/domainTemplates/providers/acmehelp.example/services/postmark/apply?domain=customer.example&host=&dkimselector=20261201pm&dkimvalue=k%3Drsa%3B%20p%3DMIGfMA0%2B%2F%3D&returnpathvalue=pm.mtasv.net&sig="*"&key=_dck1")
	ok "the apply URL, values escaped" ;;
*) fail "unexpected URL: $URL" ;;
esac
verify "$URL" '/^(sig|key)=/d' "openssl verifies the spec's signed string (no sig, no key)"
refute "$URL" '/^sig=/d' "with key in the signed string it does not verify (the switch matters)"

run domainconnect sign-url --config "$T/behalf.conf" --domain customer.example --host mail \
	--var dkimselector=s1 --url-sync-ux https://dc.test/sync --sign-key
expect 0 "sign-url --sign-key"
URL=$(cat "$T/out")
verify "$URL" '/^sig=/d' "Cloudflare's way: key signed too, openssl verifies"
refute "$URL" '/^(sig|key)=/d' "and without key it does not"

chmod 644 "$T/keys/dc.pem"
run domainconnect sign-url --config "$T/behalf.conf" --domain customer.example --url-sync-ux https://dc.test/sync
expect 1 "a key readable by others"
has "$T/err" "mode 644" "the refusal names the mode"
hasnt "$T/err" "PRIVATE KEY" "and not the key"

run domainconnect sign-url --config "$T/behalf.conf" --url-sync-ux https://dc.test/sync
expect 2 "sign-url without --domain"
# Nothing is signed for what is not a domain name (the key would vouch for it).
run domainconnect sign-url --config "$T/behalf.conf" --domain "customer.example&x=1" \
	--url-sync-ux https://dc.test/sync
expect 2 "sign-url with a --domain that is not a domain"
has "$T/err" "is not a domain name" "says why"
hasnt "$T/out" "sig=" "and prints no URL"

if [ "$fails" -gt 0 ]; then
	echo "$fails check(s) failed" >&2
	exit 1
fi
echo "all passed"
