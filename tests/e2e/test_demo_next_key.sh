#!/usr/bin/env bash
# The presenter's n acts only where the story has a next move (the DNS
# records, the confirmation email) and changes nothing elsewhere; a caption
# shows from the first screen and the last one stays on Done, in option 1
# and in option 2.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

state="$E2E_STATE/demo.json"

# n_changes_nothing: presses n, then opens and closes the help (keys are
# handled in order, so once the help has come and gone n was handled), and
# fails when the screen is not what it was.
n_changes_nothing() {
	local before after
	before=$(e2e_screen)
	e2e_keys n
	e2e_keys '?'
	e2e_wait "Press any key to close this help."
	e2e_keys Escape
	e2e_wait_gone "Press any key to close this help."
	after=$(e2e_screen)
	if [ "$before" != "$after" ]; then
		diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
		e2e_fail "n changed the screen where the story has no next move"
	fi
}

# ---- Option 1: the caption from the welcome screen on.
e2e_start
e2e_wait "Press Enter to start."
e2e_assert_screen "• Demo story: GoDaddy: the domain added twice, then a slow server."
n_changes_nothing
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_assert_screen "• Demo story: GoDaddy"
n_changes_nothing
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "customer.example"
e2e_keys Enter
e2e_wait "Add these records to the DNS of customer.example at GoDaddy."
# The story starts at its first stage (the n above moved nothing), and says so.
e2e_wait "• The customer has not added any record yet."
e2e_wait "DKIM key     TXT   20270101000000pm._domainkey  k=rsa; p… ✗ Not found yet"
e2e_wait_saved "$state" .demo_stage 0

e2e_keys n
e2e_wait "• The customer adds the DKIM record, typing the full name in GoDaddy's Name"
e2e_wait "added your domain to the name a second time"
e2e_keys n
e2e_wait "ns52.domaincontrol.com not yet."
e2e_keys n
e2e_wait "All set!"
# The last caption stays on Done, and n there changes nothing.
e2e_assert_screen "• Both of GoDaddy's servers have both records."
e2e_wait_saved "$state" .demo_stage 3
n_changes_nothing
# Back on the records screen, the story is over: n does not move it.
e2e_keys Escape
e2e_wait "Every record is in place and Postmark confirms them."
e2e_keys n
e2e_keys '?'
e2e_wait "Press any key to close this help."
e2e_keys Escape
e2e_wait_gone "Press any key to close this help."
e2e_assert_screen "• Both of GoDaddy's servers have both records."
e2e_equal "stage after n at the last stage" 3 "$(jq -r .demo_stage "$state")"
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_equal "exit status" 0 "$(e2e_wait_exit)"

# ---- Option 2: a caption while waiting for the click, and on Done.
state="$E2E_STATE/second.json"
e2e_start --customer second
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Which address should your emails come from?"
e2e_type "jane@janedoe-example.com"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_wait "• The confirmation email is in the customer's inbox. They have not clicked its"
e2e_keys n
e2e_wait "All set!"
e2e_assert_screen "• The customer clicked the link in the confirmation email."
e2e_wait_saved "$state" .step done
n_changes_nothing
e2e_equal "the DNS story did not move in option 2" 0 "$(jq -r .demo_stage "$state")"
e2e_pass
