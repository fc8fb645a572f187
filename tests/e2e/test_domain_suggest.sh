#!/usr/bin/env bash
# Option 1, the domain as customers really type it: a public suffix is
# refused, a www. name is asked about, a link is answered with the domain it
# names ("Did you mean example.com?") and Tab takes it and goes on.  Nothing
# is created at the ESP before the customer has the domain they meant.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

account="$E2E_STATE/sandbox-account.json"
domains() { e2e_jq "$account" '.Domains | length' 2>/dev/null || echo 0; }

e2e_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"

# A suffix nobody owns (the Public Suffix List has co.uk).
e2e_type "co.uk"
e2e_keys Enter
e2e_wait '"co.uk" is an ending shared by many domains'
e2e_assert_screen "yourcompany.co.uk."
e2e_equal "domains after co.uk" 0 "$(domains)"

# www. is a website: asked, not set up.
e2e_keys C-u
e2e_wait_gone "ending shared"
e2e_type "www.example.com"
e2e_keys Enter
e2e_wait "www. is the name of a website, not of an email domain. Did you"
e2e_assert_screen "mean example.com? Press Tab to use it, or Enter to keep what"
e2e_assert_screen "Domain www.example.com"
e2e_refute_screen "Add these records"
e2e_equal "domains after www." 0 "$(domains)"

# A link pasted with its scheme, upper case and path: the domain it names.
e2e_keys C-u
e2e_wait_gone "name of a website"
e2e_type "https://www.Example.COM/"
e2e_keys Enter
e2e_wait "Did you mean example.com? Press Tab to use it, or edit what you"
e2e_assert_screen "Domain https://www.Example.COM/"
e2e_equal "domains after the link" 0 "$(domains)"
e2e_golden domain-did-you-mean

# One key takes it and goes on.
e2e_keys Tab
e2e_wait "Add these records to the DNS of example.com"
e2e_equal "domains" 1 "$(domains)"
e2e_equal "domain created" example.com "$(e2e_jq "$account" '.Domains[0].Name')"

# Back: the field holds the domain taken, not the link.
e2e_keys Escape
e2e_wait "Which domain do your emails come from?"
e2e_assert_screen "Domain example.com"

e2e_pass
