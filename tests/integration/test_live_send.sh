#!/usr/bin/env bash
# "Send to a teammate", live: the export dialog sends the instructions
# through the Postmark simulator from the vendor's shared address, Reply-To
# the customer; the email arrives with its From, To, Reply-To, Subject,
# TextBody and HtmlBody, both opening with a letter to the teammate (who
# asks, the note first); the send counts toward the real session's hourly
# limit, not the demo's.  While the vendor's account is pending approval
# (412) the dialog explains it plainly.
set -euo pipefail
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
# The vendor's shared address is a confirmed sender signature.
curl -sS --max-time 10 -X POST -H 'Content-Type: application/json' \
	-H "X-Postmark-Account-Token: $LIVE_TOKEN" -H 'Accept: application/json' \
	-d '{"FromEmail":"notifications@acmehelp.example","Name":"Acme Help Desk"}' \
	"$SIM_URL/senders" >/dev/null
sim_post confirm '{"EmailAddress":"notifications@acmehelp.example"}' >/dev/null
LIVE_ENV="POSTMARK_API_URL=$SIM_URL POSTMARK_ACCOUNT_TOKEN=$LIVE_TOKEN POSTMARK_SERVER_TOKEN=sim-server-token"
live_start

# Option 3 is instant: straight to the last step.
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 3
e2e_wait "Emails go out from our domain with your name on them."
e2e_type "Jane Customer"
e2e_keys Enter
live_wait "All set!"

e2e_keys e
live_wait "Share these instructions"
e2e_keys 2
e2e_wait "Their address"
e2e_type "pat@dns-team.example"
e2e_keys Tab
e2e_type "Hi Pat, nothing to do in DNS: this is for your records."
e2e_keys Tab
e2e_type "jane@customer.example"
e2e_keys Enter
live_wait "Sent to pat@dns-team.example. This is the email:"
e2e_assert_screen "From      Acme Help Desk <notifications@acmehelp.example>"
e2e_assert_screen "Reply-To  jane@customer.example"

sim_wait_jq '.Emails | length == 1' "the email arrived"
e2e_equal "From" "Acme Help Desk <notifications@acmehelp.example>" "$(sim_jq '.Emails[0].From')"
e2e_equal "To" "pat@dns-team.example" "$(sim_jq '.Emails[0].To')"
subject=$(sim_jq '.Emails[0].Subject')
# The simulator keeps only the envelope: the request it received has the rest.
req='[.[] | select(.Path == "/email")][0].Body'
body=$(sim_requests_jq "$req")
e2e_equal "Reply-To" "jane@customer.example" "$(jq -r '.ReplyTo' <<<"$body")"
e2e_equal "Subject in the request" "$subject" "$(jq -r '.Subject' <<<"$body")"
text=$(jq -r '.TextBody' <<<"$body")
html=$(jq -r '.HtmlBody' <<<"$body")
[[ $text == *"Hi Pat, nothing to do in DNS"* ]] || e2e_fail "the note is not in TextBody: $text"
[[ $text == *"Jane Customer via Acme Help Desk"* ]] || e2e_fail "the From header is not in TextBody"
[[ $text == "Hello,"* ]] || e2e_fail "TextBody does not greet the teammate: ${text:0:200}"
before=${text%%How Acme Help Desk sends email for Jane Customer*}
[[ $before == *"jane@customer.example asked you to help set up email for Jane Customer"* &&
	$before == *"Hi Pat, nothing to do in DNS"* ]] ||
	e2e_fail "TextBody does not open with who asks and the note: ${text:0:400}"
[[ $subject == "How Acme Help Desk sends email for Jane Customer" ]] || e2e_fail "Subject: $subject"
hbefore=${html%%<h1>*}
[[ $hbefore == *"Hi Pat, nothing to do in DNS"* ]] || e2e_fail "the note is not first in HtmlBody"
[[ $html == *"<html"* && $html == *"Hi Pat, nothing to do in DNS"* ]] || e2e_fail "HtmlBody: ${html:0:200}"
# Tokens travel only in their headers.
if grep -q "sim-server-token\|$LIVE_TOKEN" <<<"$body"; then e2e_fail "a token is in the email"; fi
e2e_equal "audit" 1 "$(grep -c '"event": *"sent-to-teammate"' "$E2E_STATE/audit.jsonl")"
# A real send counts toward the real limit (saved after a short quiet time).
st="$E2E_STATE/$LIVE_CUSTOMER.json"
i=0
until [ "$(jq '.export.sends_ms | length' "$st")" = 1 ]; do
	i=$((i + 1))
	((i < 200)) || e2e_fail "the real send is not counted: $(jq -c .export "$st")"
	sleep 0.05
done
e2e_equal "no demo send counted" 0 "$(jq '.export.demo_sends_ms | length' "$st")"

# Pending approval: every recipient must share the From's domain (412).
sim_post options '{"PendingApproval": true}' >/dev/null
e2e_keys Escape
e2e_wait "1. Write a file"
e2e_keys 2
e2e_wait "Their address"
e2e_keys Enter
live_wait "still waiting for approval"
e2e_assert_screen "an address at your own domain, or try again later."
e2e_equal "no second email" 1 "$(sim_jq '.Emails | length')"
e2e_assert_screen "Their address"

e2e_pass
