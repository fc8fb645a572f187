#!/usr/bin/env bash
# Resizing the window: below 80x24 a "too small" screen names the size
# needed and the current one; back at 80x24 the same step returns with the
# typed text and the cursor where it was; a bigger window uses the room.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_start
e2e_to_domain "acme-example.com"
e2e_equal "cursor after typing" "25,6" "$(e2e_cursor)"

e2e_resize 60 20
e2e_wait "it needs at least 80x24"
e2e_assert_screen "and is 60x20."
e2e_refute_screen "Which domain do your emails come from?"
e2e_golden too-small
# Keys typed meanwhile do not land in the hidden field.
e2e_type "xyz"
e2e_settle

# One row short is too small as well.
e2e_resize 80 23
e2e_wait "and is 80x23."

e2e_resize 80 24
e2e_wait "Which domain do your emails come from?"
e2e_assert_screen "Domain acme-example.com"
e2e_refute_screen "acme-example.comx"
e2e_refute_screen "it needs at least"
e2e_equal "cursor after the resize" "25,6" "$(e2e_cursor)"
# typing goes on at the end of the field
e2e_type ".au"
e2e_wait "Domain acme-example.com.au"
e2e_keys BSpace BSpace BSpace
e2e_wait_gone "acme-example.com.au"
e2e_assert_screen "Domain acme-example.com"

# Bigger: the frame spreads to the new size.
e2e_resize 120 40
e2e_wait "Which domain do your emails come from?"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy. Copy each Name and Value exactly"
# the wider table shows the whole Return-Path target and DMARC value
e2e_wait "pm-bounces                   pm.mtasv.net "
e2e_assert_screen "v=DMARC1; p=none; "
screen=$(e2e_screen)
e2e_equal "rows" 40 "$(wc -l <<<"$screen")"
# the header's right end and the footer sit at the new edges
grep -qE '^ Acme Help Desk .{90,} DEMO$' <<<"$screen" || e2e_fail "header not spread over 120 columns"
grep -qF "q quit" <<<"$(tail -n 1 <<<"$screen")" || e2e_fail "footer not on the last row"

# Back to 80x24: the records screen again, laid out for 80 columns.
e2e_resize 80 24
e2e_wait "pm-bounces                   pm.mtasv… "
e2e_golden records

e2e_pass
