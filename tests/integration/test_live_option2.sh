#!/usr/bin/env bash
# Option 2 live, end to end: the real binary against the Postmark simulator
# (and Knot for the DMARC look-up).  A free-mail address is refused at the
# field and a domain with p=reject is warned about, neither reaching
# Postmark; then the sender signature is created once, with the configured
# personal note; the waiting screen says the email comes from Postmark; a
# resend during the cooldown is refused on screen (nothing sent); the
# simulator confirms the signature mid-test and the wizard reaches done by
# itself (polling).
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

# A second zone at the same Knot: a domain whose DMARC policy blocks option 2.
knot_zone k1 strict.example <<'EOZ'
_dmarc 300 TXT "v=DMARC1; p=reject; rua=mailto:d@strict.example"
EOZ
live_setup
live_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 2
live_wait "Which address should your emails come from?"
e2e_assert_screen "with Postmark's name and look"

senders_posted() {
	sim_requests_jq '[.[] | select(.Method == "POST" and (.Path | ascii_downcase | test("^/senders/?$")))] | length'
}

# Free mail: refused at the field, nothing asked of Postmark.
e2e_type "jane@gmail.com"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_wait "Name   Jane Doe"
e2e_keys Enter
live_wait "Addresses at gmail.com belong to a free email service"
e2e_assert_screen "Email  jane@gmail.com"
e2e_refute_screen "We asked Postmark"
e2e_equal "POST /senders after a free-mail address" 0 "$(senders_posted)"
e2e_equal "signatures after a free-mail address" 0 "$(sim_jq '.SenderSignatures | length')"

# A domain with p=reject: the warning (dmarc-policy-blocks), nothing created.
e2e_keys C-u
e2e_wait_gone "free email service"
e2e_type "jane@strict.example"
e2e_wait "Email  jane@strict.example"
e2e_keys Enter
live_wait "strict.example has a strict DMARC policy (p=reject)"
e2e_assert_screen "p=reject"
e2e_equal "POST /senders for a p=reject domain before the customer decides" 0 "$(senders_posted)"
e2e_keys Escape
e2e_wait "Which address should your emails come from?"

# A company address on a domain without a strict policy.
e2e_keys C-u
e2e_type "jane@$DNS_ZONE"
e2e_wait "Email  jane@$DNS_ZONE"
e2e_keys Enter
live_wait "We asked Postmark to send a confirmation email to jane@$DNS_ZONE."
e2e_assert_screen "It comes from Postmark, with"
e2e_wait "You can resend the email in"
live_cap waiting

# Postmark holds one signature, as the config file describes it.
e2e_equal "signatures" 1 "$(sim_jq '.SenderSignatures | length')"
e2e_equal "POST /senders" 1 "$(senders_posted)"
e2e_equal "the From address" "jane@$DNS_ZONE" "$(sim_jq '.SenderSignatures[0].EmailAddress')"
e2e_equal "the name" "Jane Doe" "$(sim_jq '.SenderSignatures[0].Name')"
e2e_equal "the personal note" "$LIVE_NOTE" "$(sim_jq '.SenderSignatures[0].ConfirmationPersonalNote')"
e2e_equal "confirmed" false "$(sim_jq '.SenderSignatures[0].Confirmed')"
id=$(sim_jq '.SenderSignatures[0].ID')

# It polls: GET /senders/ID comes again while the customer waits.
sim_wait_requests "[.[] | select(.Method == \"GET\" and (.Path | ascii_downcase | rtrimstr(\"/\")) == \"/senders/$id\")] | length >= 2" \
	"two polls of the signature"

# Resend during the cooldown: refused on screen, nothing sent.
e2e_keys r
live_wait "We will send it again in"
e2e_settle
e2e_refute_screen "Sending the email again"
e2e_equal "resend requests during the cooldown" 0 \
	"$(sim_requests_jq '[.[] | select(.Path | test("resend"; "i"))] | length')"
e2e_equal "resent at Postmark during the cooldown" 0 "$(sim_jq '.SenderSignatures[0].Resent')"

# The customer clicks the link: the wizard moves on by itself.
sim_post confirm "{\"EmailAddress\":\"jane@$DNS_ZONE\"}" >/dev/null
live_wait "All set!"
e2e_assert_screen "jane@$DNS_ZONE is confirmed"
e2e_equal "signatures at the end" 1 "$(sim_jq '.SenderSignatures | length')"
e2e_equal "domains (option 2 creates none)" 0 "$(sim_jq '.Domains | length')"
e2e_equal "the signature id in the customer's state" "$id" \
	"$(jq -r '.. | objects | select(has("signature")) | .signature | objects | (.id // .ID // empty)' "$E2E_STATE/$LIVE_CUSTOMER.json" 2>/dev/null | head -n 1)"

e2e_pass
