#!/usr/bin/env bash
# Option 3, the customer's name on the vendor's domain: the preview shows
# the From line as people see it and, under it, the exact header as it will
# be sent (quoted for a comma, RFC 2047 encoded for a non-ASCII name); it
# follows the format and address choices; a custom pattern takes only the
# documented placeholders.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 3
e2e_wait "Emails go out from our domain with your name on them."
# Before a name is typed the preview shows a placeholder.
e2e_assert_screen "From: Your Name via Acme Help Desk <notifications@acmehelp.example>"
# The cost of this option is stated on the screen.
e2e_assert_screen "whose reputation"

# A comma needs quotes in a From header.
e2e_type "Smith, Jane"
e2e_wait 'From: "Smith, Jane via Acme Help Desk" <notifications@acmehelp.example>'
e2e_assert_screen "    Smith, Jane via Acme Help Desk <notifications@acmehelp.example>"

# With a non-ASCII character the whole phrase is encoded (RFC 2047, Q).
e2e_keys C-u
e2e_wait_gone "Smith, Jane"
e2e_type "Müller, Jane"
e2e_wait "From: =?UTF-8?Q?M=C3=BCller=2C_Jane_via_Acme_Help_Desk?="
e2e_assert_screen " <notifications@acmehelp.example>"
# ... and beside the encoded header, the name as people will see it.
e2e_assert_screen "    Müller, Jane via Acme Help Desk <notifications@acmehelp.example>"
e2e_golden from-name

# The format, with the arrows.
e2e_keys Tab
e2e_wait "Format    ◂ Your name via Acme Help Desk ▸"
e2e_keys Right
e2e_wait "Format    ◂ Acme Help Desk for your name ▸"
e2e_wait "From: =?UTF-8?Q?Acme_Help_Desk_for_M=C3=BCller=2C_Jane?="
e2e_assert_screen "    Acme Help Desk for Müller, Jane <notifications@acmehelp.example>"

# A custom pattern: a mistyped placeholder is refused where it was typed.
e2e_keys Right Right
e2e_wait "Format    ◂ Custom pattern ▸"
e2e_keys Tab
e2e_wait "› Pattern"
e2e_keys C-u
e2e_type "{name} with {vendr}"
e2e_wait "    Müller, Jane with {vendr} <notifications@acmehelp.example>"
e2e_keys Enter
e2e_wait '"{vendr}" is not a placeholder: use {name} for your name and'
e2e_refute_screen "All set!"
e2e_keys BSpace BSpace
e2e_type "or}"
e2e_wait "    Müller, Jane with Acme Help Desk <notifications@acmehelp.example>"
e2e_wait_gone "is not a placeholder"
# back to "Acme Help Desk for your name" for the rest
e2e_keys BTab
e2e_wait "Format    ◂ Custom pattern ▸"
e2e_keys Left
e2e_wait "Format    ◂ Just your name ▸"
e2e_keys Left
e2e_wait "Format    ◂ Acme Help Desk for your name ▸"

# The address: the customer's own address at the vendor's domain.
e2e_keys Tab
e2e_wait "Address   ◂ Our shared address ▸  notifications@acmehelp.example"
e2e_keys Right
e2e_wait "Address   ◂ Your own address at our domain ▸  demo@acmehelp.example"
e2e_wait " <demo@acmehelp.example>"
e2e_refute_screen "<notifications@acmehelp.example>"

e2e_keys Enter
e2e_wait "All set!"
e2e_assert_screen 'Emails from Acme Help Desk now go out as "Acme Help Desk for Müller, Jane"'
e2e_assert_screen "<demo@acmehelp.example>."

# Saved as chosen.
e2e_equal "state step" "done" "$(e2e_jq "$E2E_STATE/demo.json" '.step')"
e2e_equal "state option" name "$(e2e_jq "$E2E_STATE/demo.json" '.option')"

e2e_pass
