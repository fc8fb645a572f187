#!/usr/bin/env bash
# A key bound to one customer reaches that customer's onboarding and no
# other, whatever the client sends through a real sshd: arguments, a
# command, environment variables (the test's sshd accepts more of them
# than a vendor's should, so that behalf's own filter is what is tested),
# agent or X11 forwarding, another user name.  The session's environment holds only the terminal
# type, the locale and what sshd set (its address, tty and the file naming
# the authenticated key).
# shellcheck source=sshlib.sh
. "$(dirname "$0")/sshlib.sh"

ssh_setup
ssh_key alice
ssh_key bob

# enroll KEY CUSTOMER DOMAIN: binds KEY to CUSTOMER and types DOMAIN on
# the domain step (the mark of whose onboarding a screen shows).
enroll() {
	ssh_connect "$1"
	e2e_wait "Connect this key"
	e2e_type "$(ssh_invite "$2")"
	e2e_keys Enter
	e2e_wait "Press Enter to start."
	e2e_keys Enter
	e2e_wait "How should your emails be sent?"
	e2e_keys 1
	e2e_wait "Which domain do your emails come from?"
	e2e_type "$3"
	e2e_wait "Domain $3"
	e2e_wait_json "$(ssh_state "$2")" ".domain_input.text == \"$3\"" "$2's domain saved"
}
enroll bob globex globex-mail.example
enroll alice acme acme-shop.example
ssh_drop
ssh_wait_no_behalf

globex_events() {
	jq -r 'select(.customer == "globex") | .event' "$SSH_STATE/audit.jsonl" | wc -l
}
before=$(globex_events)
globex_saved=$(jq -r .saved_at "$(ssh_state globex)")

# expect_acme WHAT: the screen is acme's, the session's environment is
# clean; then the connection is dropped.
expect_acme() {
	local pid
	e2e_wait "Domain acme-shop.example"
	e2e_refute_screen "globex-mail.example"
	e2e_refute_screen "Connect this key"
	pid=$(ssh_session_pid)
	unexpected=$(ssh_environ "$pid" | grep -vE '^(TERM|LANG|LC_[A-Z_]+|SSH_CONNECTION|SSH_TTY|SSH_USER_AUTH)=' || true)
	[ -z "$unexpected" ] || e2e_fail "$1: the session's environment holds: $unexpected"
	# confined once the wizard is on screen (src/app/confine.c; test_confine
	# tries each restriction): no new privileges, a seccomp filter, no core
	grep -qx $'NoNewPrivs:\t1' "/proc/$pid/status" ||
		e2e_fail "$1: the session may gain privileges"
	grep -qx $'Seccomp:\t2' "/proc/$pid/status" || e2e_fail "$1: the session has no seccomp filter"
	grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits" ||
		e2e_fail "$1: the session may dump core"
	ssh_drop
	ssh_wait_no_behalf "$1"
}

ssh_connect alice -- --customer globex
expect_acme "an argument"
ssh_connect alice -- behalf --customer globex --state-dir /tmp --config /dev/null
expect_acme "a command"
E2E_ENV="LC_CUSTOMER=globex" ssh_connect alice -o SendEnv=LC_CUSTOMER -o SetEnv="CUSTOMER=globex \
BEHALF_CUSTOMER=globex HOME=/tmp XDG_CONFIG_HOME=/tmp XDG_STATE_HOME=/tmp POSTMARK_API_URL=http://127.0.0.1:9"
expect_acme "environment variables"
E2E_ENV="LC_ALL=../../../tmp/x" ssh_connect alice -o SendEnv=LC_ALL
expect_acme "a locale that is a path"

# Agent and X11 forwarding asked for: the screen, and neither an agent
# socket nor an X11 listener on the server.
"${SSH_REAP[@]}" ssh-agent -D -a "$E2E_TMP/agent.sock" >/dev/null 2>&1 &
SSH_PIDS+=($!)
E2E_ENV="SSH_AUTH_SOCK=$E2E_TMP/agent.sock DISPLAY=127.0.0.1:99" ssh_connect alice -A -X
e2e_wait "Domain acme-shop.example"
[ -z "$(find /tmp -maxdepth 2 -user "$SSH_USER" -name 'agent.*' 2>/dev/null)" ] ||
	e2e_fail "sshd made an agent socket for the session"
! ss -ltnH 2>/dev/null | grep -qE '127\.0\.0\.1:60[0-9][0-9] ' ||
	e2e_fail "sshd listens for X11: $(ss -ltnH | grep -E ':60[0-9][0-9] ')"
expect_acme "agent and X11 forwarding"

# Another user name: only the service user exists for customers.
ssh_run alice -l globex "127.0.0.1"
[ "$SSH_RC" != 0 ] || e2e_fail "the user name globex was let in"
ssh_wait_no_behalf "another user name"

# Nothing of globex's was opened or changed.
[ "$(globex_events)" = "$before" ] || e2e_fail "globex's audit log grew: $(tail -n 3 "$SSH_STATE/audit.jsonl")"
[ "$(jq -r .saved_at "$(ssh_state globex)")" = "$globex_saved" ] || e2e_fail "globex's state was saved again"
jq -e '.domain_input.text == "globex-mail.example"' "$(ssh_state globex)" >/dev/null ||
	e2e_fail "globex's state changed"

e2e_pass
