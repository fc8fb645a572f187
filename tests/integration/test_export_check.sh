#!/usr/bin/env bash
# behalf export, read back by the tools the recipients use: the zone lines
# inside a zone checked by kzonecheck, the HTML by a real HTML parser
# (html5lib, strict; xmllint too), with no external resource, the CSV by
# python3's csv module, the JSON by `behalf check`.  Also: the export works
# while a session holds the customer's lock, -o replaces the file whole with
# mode 0644, and exit 2 for an unknown customer, format, or nothing to export.
# (The terminal QR code is scanned in itest_qr.)
set -euo pipefail

: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/behalf-export.XXXXXX")
trap 'rm -rf "$T"' EXIT
STATE=$T/state
mkdir -m 700 "$STATE"
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
ok() {
	echo "ok: $*"
}
have() {
	command -v "$1" >/dev/null 2>&1
}

DKIM_NAME=20250817055129pm._domainkey.customer.example
# 2048-bit sized: over 255 characters, so the zone line splits it.
P=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAr4hvxcoo8xpwWFw9lLbr2XEqL1tfznSzUYrtm9sXVR8BsRejK4YAZtAII7aUiUmYTxOFqRXZUkvxL8r4MfBpb1PrQCrrLqS1Aw9jtdgPsW4Gsf9lJroquAIRItk2Vuq6OhnURKK0vdAzw08Pr42u7mgo14awjyPef7Wg5QIDAQABcglwjcLc8BNVPvVDYbp1HaKh69WGrXAy0jNfvn9yyFE7kZyLGwtTrTx5ZVu8UkxLZNExVq3cbqvzoCObHxSb2d0Pwlep80cauC00MH44i3Uyj8HaTpAxd2EGmLzdwePE0y37zH4iwQpUrQMsQwATp7Dz7WLBXjHWlII5stYQIDAQAB
DKIM_VALUE="k=rsa; p=$P"
# A value seen in DNS, from a hostile server: markup, quotes, a formula.
SEEN='<script>alert(1)</script> \"q\" =cmd|'"'"' /C calc'"'"'!A0 <img src=http://evil.example/x>'

cat >"$T/behalf.conf" <<'EOF'
[vendor]
name = Acme <b>Help</b> & "Desk"
domain = acmehelp.example
support = support@acmehelp.example
EOF

cat >"$STATE/cust1.json" <<EOF
{"schema": 1, "customer": "cust1", "step": "records", "option": "domain",
 "domain_input": {"text": "customer.example", "cursor": 16},
 "domain": {"ascii": "customer.example", "unicode": "customer.example", "idn": false},
 "records_view": {"dns_host": "cloudflare"},
 "records": [
  {"purpose": "dkim", "type": "TXT", "name": "$DKIM_NAME", "value": "$DKIM_VALUE",
   "required": true,
   "result": {"status": "mismatch", "servers": [{"status": "mismatch", "seen": "$SEEN"}],
              "diagnoses": [{"code": "value-mismatch", "arg": "20250817055129pm._domainkey",
                             "arg2": "$SEEN"}]}},
  {"purpose": "return-path", "type": "CNAME", "name": "pm-bounces.customer.example",
   "value": "pm.mtasv.net", "required": true},
  {"purpose": "dmarc", "type": "TXT", "name": "_dmarc.customer.example",
   "value": "v=DMARC1; p=none;", "required": false}]}
EOF
# cust1 again, with the one-click offer its DNS host made (Domain Connect):
# the link's query holds '&', which HTML must escape in the href.
DC_URL='https://dash.cloudflare.example/v2/domainTemplates/providers/acmehelp.example/services/postmark/apply?domain=customer.example&host=&dkimselector=20250817055129pm&key=_dck1&sig=Ab%2Bc%3D'
jq --arg url "$DC_URL" '.customer = "cust1dc" | .schema = 3 |
	.domain_connect = {kind: "apply", domain: "customer.example", provider: "Cloud<b>flare</b>", url: $url}' \
	"$STATE/cust1.json" >"$STATE/cust1dc.json"
cat >"$STATE/cust3.json" <<'EOF'
{"schema": 1, "customer": "cust3", "step": "from-name", "option": "name",
 "from_name": {"text": "=Jane <script>x</script> \"Co\"", "cursor": 0}}
EOF
cat >"$STATE/fresh.json" <<'EOF'
{"schema": 1, "customer": "fresh", "step": "welcome"}
EOF

export_to() { # export_to CUSTOMER FORMAT FILE
	"$BEHALF_BIN" export --config "$T/behalf.conf" --state-dir "$STATE" --customer "$1" \
		--format "$2" -o "$3"
}

# ---- a session holds the lock: export still reads the state ----
# The lock a running session holds (flock on <customer>.lock), held by this
# shell itself so that no child outlives the test.
exec {lockfd}>"$STATE/cust1.lock"
if have flock; then
	flock -n "$lockfd" || fail "cannot take the lock"
fi
for f in text markdown html json zone csv; do
	if export_to cust1 "$f" "$T/out.$f" 2>"$T/err.$f"; then
		ok "export --format $f"
	else
		fail "export --format $f: $(cat "$T/err.$f")"
	fi
done
export_to cust3 html "$T/cust3.html" || fail "export cust3 html"
for f in html json md zone; do
	export_to cust1dc "$f" "$T/dc.$f" || fail "export cust1dc $f"
done
exec {lockfd}>&-

# ---- -o: mode 0644, no temporary file left ----
mode=$(stat -c %a "$T/out.zone")
[ "$mode" = 644 ] && ok "-o mode 644" || fail "-o mode is $mode"
if ls "$T" | grep -q '\.tmp'; then fail "temporary file left"; else ok "no temporary file left"; fi

# ---- each export is in the audit log, even while the session held the lock ----
n=$(grep -c '"customer":"cust1","event":"exported"' "$STATE/audit.jsonl" || true)
[ "$n" = 6 ] && ok "6 exports audited" || fail "exports in the audit log: $n, not 6"
grep -q '"detail":"zone '"$T"'/out.zone"' "$STATE/audit.jsonl" && ok "audit names format and file" ||
	fail "audit line does not name the format and file"

# ---- nothing that a terminal would interpret, in any export ----
for f in text markdown html json zone csv; do
	if LC_ALL=C grep -q $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "$T/out.$f"; then
		fail "$f holds a control character"
	fi
done
ok "no control characters"

# ---- zone: inside a zone with SOA and NS, kzonecheck accepts it ----
if have kzonecheck; then
	{
		echo '$ORIGIN customer.example.'
		echo '$TTL 3600'
		echo '@ IN SOA ns1.customer.example. hostmaster.customer.example. 1 7200 3600 1209600 3600'
		echo '@ IN NS ns1.customer.example.'
		echo 'ns1 IN A 192.0.2.53'
		cat "$T/out.zone"
	} >"$T/customer.example.zone"
	if kzonecheck -o customer.example "$T/customer.example.zone" >"$T/kz.out" 2>&1; then
		ok "kzonecheck accepts the zone lines"
	else
		fail "kzonecheck: $(cat "$T/kz.out")"
	fi
	grep -q '" "' "$T/out.zone" && ok "long TXT split into strings" || fail "DKIM value not split"
else
	echo "skip: kzonecheck (Debian knot-dnssecutils) not installed"
fi
# kzonecheck splits over-long strings itself: check the 255-byte limit here.
python3 - "$T/out.zone" "$DKIM_VALUE" <<'EOF' && ok "TXT strings at most 255 bytes, joined = value" || fail "TXT strings"
import re, sys
lines = [l for l in open(sys.argv[1], encoding="ascii") if not l.startswith(";")]
dkim = [l for l in lines if " TXT " in l][0]
strings = re.findall(r'"((?:[^"\\]|\\.)*)"', dkim)
unesc = [re.sub(r'\\(\d{3}|.)', lambda m: chr(int(m.group(1))) if m.group(1).isdigit() else m.group(1), s) for s in strings]
assert all(len(s.encode()) <= 255 for s in unesc), [len(s) for s in unesc]
assert len(unesc) == 2 and "".join(unesc) == sys.argv[2]
EOF

# ---- HTML: a real parser, no external resources, text escaped ----
# A python3 with html5lib (Debian python3-html5lib), if any.
PY_HTML=
for py in python3 /usr/bin/python3; do
	if have "$py" && "$py" -c 'import html5lib' 2>/dev/null; then
		PY_HTML=$py
		break
	fi
done
[ -n "$PY_HTML" ] || echo "skip: html5lib (Debian python3-html5lib) not installed"
for h in "$T/out.html" "$T/cust3.html" "$T/dc.html"; do
	if [ -n "$PY_HTML" ]; then
		if "$PY_HTML" - "$h" <<'EOF'; then ok "html5lib (strict) parses $(basename "$h")"; else fail "html5lib: $h"; fi
import sys, html5lib
html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], "rb"))
EOF
	fi
	if have xmllint; then
		# libxml2's HTML parser predates inline SVG: only those tags may be unknown to it.
		xmllint --html --noout "$h" 2>"$T/xmllint.out" || true
		other=$(grep 'HTML parser error' "$T/xmllint.out" |
			grep -Ev 'Tag (svg|rect|path) invalid' || true)
		[ -z "$other" ] && ok "xmllint --html: no errors but SVG tags" || fail "xmllint: $other"
	fi
	# Elements and attributes as a parser sees them: text that merely
	# mentions http:// is fine, a URL in an attribute or in CSS is not.
	if python3 - "$h" <<'EOF'; then ok "no external resource in $(basename "$h")"; else fail "$h loads an external resource"; fi
import sys
from html.parser import HTMLParser

class Check(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad = []
        self.in_style = False
        self.tags = []
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.in_style = tag == "style"
        for k, v in attrs:
            v = (v or "").strip().lower()
            # a link the reader may follow is no resource the page loads:
            # <a href> to an https URL only
            if tag == "a" and k == "href" and v.startswith("https://"):
                continue
            if k in ("src", "href", "action", "poster", "data", "srcset", "xlink:href") and \
                    not v.startswith("#"):
                self.bad.append((tag, k, v))
            if k == "style" and "url(" in v:
                self.bad.append((tag, k, v))
    def handle_endtag(self, tag):
        self.in_style = False
    def handle_data(self, data):
        if self.in_style and ("url(" in data or "@import" in data):
            self.bad.append(("style", "", data[:80]))

c = Check()
c.feed(open(sys.argv[1], encoding="utf-8").read())
for tag in ("script", "img", "iframe", "link", "object", "embed", "b"):
    if tag in c.tags:
        c.bad.append((tag, "element", ""))
if c.bad:
    sys.exit("external or injected: %r" % c.bad)
EOF
done
# The reviewed HTML sheets, among them the email to a teammate (its letter,
# the note as a block quote), parse strictly as well.
if [ -n "$PY_HTML" ]; then
	for h in "$(dirname "$0")"/../data/export/*.html.golden; do
		"$PY_HTML" -c 'import sys, html5lib; html5lib.HTMLParser(strict=True).parse(open(sys.argv[1], "rb"))' "$h" &&
			ok "html5lib (strict) parses $(basename "$h")" || fail "html5lib: $h"
	done
fi
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$T/out.html" && ok "DNS text escaped in HTML" ||
	fail "DNS text not escaped in HTML"
grep -q '<svg' "$T/out.html" && ok "HTML carries the QR code as inline SVG" || fail "no SVG"

# ---- the one-click link: one https link in HTML, its href the URL exactly ----
if python3 - "$T/dc.html" "$DC_URL" <<'EOF'; then ok "HTML links the one-click URL"; else fail "HTML one-click link"; fi
import sys
from html.parser import HTMLParser

class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []
    def handle_starttag(self, tag, attrs):
        self.hrefs += [v for k, v in attrs if k == "href"]

p = Links()
p.feed(open(sys.argv[1], encoding="utf-8").read())
assert p.hrefs == [sys.argv[2]], p.hrefs
EOF
grep -q 'Cloud&lt;b&gt;flare&lt;/b&gt;' "$T/dc.html" && ok "DNS host's name escaped in HTML" ||
	fail "DNS host's name not escaped in HTML"
grep -qxF "<$DC_URL>" "$T/dc.md" && ok "markdown: the link as an autolink" || fail "markdown: no autolink"
grep -qF "; Quicker: let Cloud<b>flare</b> add them: $DC_URL" "$T/dc.zone" && ok "zone: the link as a comment" ||
	fail "zone: no link comment"
set +e
"$BEHALF_BIN" check --records "$T/dc.json" --authoritative 127.0.0.1:1 --resolver 127.0.0.1:1 \
	--json >"$T/check.out" 2>"$T/check.err"
rc=$?
set -e
[ "$rc" = 3 ] && ok "behalf check reads the JSON with domain_connect (exit 3)" ||
	fail "behalf check of the JSON with domain_connect: exit $rc: $(cat "$T/check.err")"
python3 - "$T/dc.json" "$DC_URL" <<'EOF' && ok "JSON domain_connect" || fail "JSON domain_connect"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["domain_connect"] == {"kind": "apply", "provider": "Cloud<b>flare</b>", "url": sys.argv[2]}, d
assert len(d["records"]) == 3
EOF

# ---- CSV: python3's csv module reads the cells back ----
if python3 - "$T/out.csv" "$DKIM_NAME" "$DKIM_VALUE" <<'EOF'; then ok "CSV read back"; else fail "CSV"; fi
import csv, sys
path, name, value = sys.argv[1:4]
with open(path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f, strict=True))
assert rows[0] == ["Purpose", "Type", "Full name", "Name to type", "Value", "TTL", "Status"], rows[0]
assert len(rows) == 4, rows
assert rows[1][1:6] == ["TXT", name, "20250817055129pm._domainkey", value, "3600"], rows[1]
assert rows[2][1:6] == ["CNAME", "pm-bounces.customer.example", "pm-bounces", "pm.mtasv.net", "3600"], rows[2]
assert rows[3][3:5] == ["_dmarc", "v=DMARC1; p=none;"], rows[3]
for row in rows:
    for cell in row:
        assert not cell or cell[0] not in "=+-@\t\r", cell
EOF

# ---- JSON: `behalf check` parses it (3: unreachable, not 2: bad input) ----
set +e
"$BEHALF_BIN" check --records "$T/out.json" --authoritative 127.0.0.1:1 --resolver 127.0.0.1:1 \
	--json >"$T/check.out" 2>"$T/check.err"
rc=$?
set -e
[ "$rc" = 3 ] && ok "behalf check reads the JSON (exit 3)" ||
	fail "behalf check exit $rc: $(cat "$T/check.err")"
python3 - "$T/out.json" "$DKIM_VALUE" <<'EOF' && ok "JSON read back" || fail "JSON"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["domain"] == "customer.example"
assert [r["purpose"] for r in d["records"]] == ["dkim", "return-path", "dmarc"]
assert d["records"][0]["value"] == sys.argv[2]
assert d["records"][0]["status"] == "mismatch"
EOF

# ---- JSON without records (option 3): check has nothing to verify, exit 2 ----
export_to cust3 json "$T/cust3.json" || fail "export cust3 json"
printf '{"domain": "customer.example", "records": []}\n' >"$T/empty.json"
for f in "$T/cust3.json" "$T/empty.json"; do
	set +e
	"$BEHALF_BIN" check --records "$f" --authoritative 127.0.0.1:1 --resolver 127.0.0.1:1 \
		>"$T/check.out" 2>"$T/check.err"
	rc=$?
	set -e
	if [ "$rc" = 2 ] && grep -qF "behalf check: $f lists no records, so there is nothing to check" "$T/check.err" &&
		! grep -qi "verified" "$T/check.out"; then
		ok "check of $(basename "$f") (no records): exit 2, said why"
	else
		fail "check of $(basename "$f") (no records): exit $rc, out: $(cat "$T/check.out"), err: $(cat "$T/check.err")"
	fi
done

# ---- the text says what matters ----
for want in "$DKIM_NAME" "20250817055129pm._domainkey" "dig +short TXT $DKIM_NAME" \
	"dig +short CNAME pm-bounces.customer.example" "Cloudflare" "support@acmehelp.example" \
	"Needs a fix"; do
	grep -qF -- "$want" "$T/out.text" || fail "text export lacks: $want"
done
ok "text export content"

# ---- errors: exit 2 with a message ----
expect_2() { # expect_2 WHAT ARGS...
	local what=$1 rc
	shift
	set +e
	"$BEHALF_BIN" export --config "$T/behalf.conf" --state-dir "$STATE" "$@" >"$T/e.out" 2>"$T/e.err"
	rc=$?
	set -e
	if [ "$rc" = 2 ] && grep -q 'behalf export:' "$T/e.err" && [ ! -s "$T/e.out" ]; then
		ok "$what: exit 2 ($(grep 'behalf export:' "$T/e.err" | head -1))"
	else
		fail "$what: exit $rc, stderr: $(cat "$T/e.err")"
	fi
}
expect_2 "unknown customer" --customer nobody --format text
expect_2 "unknown format" --customer cust1 --format pdf
expect_2 "no option chosen" --customer fresh --format text
expect_2 "bad customer id" --customer ../etc --format text
expect_2 "no customer" --format text
expect_2 "no format" --customer cust1

if ((fails)); then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all export checks passed"
