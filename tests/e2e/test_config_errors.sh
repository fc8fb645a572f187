#!/usr/bin/env bash
# behalf does not start with a bad configuration: it exits 2 and says
# FILE:LINE, the key and what is wrong; a good one starts the wizard.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

conf="$E2E_TMP/bad.conf"

# expect_refused WHAT WANT: runs behalf with $conf; it must exit 2, print
# WANT on stderr, draw nothing and save nothing.
expect_refused() {
	local rc=0 out
	out=$("$BEHALF_BIN" --demo --config "$conf" --state-dir "$E2E_STATE" </dev/null 2>"$E2E_TMP/err") || rc=$?
	e2e_equal "$1: exit status" 2 "$rc"
	e2e_equal "$1: nothing on stdout" "" "$out"
	if ! grep -qF -- "$2" "$E2E_TMP/err"; then
		e2e_fail "$1: stderr does not say '$2': $(cat "$E2E_TMP/err")"
	fi
	if [ -n "$(ls -A "$E2E_STATE")" ]; then
		e2e_fail "$1: state written: $(ls -A "$E2E_STATE")"
	fi
}

# A byte that is not UTF-8 in the note (it used to reach the ESP's JSON).
printf '[vendor]\nname = Acme Help Desk\n[postmark]\nsignature_note = Merci, caf\xe9 !\n' >"$conf"
expect_refused "bad UTF-8" "$conf:4: [postmark] signature_note: holds bytes that are not UTF-8"

# A spreadsheet formula where a DNS label goes.
printf '[vendor]\nname = Acme\n[postmark]\nreturn_path_label = =cmd|'"'"' /C calc'"'"'!A0\n' >"$conf"
expect_refused "formula label" "$conf:4: [postmark] return_path_label:"

# Quotes and angle brackets in the shared local part.
printf '[vendor]\nshared_local = "x" <x>\n' >"$conf"
expect_refused "shared_local" "$conf:2: [vendor] shared_local:"

# A line longer than libinih reads (it would cut it in two silently).
{
	printf '[postmark]\nsignature_note = '
	head -c 300 /dev/zero | tr '\0' x
	printf '\n'
} >"$conf"
expect_refused "long line" "$conf:2: [postmark] signature_note: the line is longer than 197"

# The same configuration, fixed, starts the wizard with its words.
printf '[vendor]\nname = Bakery Tools\nshared_local = hello\n[postmark]\nreturn_path_label = pm-bounces\nsignature_note = Merci, caf\xc3\xa9 !\n' >"$conf"
e2e_start --config "$conf"
e2e_wait "Bakery Tools"
e2e_wait "Press Enter to start."

e2e_pass
