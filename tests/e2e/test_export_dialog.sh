#!/usr/bin/env bash
# The export dialog ("e") in the demo: nothing to share before an option is
# followed; from the records screen a file is written in the working
# directory; the send form asks for the teammate's address when it is
# empty, refuses a bad one at the field, sends, shows the email the sandbox
# kept (addressed to the teammate, the note first) in a preview that
# scrolls, and refuses a 4th send within the hour saying when it will be
# possible, its footer no longer offering to send; demo sends count apart
# from a real session's; copy writes the OSC 52 sequence (tmux turns it
# into a paste buffer); Esc goes back step by step.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

WORK="$E2E_TMP/work"
mkdir -p "$WORK"
cd "$WORK"
# (no start-server first: a server without a session exits at once, and the
# next client can reach it while it dies: "server exited unexpectedly")
e2e_start
e2e_tmux set -g set-clipboard on
e2e_wait "Press Enter to start."

# Nothing to share on the welcome screen: a notice says so.
e2e_keys e
e2e_wait "There is nothing to share yet"
e2e_refute_screen "Share these instructions"

e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "acme-example.com"
e2e_wait "Domain acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."

# The dialog: four ways.
e2e_keys e
e2e_wait "Share these instructions"
e2e_assert_screen "1. Write a file"
e2e_assert_screen "2. Send to a teammate by email"
e2e_assert_screen "3. Copy a value to the clipboard"
e2e_assert_screen "4. Show a QR code"

# 1. A file, in the working directory, atomically (no temporary left).
e2e_keys 1
e2e_wait "Pick a format."
e2e_keys Down Down
e2e_wait "HTML (.html)"
e2e_keys Up Up Enter
e2e_wait "Written: $WORK/behalf-acme-example.com.txt"
[ -s "$WORK/behalf-acme-example.com.txt" ] || e2e_fail "the file was not written"
grep -q "acme-example.com" "$WORK/behalf-acme-example.com.txt" || e2e_fail "the file does not name the domain"
grep -q "pm.mtasv.net" "$WORK/behalf-acme-example.com.txt" || e2e_fail "the file lacks the Return-Path record"
[ -z "$(find "$WORK" -name '*.tmp')" ] || e2e_fail "a temporary file was left"
e2e_keys Escape
e2e_wait "Pick a format."
e2e_keys Down Down Down Down Enter
e2e_wait "Written: $WORK/behalf-acme-example.com.zone"
grep -q 'IN[[:space:]]*CNAME[[:space:]]*pm.mtasv.net.' "$WORK/behalf-acme-example.com.zone" ||
	e2e_fail "the zone file lacks the CNAME: $(cat "$WORK/behalf-acme-example.com.zone")"
e2e_equal "audit: exported" 2 "$(grep -c '"event": *"exported"' "$E2E_STATE/audit.jsonl")"
e2e_keys Escape Escape
e2e_wait "1. Write a file"

# 2. Send: an empty address asks for the teammate's; a bad one is refused.
e2e_keys 2
e2e_wait "Their address"
e2e_assert_screen "Tab next field  Enter send  Esc back"
e2e_keys Enter
e2e_wait "Type their address: the email address of the teammate"
e2e_refute_screen "Type your email address"
e2e_type "pat@"
e2e_keys Tab
e2e_type "Please add these today."
e2e_keys Tab
e2e_type "jane@acme-example.com"
e2e_keys Enter
e2e_wait "Their address"
e2e_assert_screen "Type"
e2e_refute_screen "nothing was sent"
e2e_equal "nothing kept before a valid send" 0 \
	"$(jq '.Outbox // [] | length' "$E2E_STATE/sandbox-account.json" 2>/dev/null || echo 0)"
# the focus is back on the wrong field
e2e_keys C-u
e2e_type "pat@dns-team.example"
e2e_keys Enter
e2e_wait "nothing was sent. This is the email that would go out"
e2e_assert_screen "From      Acme Help Desk <notifications@acmehelp.example>"
e2e_assert_screen "To        pat@dns-team.example"
e2e_assert_screen "Reply-To  jane@acme-example.com"
e2e_assert_screen "Subject   Email set-up instructions for acme-example.com"
# The email speaks to the teammate: who asks, the note, then why.
e2e_assert_screen "Hello,"
e2e_assert_screen "jane@acme-example.com asked you to help set up email for"
e2e_assert_screen "    Please add these today."
# The preview scrolls through the whole email, the footer says where.
e2e_assert_screen "Up/Down scroll  PgUp/PgDn page  Esc back"
e2e_assert_screen "Lines 1-8 of "
e2e_keys NPage
e2e_wait "Lines 8-15 of "
e2e_wait "To answer jane@acme-example.com, reply to this email."
e2e_refute_screen "Hello,"
e2e_keys Down
e2e_wait "Lines 9-16 of "
# Page down to the end of the email, then back up to its start.
lines_shown() { e2e_screen | grep -o 'Lines [0-9]*-[0-9]* of [0-9]*' || true; }
page() { # page KEY: presses KEY and waits until the rows shown change
	local was i=0
	was=$(lines_shown)
	e2e_keys "$1"
	while [ "$(lines_shown)" = "$was" ]; do
		i=$((i + 1))
		((i < E2E_TIMEOUT * 20)) || e2e_fail "$1 did not scroll from: $was"
		sleep 0.05
	done
}
n=0
until e2e_screen | grep -qF "Prepared by Acme Help Desk on 2027-01-01 00:00 UTC."; do
	n=$((n + 1))
	((n < 40)) || e2e_fail "paging down never reached the end of the email"
	page NPage
done
e2e_assert_screen "Ask support@acmehelp.example."
read -r last all <<<"$(lines_shown | sed 's/Lines [0-9]*-\([0-9]*\) of \([0-9]*\)/\1 \2/')"
e2e_equal "the last row shown is the email's last" "$all" "$last"
((all > 80)) || e2e_fail "the email has only $all rows"
until [ "$(lines_shown)" = "Lines 1-8 of $all" ]; do
	n=$((n - 1))
	((n > -5)) || e2e_fail "paging up never reached the start of the email"
	page PPage
done
e2e_assert_screen "Hello,"
acct="$E2E_STATE/sandbox-account.json"
e2e_equal "kept in the sandbox" 1 "$(jq '.Outbox | length' "$acct")"
e2e_equal "To" "pat@dns-team.example" "$(jq -r '.Outbox[0].To' "$acct")"
e2e_equal "Reply-To" "jane@acme-example.com" "$(jq -r '.Outbox[0].ReplyTo' "$acct")"
body=$(jq -r '.Outbox[0].TextBody' "$acct")
[[ $body == *"Please add these today."* ]] || e2e_fail "the note is not in the text body"
# the note comes before the instructions
before=${body%%Email set-up instructions for acme-example.com*}
[[ $body == "Hello,"* && $before == *"Please add these today."* ]] ||
	e2e_fail "the email does not open with the letter and the note: ${body:0:300}"
[[ $body == *"pm.mtasv.net"* ]] || e2e_fail "the records are not in the text body"
html=$(jq -r '.Outbox[0].HtmlBody' "$acct")
[[ $html == *"<html"* && $html == *"Please add these today."* ]] || e2e_fail "no HTML body with the note"
# The send time is saved (after the short quiet time of saves), as a demo
# send: a real session's hourly limit is untouched.
i=0
until [ "$(jq '.export.demo_sends_ms | length' "$E2E_STATE/demo.json")" = 1 ]; do
	i=$((i + 1))
	((i < 100)) || e2e_fail "the send time is not saved: $(jq -c .export "$E2E_STATE/demo.json")"
	sleep 0.05
done
e2e_equal "no real send counted" 0 "$(jq '.export.sends_ms | length' "$E2E_STATE/demo.json")"

# Two more sends are fine; the 4th within the hour is refused with when.
for n in 2 3; do
	e2e_keys Escape
	e2e_wait "1. Write a file"
	e2e_keys 2
	e2e_wait "Their address"
	e2e_keys Enter
	e2e_wait "nothing was sent. This is the email that would go out"
	e2e_equal "sends kept" "$n" "$(jq '.Outbox | length' "$acct")"
done
e2e_keys Escape 2
e2e_wait "You can send again in 60 minutes"
# At the limit the footer does not offer to send.
e2e_assert_screen "Tab next field  Esc back"
e2e_refute_screen "Enter send"
e2e_keys Enter
e2e_wait "You have sent the instructions 3 times in the last hour: you can send"
e2e_assert_screen "again in 60 minutes (at 01:00 UTC)."
e2e_equal "no 4th email" 3 "$(jq '.Outbox | length' "$acct")"
e2e_equal "still no real send counted" 0 "$(jq '.export.sends_ms | length' "$E2E_STATE/demo.json")"

# 3. Copy: each record's Name and Value; the OSC 52 sequence reaches the
# terminal (tmux makes a buffer), and the dialog does not claim more than
# it can know.
e2e_keys Escape
e2e_wait "1. Write a file"
e2e_keys 3
e2e_wait "Pick a value to put on your clipboard"
e2e_assert_screen "Return-Path  Name   pm-bounces"
e2e_assert_screen "Return-Path  Value  pm.mtasv.net"
# tmux_buffer_is TEXT: waits until tmux's newest paste buffer is TEXT.
tmux_buffer_is() {
	local i=0
	until [ "$(e2e_tmux show-buffer 2>/dev/null || true)" = "$1" ]; do
		i=$((i + 1))
		((i < 100)) || e2e_fail "tmux's buffer is '$(e2e_tmux show-buffer 2>&1 || true)', not $1"
		sleep 0.05
	done
}
e2e_keys Down Down Down Enter
e2e_wait "Sent to your terminal's clipboard, but terminals do not say whether"
e2e_assert_screen "v shows each Name"
e2e_refute_screen "Copied"
tmux_buffer_is "pm.mtasv.net"
e2e_keys Escape
e2e_wait "Pick a value to put on your clipboard"
# (the list keeps its place: one up is the Return-Path's Name)
e2e_keys Up Enter
e2e_wait "Sent to your terminal's clipboard"
tmux_buffer_is "pm-bounces"

# Esc: back to the list, to the menu, closed; the wizard is where it was.
e2e_keys Escape
e2e_wait "Pick a value to put on your clipboard"
e2e_keys Escape
e2e_wait "1. Write a file"
e2e_keys Escape
e2e_wait_gone "Share these instructions"
e2e_assert_screen "Add these records to the DNS of acme-example.com at GoDaddy."

# Over SSH no file is written: the item says why.
e2e_stop
E2E_ENV="SSH_CONNECTION=192.0.2.1_22_192.0.2.2_22" e2e_start
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
e2e_keys e
e2e_wait "Not offered over SSH"
e2e_keys 1
e2e_settle
e2e_refute_screen "Pick a format."
# The hourly limit survived the restart.
e2e_keys 2
e2e_wait "You can send again in 60 minutes"

e2e_pass
