#!/usr/bin/env bash
# --scenario on a resumed demo either applies (the new story starts at its
# first stage) or, once the story has reached its end, says it cannot and
# how to start over.  Without --scenario a resumed demo keeps its story.
# The outage story: a listed nameserver that does not serve the domain is a
# registrar fix, and its timeout stage is reached with n.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

state="$E2E_STATE/demo.json"

quit() {
	e2e_keys q
	e2e_wait "y yes, quit"
	e2e_keys y
	e2e_equal "exit status" 0 "$(e2e_wait_exit)"
}

# ---- The outage story.
e2e_start --scenario outage
e2e_wait "Press Enter to start."
e2e_assert_screen "• Demo story: Route 53: an old nameserver still listed"
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "customer.example"
e2e_keys Enter
e2e_wait "Add these records to the DNS of customer.example at Amazon Route 53."
e2e_wait "ns1.oldhost.example is listed as a nameserver of your domain, but it does"
# The fix is at the registrar, not "add the records at that host".
e2e_assert_screen "Fix: At your domain's registrar, remove ns1.oldhost.example from the"
e2e_refute_screen "Add the records at the DNS host"
e2e_assert_screen "• The domain moved to Route 53, but the registrar still lists the old host's"
e2e_keys n
e2e_wait "We could not get an answer from ns-1710.awsdns-21.co.uk."
e2e_assert_screen "Return-Path  CNAME pm-bounces                   pm.mtasv… ✗ Not found yet"
e2e_assert_screen "One Route 53 server does not answer."
e2e_refute_screen "ns1.oldhost.example"
e2e_wait_saved "$state" .demo_stage 1
quit

# ---- Resumed without --scenario: the same story, where it was.
e2e_start
e2e_wait "Add these records to the DNS of customer.example at Amazon Route 53."
e2e_wait "We could not get an answer from ns-1710.awsdns-21.co.uk."
e2e_assert_screen "One Route 53 server does not answer."
quit

# ---- Resumed with another --scenario: it applies, from its first stage.
e2e_start --scenario cf-by-hand
e2e_wait "The demo story is now: Cloudflare by hand: a short label, then the orange"
e2e_wait "Add these records to the DNS of customer.example at Cloudflare."
e2e_wait "DKIM key     TXT   20270101000000pm._domainkey  k=rsa; p… ✗ Not found yet"
e2e_wait_saved "$state" .demo_stage 0
e2e_keys n
e2e_wait "• The customer adds the DKIM record with only the selector as its name, and"
e2e_wait "under the wrong name"
e2e_keys n
e2e_wait "• The customer fixes the DKIM name. The Return-Path is still proxied."
e2e_keys n
e2e_wait "All set!"
e2e_assert_screen "• The customer turns the proxy off (grey cloud). Everything is in place."
e2e_wait_saved "$state" .step done
quit

# ---- The story is over: another one cannot start; the demo says how.
cp "$state" "$E2E_TMP/done.json"
e2e_start --scenario typos
e2e_wait "[behalf exited 2]"
e2e_assert_screen "the demo played \"cf-by-hand\" to its end: it cannot switch to"
e2e_assert_screen "Start it over with: behalf --demo --reset --scenario typos"
cmp -s "$state" "$E2E_TMP/done.json" || e2e_fail "the state changed"
# and the same story still resumes
e2e_start
e2e_wait "All set!"
e2e_assert_screen "• The customer turns the proxy off (grey cloud). Everything is in place."
quit
e2e_start --reset --scenario typos
e2e_wait "• Demo story: Namecheap: quotes, a cut key, an old key."
e2e_pass
