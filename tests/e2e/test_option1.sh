#!/usr/bin/env bash
# Option 1, the customer's own domain, through the default demo scenario
# (GoDaddy): the records to add, the zone-appended mistake and its fix, one
# server late, then everything verified and the done screen.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_start
e2e_wait "Press Enter to start."
e2e_assert_screen "Let's get your emails sent under your own name"
e2e_golden welcome

e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_assert_screen "1  Your own domain  Recommended"
e2e_assert_screen "2  A verified From address"
e2e_assert_screen "3  Your name on our domain"
e2e_golden choose

e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "acme-example.com"
e2e_wait "Domain acme-example.com"
e2e_keys Enter

# The records: the DKIM TXT at its selector and the Return-Path CNAME, the
# names to type relative to the zone (GoDaddy adds the domain itself).
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
e2e_wait "pm-bounces                   pm.mtasv… ✗ Not found yet"
e2e_assert_screen "DKIM key     TXT   20270101000000pm._domainkey"
e2e_assert_screen "Return-Path  CNAME pm-bounces                   pm.mtasv"
e2e_assert_screen "Name    20270101000000pm._domainkey"
e2e_assert_screen "Value   k=rsa; p=MIGfMA0GCSqGSIb3DQEB"
e2e_assert_screen "✗ Not found yet"
e2e_refute_screen "Verified"
e2e_golden records

# Stage 1: the customer typed the full name in GoDaddy's Name field.
e2e_keys n
e2e_wait "added your domain to the name a second time"
e2e_assert_screen "at 20270101000000pm._domainkey.acme-example.com.acme-example.com."
e2e_assert_screen "Fix: In GoDaddy's Name field type only 20270101000000pm._domainkey:"
e2e_golden records-zone-appended

# Stage 2: DKIM fixed but only on ns51; the Return-Path everywhere.
e2e_keys n
e2e_wait "DKIM key     TXT   20270101000000pm._domainkey  k=rsa; p… … Almost there"
e2e_wait "ns52.domaincontrol.com not yet."
e2e_refute_screen "added your domain to the name a second time"
e2e_assert_screen "Return-Path  CNAME pm-bounces                   pm.mtasv… ✓ Verified"
e2e_assert_screen "Nothing to do: wait a few minutes"

# Stage 3: both servers have both records; the ESP verifies; done.
e2e_keys n
e2e_wait "All set!"
e2e_assert_screen "Your domain acme-example.com is authenticated"
e2e_golden done-domain

# The demo ESP holds the domain, verified, once.
account="$E2E_STATE/sandbox-account.json"
e2e_equal "domains at the ESP" 1 "$(e2e_jq "$account" '.Domains | length')"
e2e_equal "DKIM verified" true "$(e2e_jq "$account" '.Domains[0].DKIMVerified')"
e2e_equal "Return-Path verified" true "$(e2e_jq "$account" '.Domains[0].ReturnPathDomainVerified')"

e2e_pass
