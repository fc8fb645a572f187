#!/usr/bin/env bash
# The wizard offers what the ESP can do (esp_ops.caps): with a demo ESP
# that has no sender signatures and does not send email
# (BEHALF_DEMO_WITHOUT), option 2 is shown as not offered, cannot be
# picked by number nor reached with the arrows, the advisor recommends
# another option where it would have recommended it, and the export
# dialog's Send item says why it is not there.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# With every capability the advisor picks option 2 for these answers.
e2e_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_refute_screen "Not offered"
e2e_keys 4
e2e_wait "Question 1 of 3"
e2e_keys n y n
e2e_wait "We recommend: A verified From address"

E2E_ENV="BEHALF_DEMO_WITHOUT=signatures,send"
e2e_start --customer lacking
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_wait "Not offered: Postmark cannot verify a single From address."
e2e_golden choose-no-signatures
# 2 picks nothing; from option 1 the cursor skips option 2.
e2e_keys 2
e2e_assert_screen "How should your emails be sent?"
e2e_refute_screen "Which address"
e2e_keys Down Enter
e2e_wait "Emails go out from our domain with your name on them."
e2e_keys Escape
e2e_wait "How should your emails be sent?"

# The advisor, with the same answers, does not recommend option 2.
e2e_keys 4
e2e_wait "Question 1 of 3"
e2e_keys n y n
e2e_wait "We recommend: Your own domain"
e2e_assert_screen "Your own address needs your own domain here"

# The export dialog: Send is there, dimmed, with the reason.
e2e_keys Enter
e2e_wait "Which domain do your emails come from?"
e2e_type "acme-example.com"
e2e_wait "Domain acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com"
e2e_keys e
e2e_wait "Share these instructions"
e2e_wait "Not offered: this email provider does not send email for us."
e2e_keys 2
e2e_refute_screen "Their address"
e2e_assert_screen "Share these instructions"
e2e_pass
