#!/usr/bin/env bash
# Reconnects through a real sshd.  A connection that hangs (the client
# frozen: sshd and behalf see nothing wrong) still holds the customer's
# session; the customer connects again with the same key and takes over:
# the old session saves and ends, the new one resumes with what was typed,
# and says so.  A client killed mid-step: the session saves what was typed
# and ends; the next connection resumes it.
# shellcheck source=sshlib.sh
. "$(dirname "$0")/sshlib.sh"

ssh_setup
ssh_key alice
code=$(ssh_invite acme)
ssh_connect alice
e2e_wait "Connect this key"
e2e_type "$code"
e2e_keys Enter
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "acme-shop.example"
e2e_wait "Domain acme-shop.example"
old=$(ssh_session_pid)
grep -q " ssh$" "$SSH_STATE/acme.lock" || e2e_fail "the lock does not say an SSH session holds it: $(cat "$SSH_STATE/acme.lock")"

# The client freezes: the connection stays open, nothing notices.
frozen=$(ssh_client_pid)
[ -n "$frozen" ] || e2e_fail "no ssh client in the pane"
SSH_PIDS+=("$frozen")
kill -STOP "$frozen"

# The customer connects again (another terminal): the same step, what was
# typed, a word on the earlier connection; the frozen one's session ended.
SSH_NEW_WINDOW=1 ssh_connect alice
e2e_wait "Your earlier connection was still open"
e2e_assert_screen "Which domain do your emails come from?"
e2e_assert_screen "Domain acme-shop.example"
e2e_refute_screen "already being onboarded"
new=$(ssh_session_pid)
[ "$new" != "$old" ] || e2e_fail "the old session $old is the one shown"
kill -0 "$old" 2>/dev/null && e2e_fail "the frozen connection's session $old still runs"
jq -s -e 'any(.[]; .event == "session-taken-over" and .customer == "acme")' "$SSH_STATE/audit.jsonl" >/dev/null ||
	e2e_fail "the audit log does not record the take-over"
kill -KILL "$frozen"

# The customer types on, and the client is killed at once: what was typed
# is saved when the connection drops, and the next connection resumes it.
e2e_type ".uk"
e2e_wait "Domain acme-shop.example.uk"
kill -KILL "$(ssh_client_pid)"
e2e_wait "[ssh exited"
ssh_wait_no_behalf "after the client was killed"
e2e_wait_json "$(ssh_state acme)" '.step == "domain" and .domain_input.text == "acme-shop.example.uk"' \
	"what was typed, saved when the connection dropped"
ssh_connect alice
e2e_wait "Domain acme-shop.example.uk"
e2e_refute_screen "Your earlier connection was still open"

e2e_pass
