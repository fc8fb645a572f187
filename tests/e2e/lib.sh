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
E2E_TIMEOUT=${E2E_TIMEOUT:-10}
mkdir -p "$E2E_STATE"

# Deterministic demo: no simulated latency, a fixed wall clock.
export BEHALF_DEMO_DNS_MS=0 BEHALF_DEMO_ESP_MS=0 BEHALF_FAKE_TIME=1798761600
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR

e2e_cleanup() {
	tmux -S "$E2E_SOCKET" kill-server 2>/dev/null || true
	if [ "${E2E_KEEP:-}" = "" ]; then rm -rf "$E2E_TMP"; fi
}
trap e2e_cleanup EXIT

# e2e_tmux ARGS...: tmux on the private server.
e2e_tmux() {
	tmux -S "$E2E_SOCKET" -f /dev/null "$@"
}

# e2e_start [behalf args...]: starts behalf --demo in a new 80x24 session.
# Set E2E_TERM (default xterm-256color), E2E_ENV ("NAME=value ...").
e2e_start() {
	local cmd
	cmd="env TERM=${E2E_TERM:-xterm-256color} ${E2E_ENV:-} $(printf '%q ' "$BEHALF_BIN" --demo --state-dir "$E2E_STATE" "$@")"
	if e2e_tmux has-session -t e2e 2>/dev/null; then
		e2e_tmux respawn-pane -k -t e2e "$cmd; echo \"[behalf exited \$?]\"; sleep 600"
	else
		e2e_tmux new-session -d -s e2e -x "${E2E_COLS:-80}" -y "${E2E_ROWS:-24}" \
			"$cmd; echo \"[behalf exited \$?]\"; sleep 600"
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
	echo "FAIL ($E2E_NAME): waited ${limit}s for: $text" >&2
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
	echo "FAIL ($E2E_NAME): '$text' still on screen after ${limit}s" >&2
	e2e_screen >&2
	exit 1
}

# e2e_assert_screen TEXT: the screen shows TEXT now.
e2e_assert_screen() {
	if ! e2e_screen | grep -qF -- "$1"; then
		echo "FAIL ($E2E_NAME): screen does not show: $1" >&2
		e2e_screen >&2
		exit 1
	fi
}

# e2e_refute_screen TEXT: the screen does not show TEXT.
e2e_refute_screen() {
	if e2e_screen | grep -qF -- "$1"; then
		echo "FAIL ($E2E_NAME): screen shows: $1" >&2
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
e2e_golden() {
	local file="$BEHALF_E2E_DIR/golden/$1.txt" got
	got=$(e2e_screen | sed -e 's/[[:space:]]*$//')
	if [ "${BEHALF_UPDATE_GOLDEN:-}" = 1 ]; then
		mkdir -p "$(dirname "$file")"
		printf '%s\n' "$got" >"$file"
		return 0
	fi
	if ! diff -u "$file" <(printf '%s\n' "$got") >&2; then
		echo "FAIL ($E2E_NAME): screen differs from golden $1 (BEHALF_UPDATE_GOLDEN=1 to accept)" >&2
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

e2e_pass() {
	echo "PASS: $E2E_NAME"
}
