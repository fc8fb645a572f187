#!/usr/bin/env bash
# Postmark refuses the vendor's token (401, ErrorCode 10): the wizard says
# that it stopped and that only the vendor can fix it (with the support
# contact), the whole message at 80x24; the records screen no longer says
# it is getting the records, and option 2's screen no longer says it is
# registering the address.  Nothing is asked again until the customer
# presses c (the footer's "check"), which asks once more.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
live_config "[vendor]" "support = help@acmehelp.example"
LIVE_ENV="POSTMARK_API_URL=$SIM_URL POSTMARK_ACCOUNT_TOKEN=not-the-vendors-token"

api_requests() { sim_requests_jq 'length'; }
# notice_text: the message above the footer (from its "!" row), rows joined.
notice_text() {
	e2e_screen | awk '
		/^ ! / { on = 1; sub(/^ ! /, ""); v = $0; next }
		on && /^   [^ ]/ { sub(/^ +/, ""); v = v " " $0; next }
		on { exit }
		END { gsub(/ +/, " ", v); sub(/ $/, "", v); print v }'
}
stopped_msg() {
	printf '%s' "behalf stopped: Postmark refused the access token of Acme Help Desk, so nothing" \
		" more is tried. Only Acme Help Desk can fix this: please tell their support" \
		" (help@acmehelp.example) that their Postmark token is missing or wrong, then" \
		" start behalf again. Nothing you entered is lost."
}

# Option 1: the domain's look-up is refused.
live_start
live_opt1_submit
live_wait "behalf stopped: Postmark refused the access token of Acme Help Desk"
e2e_equal "the whole message, none of it cut" "$(stopped_msg)" "$(notice_text)"
e2e_assert_screen "Stopped: Postmark did not hand out your records, and behalf is not asking"
e2e_refute_screen "Getting your records"
e2e_refute_screen "…"
e2e_refute_screen "tries again by itself"
e2e_equal "requests before c" 1 "$(api_requests)"

# c: the customer asks again, once.
e2e_keys c
sim_wait_requests 'length == 2' "a second look-up after c"
e2e_wait "behalf stopped: Postmark refused the access token of Acme Help Desk"
e2e_refute_screen "Getting your records"

# Option 2: registering the address is refused.
sim_delete requests >/dev/null
LIVE_CUSTOMER=opt2
live_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Which address should your emails come from?"
e2e_type "jane@$DNS_ZONE"
e2e_keys Tab
e2e_type "Jane"
e2e_wait "Name   Jane"
e2e_keys Enter
live_wait "Stopped: jane@$DNS_ZONE is not registered with Postmark, and behalf"
e2e_equal "the whole message on option 2" "$(stopped_msg)" "$(notice_text)"
e2e_refute_screen "Registering"
e2e_refute_screen "resend"
e2e_equal "senders at Postmark" 0 "$(sim_jq '.SenderSignatures | length')"
e2e_pass
