#!/usr/bin/env bash
# Help lists the keys and closes with Esc; F1 works while typing; Ctrl-L
# repaints a spoilt screen; q asks before quitting, n stays, y leaves with
# status 0, gives the terminal back as it was and says how to come back.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

e2e_start
e2e_wait "Press Enter to start."
tty=$(e2e_pane pane_tty)
e2e_equal "alternate screen while running" 1 "$(e2e_pane alternate_on)"
welcome=$(e2e_screen)

# ---- Help.
e2e_keys '?'
e2e_wait "Press any key to close this help."
e2e_assert_screen "Enter      continue, or pick what is highlighted"
e2e_assert_screen "Esc        back to the previous step"
e2e_assert_screen "s          switch to another way of sending"
e2e_assert_screen "?, F1      this help"
e2e_assert_screen "q, Ctrl-C  quit: your progress is saved"
e2e_assert_screen "Ctrl-L redraws the screen"
e2e_assert_screen "c, d       records: check DNS now; what each nameserver says"
e2e_assert_screen "1-4        pick an option (1-3 on the welcome step too)"
e2e_assert_screen "Up/Down, Tab  move in lists and fields; Home, End, PgUp, PgDn jump"
e2e_assert_screen "Ctrl-W deletes a word, Ctrl-U everything before the cursor."
e2e_golden help
e2e_keys Escape
e2e_wait_gone "Press any key to close this help."
e2e_equal "the welcome screen after closing help" "$welcome" "$(e2e_screen)"

# ---- Ctrl-L repaints what something else wrote over the screen.
printf '\033[5;5HSTRAY OUTPUT' >"$tty"
e2e_wait "STRAY OUTPUT"
e2e_keys C-l
e2e_wait_gone "STRAY OUTPUT"
e2e_equal "the welcome screen after Ctrl-L" "$welcome" "$(e2e_screen)"

# ---- A key the footer offers does something: "s switch" on the welcome
# screen goes to the choice.
if e2e_screen | tail -n 1 | grep -qF "s switch"; then
	e2e_keys s
	e2e_wait "How should your emails be sent?"
	e2e_keys Escape
	e2e_wait "Press Enter to start."
fi

# ---- While typing: ? is a character, F1 is help, Ctrl-C asks to quit.
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 1
e2e_wait "Which domain do your emails come from?"
e2e_type "acme-example.com"
e2e_wait "Domain acme-example.com"
e2e_keys q
e2e_wait "Domain acme-example.comq"
e2e_refute_screen "y yes, quit"
e2e_keys BSpace
e2e_wait_gone "acme-example.comq"
e2e_keys F1
e2e_wait "Press any key to close this help."
e2e_keys Escape
e2e_wait_gone "Press any key to close this help."
e2e_assert_screen "Domain acme-example.com"
e2e_keys C-c
e2e_wait "y yes, quit  n no, stay"
e2e_keys n
e2e_wait_gone "y yes, quit"
e2e_assert_screen "Domain acme-example.com"
e2e_keys Escape
e2e_wait "How should your emails be sent?"

# ---- q asks; n stays.
e2e_keys q
e2e_wait "Your progress is saved: run the same command to come"
e2e_assert_screen "y yes, quit  n no, stay"
e2e_golden quit
e2e_keys n
e2e_wait_gone "y yes, quit"
e2e_assert_screen "How should your emails be sent?"
[ -n "$(e2e_pid)" ] || e2e_fail "behalf is gone after n"

# ---- q y: leaves, status 0, the terminal as it was.
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_equal "exit status" 0 "$(e2e_wait_exit)"
# The shell's line is on a clean screen: the wizard's screen is gone; one
# line says how to come back.
e2e_refute_screen "How should your emails be sent?"
e2e_assert_screen 'Progress saved at "Choose": to come back, run the same command again.'
e2e_equal "alternate screen after exit" 0 "$(e2e_pane alternate_on)"
e2e_equal "cursor visible after exit" 1 "$(e2e_pane cursor_flag)"
modes=$(stty -F "$tty" -a)
for mode in icanon echo isig; do
	grep -qE "(^|[ ;])$mode([ ;]|$)" <<<"$modes" || e2e_fail "terminal left without $mode: $modes"
done
# Where it stopped is saved.
e2e_equal "saved step" choose "$(e2e_jq "$E2E_STATE/demo.json" '.step')"

e2e_pass
