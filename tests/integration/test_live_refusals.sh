#!/usr/bin/env bash
# What Postmark refuses, as the customer reads it, live against the
# simulator: a free-mail From address stops at the field before Postmark is
# asked; a 503 from Postmark itself (an address the wizard's own list does
# not know) is worded for the customer; sending the instructions to a
# teammate while the vendor's account is pending approval (412) says so
# plainly; a wrong account token (401, code 10) says it is the vendor's to
# fix.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup --pending-approval
senders_posted() {
	sim_requests_jq '[.[] | select(.Method == "POST" and (.Path | ascii_downcase | test("^/senders/?$")))] | length'
}

# ---- free mail at option 2: refused at the field ----
LIVE_CUSTOMER=freemail
live_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Which address should your emails come from?"
e2e_type "jane@gmail.com"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_wait "Name   Jane Doe"
e2e_keys Enter
e2e_wait "Addresses at gmail.com belong to a free email service"
e2e_assert_screen "Email  jane@gmail.com"
e2e_equal "POST /senders for gmail.com" 0 "$(senders_posted)"

# ---- Postmark's own 503 (free-mail domain) for an address the wizard let
# through: Postmark's refusal in the customer's words, the field kept ----
sim_fault '{"Kind":"reply","Method":"POST","Path":"^/senders/?$","Status":422,"Body":{"ErrorCode":503,"Message":"You cannot use a public domain like Gmail or Yahoo for a Sender Signature."}}'
e2e_keys C-u
e2e_type "jane@$DNS_ZONE"
e2e_wait "Email  jane@$DNS_ZONE"
e2e_keys Enter
e2e_wait "Free-mail addresses"
e2e_assert_screen "Use an address at a domain you own."
e2e_refute_screen "You cannot use a public domain"
e2e_equal "POST /senders refused with 503" 1 "$(senders_posted)"
e2e_equal "signatures after a 503" 0 "$(sim_jq '.SenderSignatures | length')"

# ---- 412: the teammate email while the account is pending approval ----
curl -sS -H 'Accept: application/json' -H 'Content-Type: application/json' \
	-H "X-Postmark-Account-Token: $LIVE_TOKEN" \
	-d '{"FromEmail":"notifications@acmehelp.example","Name":"Acme Help Desk"}' \
	"$SIM_URL/senders" >/dev/null
sim_post confirm '{"EmailAddress":"notifications@acmehelp.example"}' >/dev/null
LIVE_CUSTOMER=pending
LIVE_ENV="POSTMARK_API_URL=$SIM_URL POSTMARK_ACCOUNT_TOKEN=$LIVE_TOKEN POSTMARK_SERVER_TOKEN=sim-server-token"
live_start
live_opt1_to_records
e2e_keys e
e2e_wait "Share these instructions"
e2e_keys 2
e2e_wait "Their address"
e2e_type "dns-admin@$DNS_ZONE"
e2e_keys Tab Tab
e2e_type "jane@$DNS_ZONE"
e2e_wait "jane@$DNS_ZONE"
e2e_keys Enter
e2e_wait "still waiting for approval"
e2e_assert_screen "every recipient must be on the same domain as the From address"
e2e_equal "emails sent while pending approval" 0 "$(sim_jq '.Emails | length')"
e2e_keys Escape Escape

# ---- no server token at all (no per-customer server, none configured):
# sending must say why it cannot, not ignore the Enter ----
# (the same customer, restarted without the server token)
LIVE_ENV="POSTMARK_API_URL=$SIM_URL POSTMARK_ACCOUNT_TOKEN=$LIVE_TOKEN"
live_start
e2e_wait "Add these records to the DNS of $DNS_ZONE"
e2e_keys e
e2e_wait "Share these instructions"
e2e_keys 2
e2e_wait "Their address"
e2e_type "dns-admin@$DNS_ZONE"
e2e_keys Tab Tab
e2e_type "jane@$DNS_ZONE"
e2e_wait "jane@$DNS_ZONE"
dialog() { e2e_screen | cut -c4-76 | sed -n '3,21p'; }
before=$(dialog)
e2e_keys Enter
sim_wait_requests 'length > 0' "any request" # (the log is never empty here)
e2e_settle
after=$(dialog)
if [ "$before" = "$after" ]; then
	echo "FAIL ($E2E_NAME): Enter on \"send\" without any server token shows nothing:" >&2
	e2e_screen >&2
	E2E_FAILURES=$((E2E_FAILURES + 1))
fi
e2e_equal "emails sent without a server token" 0 "$(sim_jq '.Emails | length')"
e2e_keys Escape Escape

# ---- a wrong account token (401, code 10): the vendor's to fix ----
LIVE_CUSTOMER=badtoken
LIVE_ENV="POSTMARK_API_URL=$SIM_URL POSTMARK_ACCOUNT_TOKEN=not-the-token"
live_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "other-$DNS_ZONE"
e2e_keys Enter
e2e_wait "Postmark refused the access token of Acme Help Desk"
e2e_assert_screen "Only Acme Help Desk can fix this"
e2e_refute_screen "not-the-token"
e2e_equal "domains made with a wrong token" 1 "$(sim_jq '.Domains | length')"

e2e_pass
