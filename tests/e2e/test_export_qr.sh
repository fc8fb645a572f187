#!/usr/bin/env bash
# The export dialog's QR codes, as a phone would see them: the code of a
# record's value is captured from tmux, turned into an image by
# tests/integration/qr_to_pgm.py and decoded by zbarimg to the exact value;
# the codes of the DKIM key and of all records do not fit 80x24 and the
# screen says what size each needs, then they scan once the window is that
# big.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

command -v zbarimg >/dev/null || e2e_fail "zbarimg (Debian zbar-tools) is needed"
TO_PGM="${BEHALF_SOURCE_DIR:-$BEHALF_E2E_DIR/../..}/tests/integration/qr_to_pgm.py"

# qr_decode NAME [--ascii]: the code on screen, decoded.
qr_decode() {
	e2e_screen >"$E2E_TMP/$1.txt"
	python3 "$TO_PGM" ${2:-} "$E2E_TMP/$1.txt" "$E2E_TMP/$1.pgm" >&2
	zbarimg --quiet --raw -Sbinary "$E2E_TMP/$1.pgm" 2>/dev/null || true
}

e2e_start
e2e_to_domain "acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
# The DKIM value, as the state saved it (saves follow the screen closely).
dkim=$(e2e_state_value '.records[0].value')

e2e_keys e
e2e_wait "Share these instructions"
e2e_keys 4
e2e_wait "Pick what the QR code holds"
e2e_assert_screen "All records, as zone-file lines"

# The Return-Path target fits 80x24.
e2e_keys Down Enter
e2e_wait "QR code: Return-Path"
e2e_wait "█"
e2e_equal "the Return-Path QR code" "pm.mtasv.net" "$(qr_decode return-path | tr -d '\n')"

# The DKIM key (1024 bits): version 9 at level L, 53 modules and the quiet
# zone, 61x31 in half blocks: no encoding fits 80x24 (itest_qr says why);
# the screen says the exact size, and the code scans at that size.
e2e_keys Escape
e2e_wait "Pick what the QR code holds"
e2e_keys Up Enter
e2e_wait "QR code: DKIM key"
e2e_wait "This QR code needs a window of at least 61x33; this one is 80x24."
e2e_assert_screen "then v: each Name and Value alone"
e2e_resize 80 33
e2e_wait_gone "This QR code needs"
e2e_wait "█"
e2e_equal "the DKIM QR code at 80x33" "$dkim" "$(qr_decode dkim-80x33 | tr -d '\n')"
e2e_keys Escape
e2e_wait "Pick what the QR code holds"
e2e_resize 80 24

# All records: too big for 80x24; the screen says what it needs.
e2e_keys Down Down Down Enter
e2e_wait "This QR code needs a window of at least"
# (the resize may reach behalf after the keys: wait for it, do not assert)
e2e_wait "this one is 80x24"
need=$(e2e_screen | tr '\n' ' ' | sed -n 's/.*at least \([0-9]*\)x\([0-9]*\);.*/\1 \2/p')
[ -n "$need" ] || e2e_fail "no size on screen"
read -r need_cols need_rows <<<"$need"
((need_cols >= 80)) || need_cols=80
e2e_resize "$need_cols" "$need_rows"
e2e_wait "QR code: All records"
e2e_wait_gone "This QR code needs"
zone=$(qr_decode all-records)
for want in "$dkim" "pm.mtasv.net." "_dmarc.acme-example.com."; do
	[[ $zone == *"${want:0:60}"* ]] || e2e_fail "the all-records code lacks '${want:0:60}': $zone"
done
[[ $zone == *"CNAME"* ]] || e2e_fail "the all-records code is not zone lines: $zone"

# The DKIM key, too, at that size.
e2e_keys Escape
e2e_wait "Pick what the QR code holds"
e2e_keys Up Up Up Enter
e2e_wait "QR code: DKIM key"
e2e_wait "█"
e2e_equal "the DKIM QR code" "$dkim" "$(qr_decode dkim | tr -d '\n')"

e2e_keys Escape Escape Escape
e2e_wait_gone "Share these instructions"
e2e_pass
