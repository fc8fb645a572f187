#!/usr/bin/env bash
# A dropped session (kill -9: no chance to save on the way out) resumes at
# the same step with the same input, and nothing is created twice at the
# ESP.  A second session of the same customer is refused; a corrupt state
# file is reported, left alone, and exits with status 2.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

account="$E2E_STATE/sandbox-account.json"

# ---- Killed while typing the domain.
e2e_start
e2e_to_domain "acme-example.com"
# typing is saved after a short quiet time: watch the state file for it
e2e_wait_json "$E2E_STATE/demo.json" '.domain_input.text == "acme-example.com"' "the typed domain saved"
e2e_kill9
e2e_start
e2e_wait "Which domain do your emails come from?"
e2e_settle
# What was typed a second before the crash is there again.
e2e_assert_screen "Domain acme-example.com"

# ---- Killed on the records screen after the presenter's first n.
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
e2e_keys n
e2e_wait "added your domain to the name a second time"
# changes that are not a new step are saved after a short quiet time
e2e_wait_json "$E2E_STATE/demo.json" '.demo_stage == 1' "the demo's stage saved"
e2e_kill9
e2e_start
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
e2e_assert_screen "DKIM key     TXT   20270101000000pm._domainkey"
# the demo's DNS world is where it was: the zone-appended record
e2e_wait "added your domain to the name a second time"
e2e_equal "domains at the ESP" 1 "$(e2e_jq "$account" '.Domains | length')"
e2e_equal "domain created (audit)" 1 "$(grep -c '"domain-ready"' "$E2E_STATE/audit.jsonl")"
# and it goes on from there
e2e_keys n
e2e_wait "ns52.domaincontrol.com not yet."

# ---- Another customer, killed on the confirmation screen.
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_equal "exit status" 0 "$(e2e_wait_exit)"
e2e_start --customer acme2
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 2
e2e_wait "Which address should your emails come from?"
e2e_type "jane@janedoe-example.com"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_wait "Name   Jane Doe"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_kill9
e2e_start --customer acme2
e2e_wait "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_wait "You can resend the email in 60 s."
e2e_equal "sender signatures at the ESP" 1 "$(e2e_jq "$account" '.SenderSignatures | length')"
e2e_equal "signature name" "Jane Doe" "$(e2e_jq "$account" '.SenderSignatures[0].Name')"
e2e_equal "domains at the ESP (the other customer's)" 1 "$(e2e_jq "$account" '.Domains | length')"
# Back on the address form: both fields as they were.
e2e_keys a
e2e_wait "Which address should your emails come from?"
e2e_assert_screen "Email  jane@janedoe-example.com"
e2e_assert_screen "Name   Jane Doe"
e2e_keys Enter
e2e_wait "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_equal "sender signatures after going back and on" 1 \
	"$(e2e_jq "$account" '.SenderSignatures | length')"

# ---- A second session for the same customer while this one runs.
second_cmd="env TERM=xterm-256color $(printf '%q ' "$BEHALF_BIN" --demo --state-dir "$E2E_STATE" --customer acme2)"
e2e_tmux new-window -d -t e2e -n second "$second_cmd; echo \"[second exited \$?]\"; sleep 600"
i=0
until e2e_tmux capture-pane -p -t e2e:second | grep -qF "[second exited"; do
	((i++ < E2E_TIMEOUT * 20)) || e2e_fail "the second session did not exit"
	sleep 0.05
done
second=$(e2e_tmux capture-pane -p -t e2e:second)
grep -qF "customer acme2 is already being onboarded in another session" <<<"$second" ||
	e2e_fail "no clear message for the second session: $second"
grep -qF "[second exited 2]" <<<"$second" || e2e_fail "second session status: $second"
# the first session is undisturbed and still answers keys
e2e_assert_screen "We asked Postmark to send a confirmation email to jane@janedoe-example.com."
e2e_keys '?'
e2e_wait "Press any key to close this help."
e2e_keys Escape
e2e_wait_gone "Press any key to close this help."
e2e_equal "sender signatures" 1 "$(e2e_jq "$account" '.SenderSignatures | length')"

# ---- A corrupt state file.
printf '{"schema": 1, "customer": "broken", "step": ' >"$E2E_STATE/broken.json"
cp "$E2E_STATE/broken.json" "$E2E_TMP/broken.orig"
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_equal "exit status" 0 "$(e2e_wait_exit)"
e2e_start --customer broken
e2e_wait "[behalf exited"
e2e_assert_screen "state file $E2E_STATE/broken.json is corrupt"
e2e_equal "exit status for a corrupt state file" 2 "$(e2e_wait_exit)"
cmp -s "$E2E_STATE/broken.json" "$E2E_TMP/broken.orig" ||
	e2e_fail "the corrupt state file was changed"

e2e_pass
