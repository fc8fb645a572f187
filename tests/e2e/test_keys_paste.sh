#!/usr/bin/env bash
# Bracketed paste: pasted text goes into the focused field as text, never
# runs as keys; its line breaks are left out with a message at the field,
# keeping what was typed; with no field, nothing happens but a short note.
# On exit the terminal is out of paste mode and one line says how to come
# back (over SSH: the same ssh command).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# e2e_paste TEXT: pastes TEXT the way a terminal does (tmux adds the paste
# markers when the program asked for them).
e2e_paste() {
	e2e_tmux set-buffer -b e2e -- "$1"
	e2e_tmux paste-buffer -p -b e2e -t e2e
}

e2e_start
e2e_wait "Press Enter to start."

# ---- No field here: "s", "2", "q", "y" and Enter are not run as keys.
e2e_paste $'s2qy\nEnter'
e2e_wait "There is no text field here to paste into: nothing was pasted."
e2e_assert_screen "Press Enter to start."
e2e_refute_screen "y yes, quit"
[ -n "$(e2e_pid)" ] || e2e_fail "behalf is gone after a paste"

# ---- In the quit question: not an answer either.
e2e_keys q
e2e_wait "y yes, quit  n no, stay"
e2e_paste "y"
e2e_settle
e2e_assert_screen "y yes, quit  n no, stay"
[ -n "$(e2e_pid)" ] || e2e_fail "behalf quit on a pasted y"
e2e_keys n
e2e_wait_gone "y yes, quit"

# ---- Into the domain field, after what was typed; the line breaks are
# left out and the field says so.  Enter was not pasted: still here.
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "my"
e2e_wait "Domain my"
e2e_paste $'shop.exa\nmple\n'
e2e_wait "Domain myshop.example"
e2e_assert_screen "The pasted text had line breaks, which can't go in this field:"
e2e_assert_screen "they were left out. Check the text before you go on."
e2e_assert_screen "Which domain do your emails come from?"
# Typing goes on where the paste ended and clears the message.
e2e_keys Home
e2e_type "x"
e2e_wait "Domain xmyshop.example"
e2e_wait_gone "The pasted text had line breaks"
e2e_keys BSpace Delete Delete
e2e_wait "Domain shop.example"

# ---- A paste without line breaks: no message; "q" and "?" are text.
# (Ctrl-U clears what is before the cursor: End first.)
e2e_keys End C-u
e2e_wait_gone "Domain shop.example"
e2e_paste "q?"
e2e_wait "Domain q?"
e2e_refute_screen "Domain q?shop"
e2e_refute_screen "The pasted text had line breaks"
e2e_refute_screen "Press any key to close this help."
e2e_keys C-u
e2e_wait_gone "Domain q?"
e2e_paste "shop.example"
e2e_wait "Domain shop.example"
e2e_refute_screen "Domain shop.exampleshop"
e2e_keys Enter
e2e_wait "Add these records to the DNS of shop.example"

# ---- Leaving: paste mode off again, and the line on how to come back.
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_equal "exit status" 0 "$(e2e_wait_exit)"
e2e_assert_screen 'Progress saved at "DNS records": to come back, run the same command again.'
# The shell's terminal gets a plain paste (with the markers still on, the
# terminal would echo ^[[200~ around it).
e2e_paste "after-exit"
e2e_wait "after-exit"
e2e_refute_screen "200~"

# ---- Over SSH the line names the ssh command.
E2E_ENV="SSH_CONNECTION='192.0.2.1 50000 192.0.2.2 22'" e2e_start
e2e_wait "Add these records to the DNS of shop.example"
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_equal "exit status" 0 "$(e2e_wait_exit)"
e2e_assert_screen 'Progress saved at "DNS records": to come back, run the same ssh command again.'

e2e_pass
