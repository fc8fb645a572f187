#!/usr/bin/env bash
# Option 2, a verified From address: a free-mail address is refused at the
# field (the text kept), the waiting screen says who sends the email, resend
# waits out its cooldown, the customer's click finishes it.  Issue 8: a name
# changed after the email went out reaches the ESP; a puts the cursor on the
# address; a corrected address offers to remove the mistyped one, and a
# resend asked for one address is not done for another.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

account="$E2E_STATE/sandbox-account.json"

e2e_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Which address should your emails come from?"
# Said up front: the confirmation email comes from the ESP, with its look.
e2e_assert_screen "sends a confirmation email to it, with Postmark's name and look"

e2e_type "jane@gmail.com"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_wait "Name   Jane Doe"
e2e_keys Enter

# Refused at the field: the reason under it, what was typed still there, the
# focus back on the address, nothing created at the ESP.
e2e_wait "Addresses at gmail.com belong to a free email service"
e2e_assert_screen "› Email  jane@gmail.com"
e2e_assert_screen "Name   Jane Doe"
e2e_refute_screen "We asked Postmark"
e2e_equal "sender signatures after a refused address" 0 \
	"$(e2e_jq "$account" '.SenderSignatures | length' 2>/dev/null || echo 0)"
# The whole reason, with what to do instead, is readable.
e2e_assert_screen "company owns."
e2e_golden address-error

# Typing clears the error; a company address is accepted.
e2e_keys C-u
e2e_wait_gone "free email service"
e2e_type "jane@janedoe-example.com"
e2e_wait "Email  jane@janedoe-example.com"
e2e_keys Enter

e2e_wait "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_assert_screen "It comes from Postmark, with their"
e2e_wait "You can resend the email in 60 s."
e2e_golden confirm
e2e_equal "sender signatures" 1 "$(e2e_jq "$account" '.SenderSignatures | length')"
e2e_equal "signature name" "Jane Doe" "$(e2e_jq "$account" '.SenderSignatures[0].Name')"

# ---- The name changed after the email was asked for: Postmark's copy too.
e2e_keys a
e2e_wait "Which address should your emails come from?"
e2e_assert_screen "› Email  jane@janedoe-example.com"
e2e_keys Tab
e2e_wait "› Name   Jane Doe"
e2e_keys C-u
e2e_type "Jane Q. Doe"
e2e_wait "Name   Jane Q. Doe"
e2e_keys Enter
e2e_wait 'Postmark now shows your name as "Jane Q. Doe" on mail from'
e2e_equal "signature name after the change" "Jane Q. Doe" \
	"$(e2e_jq "$account" '.SenderSignatures[0].Name')"
e2e_equal "renames in the audit log" 1 "$(grep -c '"signature-renamed"' "$E2E_STATE/audit.jsonl")"
e2e_equal "sender signatures after the rename" 1 "$(e2e_jq "$account" '.SenderSignatures | length')"

# ---- A resend asked for one address is not done for a corrected one.
e2e_keys r
e2e_wait "We will send it again in 60 s."
e2e_keys a
e2e_wait "› Email  jane@janedoe-example.com"
e2e_keys C-u
e2e_type "jane.doe@janedoe-example.com"
e2e_wait "Email  jane.doe@janedoe-example.com"
e2e_keys Enter
e2e_wait "You corrected the address to jane.doe@janedoe-example.com."
e2e_assert_screen "Sender address jane@janedoe-example.com at Postmark"
e2e_assert_screen "○ Keep   ◉ Remove"
e2e_keys K
e2e_wait "◉ Keep   ○ Remove"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email to"
e2e_wait "  jane.doe@janedoe-example.com."
e2e_wait "You can resend the email in 60 s."
e2e_settle
e2e_refute_screen "We will send it again"
e2e_equal "sender signatures after keeping the first" 2 \
	"$(e2e_jq "$account" '.SenderSignatures | length')"
# Back to the first address; the second, now the typo, goes by default.
e2e_keys a
e2e_wait "› Email  jane.doe@janedoe-example.com"
e2e_keys C-u
e2e_type "jane@janedoe-example.com"
e2e_wait "Email  jane@janedoe-example.com"
e2e_keys Enter
e2e_wait "You corrected the address to jane@janedoe-example.com."
e2e_assert_screen "Sender address jane.doe@janedoe-example.com at Postmark"
e2e_assert_screen "○ Keep   ◉ Remove"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_equal "sender signatures after removing the second" "jane@janedoe-example.com" \
	"$(e2e_jq "$account" '[.SenderSignatures[].EmailAddress] | join(" ")')"
e2e_equal "resends so far" 0 "$(e2e_jq "$account" '[.SenderSignatures[].ResentAt] | add')"

# Resend during the cooldown: nothing is sent now, the wait is shown.
e2e_keys r
e2e_wait "We will send it again in 60 s."
e2e_settle
e2e_refute_screen "Sending"
e2e_equal "resent during the cooldown" 0 "$(e2e_jq "$account" '.SenderSignatures[0].ResentAt')"

# Quit and come back after the cooldown (the clock moved on 100 s): the
# resend asked for goes out now, once.
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_equal "exit status after quitting" 0 "$(e2e_wait_exit)"
E2E_ENV="BEHALF_FAKE_TIME=1798761700" e2e_start
e2e_wait "We sent the confirmation email to jane@janedoe-example.com again."
e2e_assert_screen "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_wait "You can resend the email in 60 s."
e2e_equal "resent after the cooldown" 1798761700000 \
	"$(e2e_jq "$account" '.SenderSignatures[0].ResentAt')"
e2e_equal "sender signatures after resume and resend" 1 \
	"$(e2e_jq "$account" '.SenderSignatures | length')"
e2e_equal "resends in the audit log" 1 "$(grep -c '"signature-resent"' "$E2E_STATE/audit.jsonl")"

# The presenter's n: the customer clicks the link.
e2e_keys n
e2e_wait "All set!"
e2e_assert_screen "jane@janedoe-example.com is confirmed"
e2e_equal "confirmed at the ESP" true "$(e2e_jq "$account" '.SenderSignatures[0].Confirmed')"

e2e_pass
