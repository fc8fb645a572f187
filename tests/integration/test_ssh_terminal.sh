#!/usr/bin/env bash
# The customer's terminal through a real sshd: its type (colours or none)
# and its locale (UTF-8 symbols or ASCII) reach the session, a resize
# redraws at the new size; and a session left alone ([ssh] idle_minutes)
# saves, says goodbye after leaving the screen, and ends, on the wizard as
# on the enrollment screen ([ssh] idle_seconds here, for a short wait).
# shellcheck source=sshlib.sh
. "$(dirname "$0")/sshlib.sh"

ssh_setup
ssh_key alice
ssh_key stranger
code=$(ssh_invite acme)

# A UTF-8 locale sent by the client (SendEnv LANG), a colour terminal.
E2E_ENV="LANG=C.UTF-8" ssh_connect alice -o SendEnv=LANG
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
e2e_assert_screen "Welcome › Choose › Domain"
[ -n "$(e2e_colour_codes)" ] || e2e_fail "no colours on xterm-256color"
pid=$(ssh_session_pid)
ssh_environ "$pid" | grep -qx "TERM=xterm-256color" || e2e_fail "TERM did not reach the session"
ssh_environ "$pid" | grep -qx "LANG=C.UTF-8" || e2e_fail "LANG did not reach the session"

# Resizes: too small says the size it has; bigger spreads the frame.
e2e_resize 60 20
e2e_wait "and is 60x20."
e2e_resize 100 30
e2e_wait "Which domain do your emails come from?"
[ "$(e2e_screen | wc -l)" = 30 ] || e2e_fail "the pane is not 30 rows"
e2e_screen | tail -n 1 | grep -qE "Ctrl-C quit$" || e2e_fail "the footer is not on row 30: $(e2e_screen | tail -n 1)"
e2e_screen | head -n 2 | tail -n 1 | grep -qE "Option 1: your own domain$" ||
	e2e_fail "row 2 does not reach column 100: $(e2e_screen | head -n 2 | tail -n 1)"
e2e_resize 80 24
e2e_wait "Domain acme-shop.example"

# vt100, no locale: no colours, ASCII symbols, the same step.
E2E_TERM=vt100 ssh_connect alice
e2e_wait "Domain acme-shop.example"
e2e_assert_screen "Welcome > Choose > Domain"
[ -z "$(e2e_colour_codes)" ] || e2e_fail "colours on vt100: $(e2e_colour_codes | tr '\n' ' ')"
ssh_environ "$(ssh_session_pid)" | grep -qx "TERM=vt100" || e2e_fail "TERM=vt100 did not reach the session"

# Idle: no key for 3 s ends the session, which saves.
ssh_config "[ssh]" "idle_seconds = 3"
ssh_connect alice
e2e_wait "Domain acme-shop.example"
e2e_wait "No key pressed for 3 seconds" 30
e2e_assert_screen "Goodbye!"
status=$(ssh_wait_exit)
e2e_equal "ssh exit status after the idle goodbye" 0 "$status"
ssh_wait_no_behalf "after the idle goodbye"
jq -s -e 'any(.[]; .event == "session-idle" and .customer == "acme" and .detail == "domain")' \
	"$SSH_STATE/audit.jsonl" >/dev/null || e2e_fail "the audit log does not record the idle end"

# The enrollment screen left alone ends the same way.
ssh_connect stranger
e2e_wait "Connect this key"
e2e_wait "No key pressed for 3 seconds: goodbye" 30
ssh_wait_exit >/dev/null
ssh_wait_no_behalf "after the enrollment screen's idle goodbye"

e2e_pass
