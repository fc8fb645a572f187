#!/usr/bin/env bash
# A customer's first connection through a real sshd: a key nobody knows sees
# the enrollment screen with its fingerprint; the invite code binds it and
# opens that customer's wizard at once; the next connection with the same
# key needs no code and resumes at the step where the customer left; file
# export is not offered over SSH.  The audit log records the binding
# (fingerprint, customer, source), never the code, and nothing is left
# running once the client has gone.
# shellcheck source=sshlib.sh
. "$(dirname "$0")/sshlib.sh"

ssh_setup
ssh_key alice
fp=$(ssh_fp alice)
code=$(ssh_invite acme)
{ [ -n "$code" ] && [ "$code" != null ]; } || e2e_fail "behalf invite gave no code"

# The first connection: the enrollment screen, in the wizard's look.
ssh_connect alice
e2e_wait "Connect this key"
e2e_assert_screen "Acme Help Desk"
e2e_assert_screen "$fp"
e2e_assert_screen "Invite code"
e2e_footer "Enter link this key"
[ ! -e "$(ssh_state acme)" ] || e2e_fail "a state file exists before the code was typed"

# The code, as the customer reads it out: lower case is fine too.
e2e_type "$(tr '[:upper:]' '[:lower:]' <<<"$code")"
e2e_keys Enter
e2e_wait "Press Enter to start."
e2e_refute_screen "Connect this key"
session=$(ssh_session_pid)

# The wizard is acme's: its state file appears, and the customer goes on.
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "acme-shop.example"
e2e_wait "Domain acme-shop.example"
e2e_wait_json "$(ssh_state acme)" '.customer == "acme" and .step == "domain"' "acme's state at the domain step"
e2e_wait_json "$(ssh_state acme)" '.domain_input.text == "acme-shop.example"' "the typed domain saved"

# Quit: the line on how to come back, then the connection ends, and with it
# every behalf process.
e2e_keys C-c
e2e_wait "Quit?"
e2e_keys y
e2e_wait "to come back, run the same ssh command again"
status=$(ssh_wait_exit)
e2e_equal "ssh exit status after quitting" 0 "$status"
ssh_wait_no_behalf "after quitting"
kill -0 "$session" 2>/dev/null && e2e_fail "the session process $session is still there"

# The same key again: no code, the same step, what was typed.
ssh_connect alice
e2e_wait "Which domain do your emails come from?"
e2e_assert_screen "acme-shop.example"
e2e_refute_screen "Connect this key"

# Over SSH no file is written (it would land on the server): the export
# dialog says so instead of offering it.
e2e_keys Enter
e2e_wait "_domainkey"
e2e_keys e
e2e_wait "Not offered over SSH"

# The audit log: one binding with the fingerprint, the customer and the
# source; the code is nowhere in the state directory or sshd's log.
audit="$SSH_STATE/access/audit.jsonl"
[ -f "$audit" ] || e2e_fail "no audit log at $audit"
jq -s -e --arg fp "$fp" 'any(.[]; (tostring | contains($fp)) and (tostring | contains("acme")) and (tostring | contains("127.0.0.1")))' \
	"$audit" >/dev/null || e2e_fail "the audit log has no binding of $fp to acme from 127.0.0.1: $(cat "$audit")"
# The vendor hears of it: key.enrolled in acme's outbox (the fingerprint,
# the client's address, who redeemed the code; never the code), the time
# in acme's state, and behalf status shows it.
outbox="$SSH_STATE/outbox/acme.jsonl"
[ -f "$outbox" ] || e2e_fail "no outbox at $outbox"
jq -s -e --arg fp "$fp" '[.[] | select(.type == "key.enrolled")] | length == 1 and
	(.[0].data.fingerprint == $fp) and (.[0].data.from == "127.0.0.1") and (.[0].data.via == "session")' \
	"$outbox" >/dev/null || e2e_fail "acme's outbox has no one key.enrolled of $fp from 127.0.0.1: $(cat "$outbox")"
e2e_wait_json "$(ssh_state acme)" '.milestones_ms[10] > 0' "the key.enrolled milestone saved"
"$SSH_BIN" status --config "$SSH_CONF" --customer acme --json >"$E2E_TMP/status.json" ||
	e2e_fail "behalf status failed: $(cat "$E2E_TMP/status.json")"
jq -e '.milestones["key.enrolled"] != null' "$E2E_TMP/status.json" >/dev/null ||
	e2e_fail "status does not show when the key was enrolled: $(cat "$E2E_TMP/status.json")"
norm=$(tr -d '-' <<<"$code")
if grep -rqiF -e "$code" -e "$norm" "$SSH_STATE" "$SSH_LOG"; then
	e2e_fail "the invite code is stored or logged in clear: $(grep -rliF -e "$code" -e "$norm" "$SSH_STATE" "$SSH_LOG")"
fi

e2e_pass
