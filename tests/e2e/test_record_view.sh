#!/usr/bin/env bash
# The one-record view ("v" on the records screen): each Name and Value alone
# on a line of the terminal's own screen, written as one line and left to
# wrap, so that the terminal knows it is one line: tmux's capture with -J
# joins wrapped rows the way a triple-click selects them, and must give
# back the exact value.  The records screen itself (curses) cannot: there
# the same capture shows the value cut into indented rows.  Up/Down shows
# another record; Esc goes back to the wizard as it was; a signal while it
# shows leaves the page and the terminal as they were.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# joined: the screen with wrapped rows joined (what a triple-click takes).
joined() {
	e2e_tmux capture-pane -p -J -t e2e
}

# has_line TEXT: a whole line of the joined screen is exactly TEXT.
has_line() {
	joined | grep -qxF -- "$1"
}

e2e_start
e2e_to_domain "acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
e2e_assert_screen "v copy"
dkim=$(e2e_state_value '.records[0].value')
name=$(e2e_jq "$E2E_STATE/demo.json" '.records[0].name')
label=${name%.acme-example.com}
((${#dkim} > 80)) || e2e_fail "the DKIM value is short enough to fit a row: '$dkim'"

# On the curses screen the value is rows of the screen, not one line.
if has_line "$dkim"; then e2e_fail "the records screen already gives the value as one line"; fi

e2e_keys v
e2e_wait "Triple-click a line"
e2e_equal "the view is on the terminal's normal screen" 0 "$(e2e_pane alternate_on)"
e2e_assert_screen "DKIM key: a TXT record for acme-example.com"
has_line "$dkim" || e2e_fail "no line is exactly the DKIM value: $(joined)"
has_line "$label" || e2e_fail "no line is exactly the label $label"
has_line "$name" || e2e_fail "no line is exactly the full name $name"
# the value really is wider than a row: the terminal wrapped it
e2e_screen | grep -qxF -- "${dkim:0:80}" || e2e_fail "the first row is not the value's first 80 characters"

# Down: the Return-Path; Up: back to the DKIM key.
e2e_keys Down
e2e_wait "Return-Path: a CNAME record for acme-example.com"
has_line "pm.mtasv.net" || e2e_fail "no line is exactly pm.mtasv.net"
has_line "pm-bounces" || e2e_fail "no line is exactly pm-bounces"
e2e_keys Up
e2e_wait "DKIM key: a TXT record for acme-example.com"

# Esc: the wizard again, on the record the view showed last.
e2e_keys Escape
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
e2e_equal "the wizard is on the alternate screen again" 1 "$(e2e_pane alternate_on)"
e2e_assert_screen "Name    $label"
# Keys work as before: d shows the details, the view opens again on v.
e2e_keys d
e2e_wait "What each of your nameservers answers"
e2e_keys d v
e2e_wait "Triple-click a line"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com"
# Ctrl-C in the view closes the view, it does not kill the wizard.
e2e_keys v
e2e_wait "Triple-click a line"
e2e_keys C-c
e2e_wait "Add these records to the DNS of acme-example.com"
[ -n "$(e2e_pid)" ] || e2e_fail "behalf is gone"

# SIGTERM (or a dropped connection) while the view shows: behalf saves and
# leaves, and the page stays as it was, the shell's next line below it.
e2e_keys v
e2e_wait "Triple-click a line"
kill -TERM "$(e2e_pid)"
e2e_equal "exit status after SIGTERM in the view" 0 "$(e2e_wait_exit)"
e2e_assert_screen "DKIM key: a TXT record for acme-example.com"
has_line "$dkim" || e2e_fail "the page was overwritten on the way out"
e2e_pass
