# shellcheck shell=bash
# Helpers for end-to-end tests: the real binary in a private tmux server at
# 80x24, keys sent with send-keys, the screen read with capture-pane and
# polled until it shows what a person would wait for.  Source this file.
set -euo pipefail

: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
: "${BEHALF_E2E_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"

E2E_NAME=$(basename "$0" .sh)
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/behalf-e2e.XXXXXX")
E2E_SOCKET="$E2E_TMP/tmux.sock"
E2E_STATE="$E2E_TMP/state"
E2E_TIMEOUT=${E2E_TIMEOUT:-20}
mkdir -p "$E2E_STATE"

# Deterministic demo: no simulated latency, a fixed wall clock.
export BEHALF_DEMO_DNS_MS=0 BEHALF_DEMO_ESP_MS=0 BEHALF_FAKE_TIME=1798761600
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR
# Under a sanitized build, reports go to files that e2e_pass checks: the
# binary's stderr is the terminal, hidden behind the screen it draws.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$E2E_TMP/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$E2E_TMP/sanitizer:print_stacktrace=1"

# e2e_stop: ends the tmux server; behalf gets SIGHUP, saves and exits: waits
# until it has gone.
e2e_stop() {
	local pid i=0
	pid=$(e2e_pid 2>/dev/null || true)
	tmux -S "$E2E_SOCKET" kill-server 2>/dev/null || true
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ((i < E2E_TIMEOUT * 20)); do
		sleep 0.05
		i=$((i + 1))
	done
}

# e2e_sanitizer_reports: prints what the sanitizers reported, if anything.
e2e_sanitizer_reports() {
	local f
	for f in "$E2E_TMP"/sanitizer.*; do
		if [ -e "$f" ]; then
			echo "---- $f ----"
			cat "$f"
		fi
	done
}

# e2e_guard: the tmux server is a daemon, out of reach of the test's
# cleanup when the test is killed outright (SIGKILL, a runner giving up):
# a watcher outside the test's process tree ends the server once the
# test's shell has gone (checked every second), and ends itself then.
# Called by whatever starts the server; e2e_cleanup stops it too.
e2e_guard() {
	(setsid bash -c 'echo $$ >"$3"; while kill -0 "$1" 2>/dev/null && [ -S "$2" ]; do sleep 1; done
		tmux -S "$2" kill-server 2>/dev/null' _ "$$" "$E2E_SOCKET" "$E2E_TMP/guard.pid" \
		</dev/null >/dev/null 2>&1 &)
}

e2e_cleanup() {
	local guard
	e2e_stop
	guard=$(cat "$E2E_TMP/guard.pid" 2>/dev/null || true)
	if [ -n "$guard" ]; then kill "$guard" 2>/dev/null || true; fi
	if [ -n "$(e2e_sanitizer_reports)" ]; then
		echo "sanitizer reports ($E2E_NAME):" >&2
		e2e_sanitizer_reports >&2
	fi
	if [ "${E2E_KEEP:-}" = "" ]; then rm -rf "$E2E_TMP"; fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM # the EXIT trap runs then too

# e2e_tmux ARGS...: tmux on the private server.
e2e_tmux() {
	tmux -S "$E2E_SOCKET" -f /dev/null "$@"
}

# e2e_end_running: a behalf still running in the pane ends as on a dropped
# connection (SIGHUP: it saves and lets go of the customer's lock); waits
# until it has gone, so that a restart never finds the lock still held.
e2e_end_running() {
	local pid i=0
	pid=$(e2e_pid 2>/dev/null || true)
	[ -n "$pid" ] || return 0
	kill -HUP "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null; do
		((i++ < E2E_TIMEOUT * 20)) || e2e_fail "behalf did not exit on SIGHUP"
		sleep 0.05
	done
}

# e2e_start [behalf args...]: starts behalf --demo in a new 80x24 session.
# Set E2E_TERM (default xterm-256color), E2E_ENV ("NAME=value ...").
e2e_start() {
	local cmd
	cmd="env TERM=${E2E_TERM:-xterm-256color} ${E2E_ENV:-} $(printf '%q ' "$BEHALF_BIN" --demo --state-dir "$E2E_STATE" "$@")"
	if e2e_tmux has-session -t e2e 2>/dev/null; then
		# a restart: clear what the last run left on screen first
		e2e_end_running
		e2e_tmux respawn-pane -k -t e2e \
			"printf '\\033[H\\033[2J'; $cmd; echo \"[behalf exited \$?]\"; sleep 600"
	else
		e2e_tmux new-session -d -s e2e -x "${E2E_COLS:-80}" -y "${E2E_ROWS:-24}" \
			"$cmd; echo \"[behalf exited \$?]\"; sleep 600"
		e2e_guard
	fi
}

# e2e_screen: prints the screen as text.
e2e_screen() {
	e2e_tmux capture-pane -p -t e2e
}

# e2e_wait TEXT [TIMEOUT]: waits until TEXT (fixed string) is on screen.
e2e_wait() {
	local text=$1 limit=${2:-$E2E_TIMEOUT} i=0
	while ((i < limit * 20)); do
		if e2e_screen | grep -qF -- "$text"; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL ($E2E_NAME)$(e2e_where): waited ${limit}s for: $text" >&2
	echo "---- screen ----" >&2
	e2e_screen >&2
	echo "----------------" >&2
	exit 1
}

# e2e_wait_re REGEX [TIMEOUT]: waits until a line of the screen matches
# REGEX (grep -E), for text that moves (a count of seconds): a fixed
# string that shows for one second can be missed by a poll on a busy
# machine.
e2e_wait_re() {
	local re=$1 limit=${2:-$E2E_TIMEOUT} i=0
	while ((i < limit * 20)); do
		if e2e_screen | grep -qE -- "$re"; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL ($E2E_NAME)$(e2e_where): waited ${limit}s for /$re/" >&2
	echo "---- screen ----" >&2
	e2e_screen >&2
	echo "----------------" >&2
	exit 1
}

# e2e_wait_gone TEXT [TIMEOUT]: waits until TEXT is no longer on screen.
e2e_wait_gone() {
	local text=$1 limit=${2:-$E2E_TIMEOUT} i=0
	while ((i < limit * 20)); do
		if ! e2e_screen | grep -qF -- "$text"; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "FAIL ($E2E_NAME)$(e2e_where): '$text' still on screen after ${limit}s" >&2
	e2e_screen >&2
	exit 1
}

# e2e_assert_screen TEXT: the screen shows TEXT now.
e2e_assert_screen() {
	if ! e2e_screen | grep -qF -- "$1"; then
		echo "FAIL ($E2E_NAME)$(e2e_where): screen does not show: $1" >&2
		e2e_screen >&2
		exit 1
	fi
}

# e2e_refute_screen TEXT: the screen does not show TEXT.
e2e_refute_screen() {
	if e2e_screen | grep -qF -- "$1"; then
		echo "FAIL ($E2E_NAME)$(e2e_where): screen shows: $1" >&2
		e2e_screen >&2
		exit 1
	fi
}

# e2e_refute_screen_re REGEX: the screen matches no line of REGEX.
e2e_refute_screen_re() {
	if e2e_screen | grep -qE -- "$1"; then
		echo "FAIL ($E2E_NAME)$(e2e_where): screen matches /$1/" >&2
		e2e_screen >&2
		exit 1
	fi
}

# e2e_keys KEY...: tmux key names (Enter, Escape, Down, C-c, ...).
e2e_keys() {
	e2e_tmux send-keys -t e2e "$@"
}

# e2e_type TEXT: types literal text.
e2e_type() {
	e2e_tmux send-keys -t e2e -l -- "$1"
}

# e2e_golden NAME: compares the screen with tests/e2e/golden/NAME.txt
# (trailing blanks ignored).  BEHALF_UPDATE_GOLDEN=1 rewrites the file.
# What moves with the real clock is masked: the seconds to the next DNS
# check and the number of checks so far.
e2e_golden() {
	local file="$BEHALF_E2E_DIR/golden/$1.txt" got
	got=$(e2e_screen | sed -E -e 's/[[:space:]]*$//' \
		-e 's/Next check in [0-9]+ s/Next check in # s/' \
		-e 's/Checks so far: [0-9]+/Checks so far: #/')
	if [ "${BEHALF_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$file")"
		printf '%s\n' "$got" >"$file"
		return 0
	fi
	if ! diff -u "$file" <(printf '%s\n' "$got") >&2; then
		echo "FAIL ($E2E_NAME)$(e2e_where): screen differs from golden $1 (BEHALF_UPDATE_GOLDEN=1 to accept)" >&2
		exit 1
	fi
}

# e2e_pid: the behalf process running in the pane (empty when none).
e2e_pid() {
	local shell
	shell=$(e2e_tmux display-message -p -t e2e '#{pane_pid}')
	pgrep -P "$shell" -x behalf || true
}

# e2e_wait_exit [TIMEOUT]: waits until behalf has exited; prints its status.
e2e_wait_exit() {
	e2e_wait "[behalf exited" "${1:-$E2E_TIMEOUT}"
	e2e_screen | sed -n 's/.*\[behalf exited \([0-9]*\)\].*/\1/p' | tail -n 1
}

# e2e_soft COMMAND...: runs an assertion (e2e_wait, e2e_assert_screen, ...)
# without stopping the test when it fails: the failure is counted and
# e2e_pass fails the test at the end.  For a known product bug, so that the
# rest of the test still checks what follows.
E2E_FAILURES=0
e2e_soft() {
	if ! ("$@"); then
		E2E_FAILURES=$((E2E_FAILURES + 1))
		echo "(soft failure $E2E_FAILURES of $E2E_NAME, test goes on)" >&2
	fi
}

# e2e_fail MESSAGE: fails the test now.
# e2e_to_domain DOMAIN: from the welcome screen to option 1's domain field,
# with DOMAIN typed in it (not yet submitted).
e2e_to_domain() {
	e2e_wait "Press Enter to start."
	e2e_keys Enter
	e2e_wait "How should your emails be sent?"
	e2e_keys 1
	e2e_wait "Which domain do your emails come from?"
	e2e_type "$1"
	e2e_wait "Domain $1"
}

# e2e_footer TEXT: waits until the bottom line shows TEXT (a screen's keys,
# then the global ones).
e2e_footer() {
	local i=0
	while ((i < E2E_TIMEOUT * 20)); do
		if e2e_screen | tail -n 1 | grep -qF -- "$1"; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	e2e_fail "footer is not: $1 (it is: $(e2e_screen | tail -n 1))"
}

# e2e_wait_saved FILE FILTER VALUE: polls until jq -r FILTER of FILE (a
# state file, written after a quiet time) gives VALUE.
e2e_wait_saved() {
	local i=0 got=""
	while ((i < E2E_TIMEOUT * 20)); do
		got=$(jq -r "$2" "$1" 2>/dev/null || true)
		if [ "$got" = "$3" ]; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	e2e_fail "$1 $2: expected '$3', got '$got'"
}

# e2e_state_value JQ [FILE]: waits until the JQ expression on the saved
# state (default: the demo customer's) is a non-empty string, and prints it.
e2e_state_value() {
	local file=${2:-$E2E_STATE/demo.json} v="" i=0
	while :; do
		v=$(e2e_jq "$file" "$1 // \"\"" 2>/dev/null || true)
		[ -n "$v" ] && [ "$v" != null ] && break
		((i++ < E2E_TIMEOUT * 20)) || e2e_fail "nothing saved at $1 in $file"
		sleep 0.05
	done
	printf '%s\n' "$v"
}

# e2e_where: " at SCRIPT:LINE", the test script's own line that led here
# (past the frames of the shared helpers).
e2e_where() {
	local i=1
	while [ -n "${BASH_SOURCE[$i]:-}" ]; do
		case ${BASH_SOURCE[$i]} in
		*/lib.sh | */livelib.sh | */dnslib.sh) i=$((i + 1)) ;;
		*)
			printf ' at %s:%s' "${BASH_SOURCE[$i]##*/}" "${BASH_LINENO[$((i - 1))]}"
			return 0
			;;
		esac
	done
}

e2e_fail() {
	echo "FAIL ($E2E_NAME)$(e2e_where): $*" >&2
	exit 1
}

# e2e_screen_sgr: the screen with its SGR escape sequences (colours,
# attributes), as tmux renders them.
e2e_screen_sgr() {
	e2e_tmux capture-pane -p -e -t e2e
}

# e2e_colour_codes: the SGR colour parameters on screen (30-37, 38;..., 40-47,
# 48;..., 90-97, 100-107), one per line; nothing when there are none.  39
# and 49 (default colours) are not colours.
e2e_colour_codes() {
	local seq params p i
	e2e_screen_sgr | grep -o $'\e\[[0-9;:]*m' | sort -u | while read -r seq; do
		params=${seq:2}
		params=${params%m}
		IFS=';' read -r -a p <<<"$params"
		i=0
		while ((i < ${#p[@]})); do
			case ${p[i]} in
			38 | 48 | 38:* | 48:*)
				echo "${p[*]:i}"
				break
				;;
			3[0-7] | 4[0-7] | 9[0-7] | 10[0-7])
				echo "${p[i]}"
				;;
			esac
			i=$((i + 1))
		done
	done
}

# e2e_cursor: the cursor position as "x,y" (0-based).
e2e_cursor() {
	e2e_tmux display-message -p -t e2e '#{cursor_x},#{cursor_y}'
}

# e2e_pane VAR: a tmux pane variable (alternate_on, cursor_flag, ...).
e2e_pane() {
	e2e_tmux display-message -p -t e2e "#{$1}"
}

# e2e_settle: waits until the screen stops changing (two captures 200 ms
# apart are equal), for asserting that something does NOT happen.
e2e_settle() {
	local before after i=0
	after=$(e2e_screen)
	while ((i < E2E_TIMEOUT * 5)); do
		sleep 0.2
		before=$after
		after=$(e2e_screen)
		if [ "$before" = "$after" ]; then return 0; fi
		i=$((i + 1))
	done
	e2e_fail "the screen never settled"
}

# e2e_wait_pid: waits until behalf runs in the pane; prints its pid.
e2e_wait_pid() {
	local limit=$E2E_TIMEOUT i=0 pid
	while ((i < limit * 20)); do
		pid=$(e2e_pid)
		if [ -n "$pid" ]; then
			echo "$pid"
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	e2e_fail "behalf is not running after ${limit}s"
}

# e2e_kill9: kills behalf with SIGKILL (no chance to save) and waits until
# the pane reports it gone.
e2e_kill9() {
	local pid
	pid=$(e2e_wait_pid)
	kill -9 "$pid"
	e2e_wait "[behalf exited 137]"
}

# e2e_resize COLS ROWS: resizes the window (as a person dragging the corner).
e2e_resize() {
	e2e_tmux set-option -g window-size manual
	e2e_tmux resize-window -t e2e -x "$1" -y "$2"
}

# e2e_jq FILE FILTER: runs jq -r FILTER on a JSON file (the state, the demo
# ESP account) and prints the result.
e2e_jq() {
	jq -r "$2" "$1"
}

# e2e_wait_json FILE FILTER DESCRIPTION [TIMEOUT]: polls until jq -e FILTER
# holds on FILE (the state file, written after a quiet time: watched, not
# slept for).
e2e_wait_json() {
	local file=$1 filter=$2 desc=$3 limit=${4:-$E2E_TIMEOUT} i=0
	while ((i < limit * 20)); do
		if jq -e "$filter" "$file" >/dev/null 2>&1; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	jq -c . "$file" >&2 || true
	e2e_fail "waited ${limit}s for $desc ($file: $filter)"
}

# e2e_equal WHAT EXPECTED ACTUAL: fails the test when they differ.
e2e_equal() {
	if [ "$2" != "$3" ]; then
		e2e_fail "$1: expected '$2', got '$3'"
	fi
}

# e2e_pass: ends the session (behalf exits on SIGHUP, so leaks are checked
# too), then passes unless a soft assertion or a sanitizer failed.
e2e_pass() {
	e2e_stop
	if [ -n "$(e2e_sanitizer_reports)" ]; then
		e2e_fail "sanitizer reports (shown below)"
	fi
	if ((E2E_FAILURES > 0)); then
		echo "FAIL: $E2E_NAME ($E2E_FAILURES soft failures above)" >&2
		exit 1
	fi
	echo "PASS: $E2E_NAME"
}
