#!/usr/bin/env bash
# Changing one's mind: Esc goes back with what was typed still there;
# switching from option 1 (domain created at the ESP) to option 3 asks
# whether to keep or remove the domain, and removes it when asked; going
# back after the switch neither shows stale steps nor re-creates the domain.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

account="$E2E_STATE/sandbox-account.json"
domains_at_esp() {
	e2e_jq "$account" '.Domains | length'
}

e2e_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "acme-example.com"
e2e_wait "Domain acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com"
e2e_wait "✗ Not found yet"
e2e_equal "domains at the ESP" 1 "$(domains_at_esp)"

# ---- Back, step by step, to the welcome screen and forward again.
e2e_keys Escape
e2e_wait "Which domain do your emails come from?"
e2e_assert_screen "Domain acme-example.com"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_keys Escape
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_assert_screen "Domain acme-example.com"
# Typing goes on at the end of what was kept.
e2e_keys BSpace
e2e_wait "Domain acme-example.co"
e2e_refute_screen "Domain acme-example.com"
e2e_type "m"
e2e_wait "Domain acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com"
e2e_wait "✗ Not found yet"
e2e_equal "domains at the ESP after going back and on (nothing twice)" 1 "$(domains_at_esp)"

# ---- Switch to option 3: the domain at the ESP, keep or remove.
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_assert_screen "Your own domain  Recommended"
e2e_assert_screen "(current)"
e2e_keys 3
e2e_wait 'You are switching to "Your name on our domain".'
e2e_assert_screen "Domain acme-example.com at Postmark"
e2e_assert_screen "◉ Keep   ○ Remove"
e2e_golden switch-keep
e2e_keys Space
e2e_wait "○ Keep   ◉ Remove"
e2e_assert_screen "Removed at Postmark when you press Enter."
e2e_keys Enter
e2e_wait "Emails go out from our domain with your name on them."
e2e_equal "domains at the ESP after removing" 0 "$(domains_at_esp)"
e2e_equal "removals in the audit log" 1 "$(grep -c '"domain-removed"' "$E2E_STATE/audit.jsonl")"

# ---- Back after the switch.
e2e_type "Jane"
e2e_wait "Name      Jane"
e2e_keys Escape
e2e_wait_gone "Emails go out from our domain with your name on them."
e2e_settle
# The switch is done: Back goes to the choice, not to a keep/remove screen
# that has nothing left to list.
e2e_assert_screen "How should your emails be sent?"
e2e_refute_screen "You are switching to"
e2e_keys 3
e2e_wait "Emails go out from our domain with your name on them."
e2e_assert_screen "Name      Jane"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
# Back to option 1: the domain is still typed, nothing created before Enter.
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_assert_screen "Domain acme-example.com"
e2e_equal "domains at the ESP before Enter" 0 "$(domains_at_esp)"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
# Back from the choice must not land on the records of the removed domain,
# which would silently create it again at the ESP.
e2e_keys Escape
e2e_wait_gone "How should your emails be sent?"
e2e_settle
e2e_refute_screen "Add these records"
e2e_equal "domains at the ESP after Back from the choice" 0 "$(domains_at_esp)"

e2e_pass
