#!/usr/bin/env bash
# Terminals and locales: NO_COLOR turns colours off (attributes stay, so the
# highlight is still visible); vt100, linux and screen render; without a
# UTF-8 locale the line drawing and symbols fall back to ASCII.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# quit_now: leaves behalf from a screen where q is a command.
quit_now() {
	e2e_keys q
	e2e_wait "y yes, quit"
	e2e_keys y
	e2e_equal "exit status" 0 "$(e2e_wait_exit)"
}

# welcome_and_choose: the first two screens are there and readable.
welcome_and_choose() {
	e2e_wait "Press Enter to start."
	e2e_assert_screen "Let's get your emails sent under your own name"
	e2e_keys Enter
	e2e_wait "How should your emails be sent?"
	e2e_assert_screen "1  Your own domain  Recommended"
	e2e_assert_screen "3  Your name on our domain"
	e2e_assert_screen "Up/Down move  1-4 pick  Enter select"
}

# ---- Colours on (xterm-256color): colour codes on screen.
e2e_start --customer colour
e2e_wait "Press Enter to start."
[ -n "$(e2e_colour_codes)" ] || e2e_fail "no colours with TERM=xterm-256color"
e2e_keys Enter
e2e_wait "How should your emails be sent?"
[ -n "$(e2e_colour_codes)" ] || e2e_fail "no colours on the choose screen"
quit_now

# ---- NO_COLOR=1: no colour at all, but the highlight still shows.
E2E_ENV="NO_COLOR=1" e2e_start --customer nocolour
e2e_wait "Press Enter to start."
codes=$(e2e_colour_codes)
[ -z "$codes" ] || e2e_fail "colours with NO_COLOR=1 on the welcome screen: $codes"
e2e_keys Enter
e2e_wait "How should your emails be sent?"
codes=$(e2e_colour_codes)
[ -z "$codes" ] || e2e_fail "colours with NO_COLOR=1 on the choose screen: $codes"
# the selected option is in reverse video
e2e_screen_sgr | grep -qF $'\e[7m 1  Your own domain ' ||
	e2e_fail "the selected option is not highlighted without colours"
e2e_keys Down
e2e_wait "› 2  A verified From address"
e2e_screen_sgr | grep -qF $'\e[7m 2  A verified From address ' ||
	e2e_fail "the highlight did not follow Down without colours"
codes=$(e2e_colour_codes)
[ -z "$codes" ] || e2e_fail "colours with NO_COLOR=1 after a move: $codes"
quit_now

# ---- Other terminals.
for term in vt100 linux screen; do
	E2E_TERM=$term e2e_start --customer "term-$term"
	welcome_and_choose
	if [ "$term" = vt100 ]; then
		codes=$(e2e_colour_codes)
		[ -z "$codes" ] || e2e_fail "colours on a vt100: $codes"
	fi
	quit_now
done

# ---- No UTF-8 (LANG=C): nothing but ASCII on any screen.
ascii_only() {
	local bad
	bad=$(e2e_screen | LC_ALL=C grep -n '[^ -~]' || true)
	[ -z "$bad" ] || e2e_fail "non-ASCII on screen with LANG=C ($1): $bad"
}
E2E_ENV="LANG=C LC_ALL=C" e2e_start --customer ascii
e2e_wait "Press Enter to start."
e2e_assert_screen "Acme Help Desk - behalf: send email under your own name"
e2e_assert_screen "Welcome > Choose > Set up > Done"
ascii_only welcome
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_assert_screen "> 1  Your own domain  Recommended"
ascii_only choose
e2e_keys '?'
e2e_wait "Press any key to close this help."
ascii_only help
e2e_keys Escape
e2e_wait_gone "Press any key to close this help."
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
# The terminal still sends UTF-8: a non-ASCII name typed here arrives whole
# (shown as ASCII), and goes on in its xn-- form.
e2e_type "bücher.example"
e2e_wait "Domain b?cher.example"
ascii_only domain-idn
e2e_keys Enter
e2e_wait "(xn--bcher-kva.example)"
e2e_equal "the name as typed, saved" "bücher.example" "$(e2e_jq "$E2E_STATE/ascii.json" '.domain_input.text')"
e2e_keys Escape
e2e_wait "Which domain do your emails come from?"
e2e_keys C-u
e2e_type "acme-example.com"
e2e_keys Enter
# another domain: keep or remove the first one at the ESP (keep)
e2e_wait "Domain xn--bcher-kva.example at Postmark"
ascii_only switch
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com"
e2e_wait "Not found yet"
ascii_only records
e2e_keys n
e2e_wait "added your domain to the name a second time"
ascii_only records-zone-appended
e2e_keys n
e2e_wait "ns52.domaincontrol.com not yet."
e2e_wait "Verified"
ascii_only records-partial
e2e_keys n
e2e_wait "All set!"
ascii_only "done"
quit_now

e2e_pass
