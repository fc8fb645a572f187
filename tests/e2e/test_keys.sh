#!/usr/bin/env bash
# Small keys people reach for: 1-3 on the welcome screen pick that way;
# Ctrl-W and Ctrl-U in a field; upper-case command keys work like lower
# case; Home, End, PgUp and PgDn in lists (one that stops at its ends, one
# that wraps around).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_start
e2e_wait "Press Enter to start."
e2e_assert_screen "Enter start  1-3 pick a way"

# ---- 1-3 on the welcome screen go straight to that way; Back leads to
# the choice, that way highlighted, then to the welcome screen.
e2e_keys 2
e2e_wait "Which address should your emails come from?"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_assert_screen "› 2  A verified From address"
e2e_keys Escape
e2e_wait "Press Enter to start."
e2e_keys 4
e2e_settle
e2e_assert_screen "Press Enter to start."
e2e_keys 3
e2e_wait "Pick how your name"
e2e_assert_screen "Option 3: custom From name"

# ---- Ctrl-W deletes the word before the cursor, Ctrl-U everything before
# the cursor; what follows the cursor stays.
e2e_type "Jane Q Public"
e2e_wait "From: Jane Q Public via Acme Help Desk"
e2e_keys C-w
e2e_type "Doe"
e2e_wait "From: Jane Q Doe via Acme Help Desk"
e2e_keys C-w C-w
e2e_type "Doe"
e2e_wait "From: Jane Doe via Acme Help Desk"
e2e_keys Left Left Left C-u
e2e_wait "From: Doe via Acme Help Desk"
e2e_type "Ms "
e2e_wait "From: Ms Doe via Acme Help Desk"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_keys Escape
e2e_wait "Press Enter to start."

# ---- Home, End, PgUp, PgDn on the choice: first and last row.
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_keys Escape
e2e_wait "› 1  Your own domain"
e2e_keys End
e2e_wait "› 4  Help me choose"
e2e_keys Home
e2e_wait "› 1  Your own domain"
e2e_keys NPage
e2e_wait "› 4  Help me choose"
e2e_keys PPage
e2e_wait "› 1  Your own domain"

# ---- End on the advisor's answers picks the last one, "Not sure".
e2e_keys 4
e2e_wait "Question 1 of 3"
e2e_keys End Enter
e2e_wait "Question 2 of 3"
e2e_assert_screen "Can you edit your DNS?  Not sure"
e2e_keys Escape
e2e_wait "How should your emails be sent?"

# ---- The records list.
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "customer.example"
e2e_keys Enter
e2e_wait "› DKIM key"
e2e_keys End
e2e_wait "› DMARC"
e2e_keys Home
e2e_wait "› DKIM key"
e2e_keys NPage
e2e_wait "› DMARC"
e2e_keys PPage
e2e_wait "› DKIM key"

# ---- Upper case works like lower case: D, E (and Q in the dialog), S, Q, N.
e2e_keys D
e2e_wait "What each of your nameservers answers"
e2e_keys D
e2e_wait_gone "What each of your nameservers answers"
e2e_keys E
e2e_wait "Share these instructions"

# ---- The export menu wraps around with Up and Down; Home and End stop at
# its first and last item.
e2e_wait "› 1. Write a file"
e2e_keys Home
e2e_settle
e2e_assert_screen "› 1. Write a file"
e2e_keys End
e2e_wait "› 4. Show a QR code"
e2e_keys End
e2e_settle
e2e_assert_screen "› 4. Show a QR code"
e2e_keys PPage
e2e_wait "› 1. Write a file"
e2e_keys Q
e2e_wait_gone "Share these instructions"

e2e_keys S
e2e_wait "How should your emails be sent?"
e2e_keys Escape
e2e_wait "› DKIM key"
e2e_keys Q
e2e_wait "y yes, quit  n no, stay"
e2e_keys N
e2e_wait_gone "y yes, quit"
[ -n "$(e2e_pid)" ] || e2e_fail "behalf is gone after N"
e2e_keys Q
e2e_wait "y yes, quit  n no, stay"
e2e_keys Y
e2e_equal "exit status" 0 "$(e2e_wait_exit)"

e2e_pass
