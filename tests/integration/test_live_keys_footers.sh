#!/usr/bin/env bash
# The footers the demo never shows, live: the confirmation step's keys
# follow what it shows.  The own-server question (per_customer_server =
# ask) offers y/n and Esc, and they work; the DMARC warning offers s, Enter
# and Esc, and they work; once the email is on its way, r and a.  Every key
# a footer shows does something (tests/e2e/test_keys_footers.sh walks the
# demo's screens).
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"


# A second zone at the same Knot: a domain whose DMARC policy blocks option 2.
knot_zone k1 strict.example <<'EOZ'
_dmarc 300 TXT "v=DMARC1; p=reject; rua=mailto:d@strict.example"
EOZ
live_setup
live_config "per_customer_server = ask"
live_start
e2e_wait "Press Enter to start."
e2e_keys 2
live_wait "Which address should your emails come from?"

# ---- The DMARC warning: s, Enter, Esc.
e2e_type "jane@strict.example"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_keys Enter
live_wait "strict.example has a strict DMARC policy (p=reject)"
e2e_footer "s own domain  Enter go on anyway  Esc other address   s switch  ? help  q quit"
e2e_keys Escape
e2e_wait "Which address should your emails come from?"
e2e_keys Enter
live_wait "strict.example has a strict DMARC policy (p=reject)"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Domain strict.example"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Which address should your emails come from?"
e2e_keys Enter
live_wait "strict.example has a strict DMARC policy (p=reject)"
e2e_keys Enter

# ---- Then the own-server question: Esc, then y.
live_wait "a server of my own"
e2e_footer "y/n answer  Esc back"
e2e_equal "servers before the answer" 0 "$(sim_jq '.Servers | length')"
e2e_keys Escape
e2e_wait "Which address should your emails come from?"
e2e_keys Enter
# the warning was answered for this address: not asked again
live_wait "a server of my own"
e2e_refute_screen "has a strict DMARC policy (p=reject)"
e2e_keys y
live_wait "We asked Postmark to send a confirmation email to jane@strict.example."
e2e_equal "servers after yes" 1 "$(sim_jq '.Servers | length')"

# ---- Waiting for the click: r, a.
e2e_footer "r resend  a another address  Esc back"
e2e_keys r
e2e_wait "We will send it again in"
e2e_keys a
e2e_wait "Which address should your emails come from?"

e2e_pass
