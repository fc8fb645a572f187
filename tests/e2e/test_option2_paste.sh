#!/usr/bin/env bash
# Option 2: an address copied from a mail program, "Jane Doe <jane@...>",
# pasted into the email field fills the name and the address.
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

e2e_type "Jane Doe <jane@janedoe-example.com>"
e2e_wait "› Email  jane@janedoe-example.com"
e2e_assert_screen "Name   Jane Doe"
e2e_refute_screen "<jane@"
e2e_keys Enter

e2e_wait "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_equal "signature address" jane@janedoe-example.com \
	"$(e2e_jq "$account" '.SenderSignatures[0].EmailAddress')"
e2e_equal "signature name" "Jane Doe" "$(e2e_jq "$account" '.SenderSignatures[0].Name')"

# A quoted name with a comma, pasted into the name field: its quotes go,
# the address already typed stays.
e2e_keys Escape
e2e_wait "Which address should your emails come from?"
e2e_keys Tab C-u
e2e_wait_gone "Name   Jane Doe"
e2e_type '"Doe, Jane" <other@janedoe-example.com>'
e2e_wait "Name   Doe, Jane"
e2e_assert_screen "Email  jane@janedoe-example.com"

e2e_pass
