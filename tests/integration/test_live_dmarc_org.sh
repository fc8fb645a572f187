#!/usr/bin/env bash
# Option 2 live: the From domain's DMARC policy is the organizational
# domain's when the address's own domain has no record (RFC 7489 6.6.3, the
# organizational domain from the Public Suffix List, sp= for subdomains).
# Knot serves strict.test (p=reject) and relaxed.test (p=reject; sp=none),
# neither with a record for mail.<domain>, and own.test (p=reject) whose
# mail.own.test has its own p=none.  bob@mail.strict.test is warned about,
# naming strict.test, with the warning's keys in the footer (no "r resend":
# nothing was sent) and nothing created at Postmark; bob@mail.own.test and
# bob@mail.relaxed.test go through.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

knot_zone k1 strict.test <<'EOZ'
_dmarc 300 TXT "v=DMARC1; p=reject; rua=mailto:d@strict.test"
EOZ
knot_zone k1 relaxed.test <<'EOZ'
_dmarc 300 TXT "v=DMARC1; p=reject; sp=none"
EOZ
knot_zone k1 own.test <<'EOZ'
_dmarc 300 TXT "v=DMARC1; p=reject"
_dmarc.mail 300 TXT "v=DMARC1; p=none"
EOZ
live_setup

senders_posted() {
	sim_requests_jq '[.[] | select(.Method == "POST" and (.Path | ascii_downcase | test("^/senders/?$")))] | length'
}
# footer: the screen's last row
footer() { e2e_screen | tail -n 1; }

# opt2_submit CUSTOMER ADDRESS: a new customer, option 2, the address, Enter.
opt2_submit() {
	LIVE_CUSTOMER=$1
	live_start
	e2e_wait "Press Enter to start."
	e2e_keys Enter
	e2e_wait "How should your emails be sent?"
	e2e_keys 2
	e2e_wait "Which address should your emails come from?"
	e2e_type "$2"
	e2e_keys Tab
	e2e_type "Bob"
	e2e_wait "Name   Bob"
	e2e_assert_screen "Email  $2"
	e2e_keys Enter
}

# A subdomain without a record of its own: strict.test's p=reject applies.
opt2_submit strict "bob@mail.strict.test"
live_wait "mail.strict.test falls under the strict DMARC policy of strict.test"
e2e_assert_screen "(p=reject): mail from this address would not arrive."
e2e_assert_screen "mail.strict.test has no DMARC record of its own"
e2e_assert_screen "strict.test publishes for its subdomains: p=reject."
e2e_equal "the footer of the warning" 1 "$(footer | grep -c 'Enter go on anyway  Esc other address')"
e2e_equal "no resend in the footer before anything was sent" 0 "$(footer | grep -c 'resend')"
e2e_keys r
e2e_settle
e2e_assert_screen "falls under the strict DMARC policy of strict.test"
e2e_refute_screen "Sending the email again"
e2e_equal "POST /senders before the customer decides" 0 "$(senders_posted)"
e2e_equal "resend requests" 0 "$(sim_requests_jq '[.[] | select(.Path | test("resend"; "i"))] | length')"
e2e_keys Escape
e2e_wait "Which address should your emails come from?"

# Its own record (p=none) decides, not own.test's p=reject.
opt2_submit own "bob@mail.own.test"
live_wait "We asked Postmark to send a confirmation email to bob@mail.own.test."
e2e_refute_screen "DMARC"
e2e_equal "POST /senders for mail.own.test" 1 "$(senders_posted)"

# sp=none: the organizational domain lets its subdomains through.
opt2_submit relaxed "bob@mail.relaxed.test"
live_wait "We asked Postmark to send a confirmation email to bob@mail.relaxed.test."
e2e_refute_screen "DMARC"
e2e_equal "POST /senders for mail.relaxed.test" 2 "$(senders_posted)"
e2e_pass
