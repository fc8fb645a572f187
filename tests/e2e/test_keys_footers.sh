#!/usr/bin/env bash
# Every key a footer shows does something on that screen, and every footer
# fits at 80x24 (its last key is on screen).  A walk through every screen
# of the demo: welcome, choose, help me choose (asking and answered),
# domain, records, the export dialog, switch, address, confirm (waiting and
# confirmed), done, From name (typing and choosing).  Not covered: c on the
# records (the demo checks every 2 s anyway, so a test could not tell), the
# own-server question and the DMARC warning (the demo has neither).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"


# globals WHERE: ? opens the help and any key closes it; q asks and n stays.
globals() {
	e2e_keys '?'
	e2e_wait "Press any key to close this help."
	e2e_keys Escape
	e2e_wait_gone "Press any key to close this help."
	e2e_assert_screen "$1"
	e2e_keys q
	e2e_wait "y yes, quit  n no, stay"
	e2e_keys n
	e2e_wait_gone "y yes, quit"
	e2e_assert_screen "$1"
}

# typing_globals WHERE: F1 opens the help; Ctrl-C asks and n stays.
typing_globals() {
	e2e_keys F1
	e2e_wait "Press any key to close this help."
	e2e_keys Escape
	e2e_wait_gone "Press any key to close this help."
	e2e_keys C-c
	e2e_wait "y yes, quit  n no, stay"
	e2e_keys n
	e2e_wait_gone "y yes, quit"
	e2e_assert_screen "$1"
}

GLOBAL="s switch  ? help  q quit"
TYPING="F1 help  Ctrl-C quit"

# ---- Welcome: Enter, 1-3 (test_keys), s, ?, q.
e2e_start
e2e_wait "Press Enter to start."
e2e_footer "Enter start  1-3 pick a way                           $GLOBAL"
globals "Press Enter to start."
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys Escape
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"

# ---- Choose: Up/Down, 1-4, Enter, Esc, ?, q (no s: it would lead here).
e2e_footer "Up/Down move  1-4 pick  Enter select  Esc back                  ? help  q quit"
globals "How should your emails be sent?"
e2e_keys Down
e2e_wait "› 2  A verified From address"
e2e_keys Up
e2e_wait "› 1  Your own domain"
e2e_keys Escape
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 4
e2e_wait "Question 1 of 3"

# ---- Help me choose, asking: y/n/u, Enter, Bksp, Esc, s, ?, q.
e2e_footer "y/n/u answer  Enter select  Bksp previous  Esc back   $GLOBAL"
globals "Question 1 of 3"
e2e_keys y
e2e_wait "Question 2 of 3"
e2e_keys BSpace
e2e_wait "Question 1 of 3"
e2e_keys n
e2e_wait "Can you edit your DNS?  No"
e2e_keys u
e2e_wait "Must mail come from your own address?  Not sure"
e2e_keys Enter
e2e_wait "We recommend:"
e2e_assert_screen "Do you need to send today?  Yes"

# ---- Answered: Enter, Bksp, Esc (y/n/u no longer offered).
e2e_footer "Enter go with this  Bksp previous  Esc back           $GLOBAL"
e2e_keys BSpace
e2e_wait "Question 3 of 3"
e2e_footer "y/n/u answer"
e2e_keys n
e2e_wait "We recommend:"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_keys 4
e2e_wait "Question 1 of 3"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 4 y y y
e2e_wait "We recommend: Your own domain"
e2e_keys Enter
e2e_wait "Which domain do your emails come from?"

# ---- Domain: Enter, Esc, F1, Ctrl-C.
e2e_footer "Enter continue  Esc back                                  $TYPING"
typing_globals "Which domain do your emails come from?"
e2e_keys Enter
e2e_wait "Type your domain, for example yourcompany.com."
e2e_keys Escape
e2e_wait "We recommend: Your own domain"
e2e_keys Enter
e2e_wait "Which domain do your emails come from?"
e2e_type "customer.example"
e2e_keys Enter
e2e_wait "› DKIM key"

# ---- Records: Up/Down, v, d, e, Esc, s, ?, q (c: see the top).
e2e_footer "Up/Down move  v copy  d details  c check  e export    $GLOBAL"
globals "› DKIM key"
e2e_keys Down
e2e_wait "› Return-Path"
e2e_keys Up
e2e_wait "› DKIM key"
e2e_keys v
e2e_wait "Triple-click a line"
e2e_keys Escape
e2e_wait "› DKIM key"
e2e_keys d
e2e_wait "What each of your nameservers answers"
e2e_keys d
e2e_wait_gone "What each of your nameservers answers"
e2e_keys e
e2e_wait "Share these instructions"

# ---- The export dialog: Up/Down, 1-4, Enter, Esc.
e2e_wait "Up/Down move  1-4 pick  Enter choose  Esc close"
e2e_keys Down
e2e_wait "› 2. Send to a teammate by email"
e2e_keys Up
e2e_wait "› 1. Write a file"
e2e_keys 4
e2e_wait "Pick what the QR code holds"
e2e_keys Escape
e2e_wait "› 4. Show a QR code"
e2e_keys Home
e2e_wait "› 1. Write a file"
e2e_keys Enter
e2e_wait "Pick a format."
e2e_keys Escape
e2e_wait "› 1. Write a file"
e2e_keys Escape
e2e_wait_gone "Share these instructions"
e2e_keys Escape
e2e_wait "Which domain do your emails come from?"
e2e_keys Enter
e2e_wait "› DKIM key"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 2

# ---- Switch: Space, Enter, Esc, s, ?, q (one row here: no Up/Down).
e2e_wait "Domain customer.example at Postmark"
e2e_footer " Space change  Enter confirm  Esc back "
e2e_footer "$GLOBAL"
[ "$(e2e_screen | tail -n 1 | grep -c 'Up/Down')" = 0 ] || e2e_fail "Up/Down in the footer of a one-row switch"
globals "Domain customer.example at Postmark"
e2e_keys Space
e2e_wait "Removed at Postmark when you press Enter."
e2e_keys Space
e2e_wait "Kept: nothing changes at Postmark."
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Domain customer.example at Postmark"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Domain customer.example at Postmark"
e2e_keys Enter
e2e_wait "Which address should your emails come from?"

# ---- Address: Tab, Enter, Esc, F1, Ctrl-C.
e2e_footer "Tab next field  Enter continue  Esc back                  $TYPING"
typing_globals "Which address should your emails come from?"
e2e_keys Tab
e2e_wait "› Name"
e2e_keys Tab
e2e_wait "› Email"
e2e_keys Enter
e2e_wait "Type your email address, for example jane@yourcompany.com."
e2e_type "jane@customer.example"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email to jane@customer.example."

# ---- Confirm, waiting: r, a, Esc, s, ?, q.
e2e_footer "r resend  a another address  Esc back                 $GLOBAL"
globals "We asked Postmark to send a confirmation email"
e2e_keys r
e2e_wait "We will send it again in"
e2e_keys a
e2e_wait "Which address should your emails come from?"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email"
e2e_keys Escape
e2e_wait "Which address should your emails come from?"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email"
# The demo's "n": the customer clicks the link.
e2e_keys n
e2e_wait "All set!"

# ---- Done: e, Esc, s, ?, q.
e2e_footer "e export  Esc back                                    $GLOBAL"
globals "All set!"
e2e_keys e
e2e_wait "Share these instructions"
e2e_keys Escape
e2e_wait_gone "Share these instructions"
e2e_keys Escape
e2e_wait "jane@customer.example is confirmed."

# ---- Confirm, confirmed: Enter, a, Esc (r no longer offered).
e2e_footer "Enter finish  a another address  Esc back             $GLOBAL"
e2e_keys Enter
e2e_wait "All set!"
e2e_keys Escape
e2e_wait "jane@customer.example is confirmed."
e2e_keys a
e2e_wait "Which address should your emails come from?"
e2e_keys Enter
e2e_wait "jane@customer.example is confirmed."
e2e_keys Escape
e2e_wait "Which address should your emails come from?"
e2e_keys Enter
e2e_wait "jane@customer.example is confirmed."
e2e_keys Enter
e2e_wait "All set!"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 3
e2e_wait "Sender address jane@customer.example at Postmark"
e2e_keys Enter

# ---- From name, typing: Tab, Enter, Esc, F1, Ctrl-C; choosing: Left/Right.
e2e_wait "Pick how your name"
e2e_footer "Tab next  Left/Right change  Enter finish  Esc back       $TYPING"
typing_globals "Pick how your name"
e2e_type "Jane"
e2e_keys Tab
e2e_wait "› Format"
e2e_footer "Tab next  Left/Right change  Enter finish  Esc back   $GLOBAL"
globals "› Format"
e2e_keys Right
e2e_wait "From: Acme Help Desk for Jane"
e2e_keys Left
e2e_wait "From: Jane via Acme Help Desk"
e2e_keys Enter
e2e_wait 'Emails from Acme Help Desk now go out as "Jane via Acme Help Desk"'
e2e_keys Escape
e2e_wait "Pick how your name"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 3
e2e_wait "Pick how your name"
e2e_keys Escape
e2e_wait "How should your emails be sent?"

e2e_pass
