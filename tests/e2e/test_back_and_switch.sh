#!/usr/bin/env bash
# Changing one's mind: Esc goes back with what was typed still there;
# switching from option 1 (domain created at the ESP) to option 3 asks
# whether to keep or remove the domain, and removes it when asked; going
# back after the switch neither shows stale steps nor re-creates the domain.
# Issue 8: a corrected domain is a correction (the typo goes by default);
# a kept domain does not stop later switches from asking about the others;
# every switch lists all the option does not use; coming back to a verified
# domain reaches Done.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

account="$E2E_STATE/sandbox-account.json"
domains_at_esp() {
	e2e_jq "$account" '.Domains | length'
}

e2e_start
e2e_to_domain "acme-example.com"
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
# (wait for the .com to go: "Domain acme-example.co" is on screen before too)
e2e_wait_gone "Domain acme-example.com"
e2e_wait "Domain acme-example.co"
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

domain_names() {
	e2e_jq "$account" '[.Domains[].Name] | sort | join(" ")'
}

# ---- A typo corrected: not a switch, and the typo goes by default.
# (Back from the choice went to the domain, still typed.)
e2e_assert_screen "Domain acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com"
e2e_wait "✗ Not found yet"
e2e_keys Escape
e2e_wait "Which domain do your emails come from?"
e2e_keys BSpace BSpace BSpace
e2e_type "org"
e2e_wait "Domain acme-example.org"
e2e_keys Enter
e2e_wait "You corrected the domain to acme-example.org."
e2e_refute_screen "You are switching"
e2e_assert_screen "Domain acme-example.com at Postmark"
e2e_assert_screen "○ Keep   ◉ Remove"
e2e_assert_screen "Press Enter to continue with acme-example.org."
e2e_golden switch-correction
# Keep it anyway (K), and go on.
e2e_keys K
e2e_wait "◉ Keep   ○ Remove"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.org"
e2e_wait "✗ Not found yet"
e2e_equal "domains after keeping the first one" "acme-example.com acme-example.org" "$(domain_names)"

# ---- Switching to option 2 after that Keep: both domains are asked about.
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait 'You are switching to "A verified From address".'
e2e_assert_screen "Domain acme-example.com at Postmark"
e2e_assert_screen "kept earlier"
e2e_assert_screen "Domain acme-example.org at Postmark"
e2e_golden switch-two
# Remove the second one only.
e2e_keys Down Space
e2e_wait "○ Keep   ◉ Remove"
e2e_keys Enter
e2e_wait "Which address should your emails come from?"
e2e_equal "domains after removing one of two" "acme-example.com" "$(domain_names)"
e2e_equal "removals in the audit log" 2 "$(grep -c '"domain-removed"' "$E2E_STATE/audit.jsonl")"
grep '"domain-removed"' "$E2E_STATE/audit.jsonl" | tail -n 1 | grep -qF "acme-example.org" ||
	e2e_fail "the audit log does not name the domain removed"

# ---- Back to option 1 with the kept domain: adopted, nothing made twice;
# verified, then away to option 3 and back: Enter on the records finishes.
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait 'You are switching to "Your own domain".'
e2e_assert_screen "Domain acme-example.com at Postmark"
e2e_keys Enter
e2e_wait "Which domain do your emails come from?"
e2e_keys C-u
e2e_type "acme-example.com"
e2e_wait "Domain acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com"
e2e_equal "domains after coming back to the kept one" "acme-example.com" "$(domain_names)"
for ((i = 0; i < 20; i++)); do
	if e2e_screen | grep -qF "All set!"; then break; fi
	e2e_keys n # the presenter: the next stage of the demo's DNS story
	e2e_settle
done
e2e_wait "All set!"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 3
e2e_wait 'You are switching to "Your name on our domain".'
e2e_keys Enter
e2e_wait "Emails go out from our domain with your name on them."
e2e_keys Enter
e2e_wait "All set!"
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_keys Enter
e2e_wait "Every record is in place and Postmark confirms them. Press Enter to finish."
e2e_keys Enter
e2e_wait "Your domain acme-example.com is authenticated"
e2e_equal "domains at the end" "acme-example.com" "$(domain_names)"

e2e_pass
