# shellcheck shell=bash
# shellcheck disable=SC2119,SC2120,SC2034 # optional arguments; SSH_* are read by the tests
# Harness for the SSH tests (tests/integration/test_ssh_*.sh): a real
# OpenSSH server in front of behalf, as a vendor runs it, on loopback, and
# the real ssh client driven in tmux (tests/e2e/lib.sh: e2e_wait, e2e_keys,
# e2e_screen...).  Every process started here (sshd, its sessions, behalf,
# the clients, tmux) is stopped on exit, and the test fails if a behalf
# process outlives its connection.  Source this file, then:
#
#   ssh_setup [SSHD LINES...]   users, a copy of behalf, the config, host
#                               key, sshd on 127.0.0.1:$SSH_PORT with the
#                               block of `behalf ssh-config`
#   ssh_config [LINES...]       (re)writes the config behalf reads ($SSH_CONF);
#                               SSH_CONF_LINES (an array) and SSH_DEMO
#                               (default yes), set before ssh_setup, go in
#                               it too (test_ssh_broker.sh: a live config
#                               whose ESP is a broker with tickets)
#   ssh_key NAME                a new ed25519 key $SSH_DIR/keys/NAME
#   ssh_fp NAME                 its OpenSSH fingerprint (SHA256:...)
#   ssh_invite CUSTOMER [ARGS]  behalf invite as the service user: the code
#   ssh_connect KEY [OPTS] [-- COMMAND]  ssh -tt with KEY in the tmux pane
#                               (a new connection replaces the pane's client)
#   ssh_drop                    the pane's client goes, as a closed terminal
#   ssh_run KEY [ARGS...]       ssh without a terminal; SSH_RC, $SSH_OUT, $SSH_ERR
#   ssh_behalf_pids             pids of the behalf copy sshd runs (any user)
#   ssh_session_pid             waits for the one interactive session; its pid
#   ssh_wait_no_behalf [DESC]   waits until no behalf runs any more
#   ssh_state CUSTOMER          the path of a customer's state file
#   ssh_broker_setup / ssh_broker_config [LINES] / ssh_broker_start
#                               `behalf broker` as its own user, for live
#                               sessions (after livelib.sh's live_setup)
#   ssh_broker_sessions [LINES] the sessions' config through that broker
#   ssh_ticket KEY              a broker ticket for KEY, as sshd mints it
#
# Layout: the binary is copied into a fresh root-owned 0755 directory under
# /run ($SSH_DIR): sshd runs an AuthorizedKeysCommand only when it and every
# directory above it are root-owned and not writable by group or others
# (/tmp is not).  The same directory holds the config (0644: no tokens, the
# demo ESP) and the state directory, owned by the login user.  sshd's
# environment is cleared, so behalf finds its config by the --config that
# ssh-config writes into the key command and the forced command.
#
# Needs root (sshd binds a port, runs sessions as another user, and the
# test creates its users); without it the test is skipped (exit 77).
set -euo pipefail

SSH_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${BEHALF_SOURCE_DIR:=$(cd "$SSH_LIB_DIR/../.." && pwd)}"
: "${E2E_TIMEOUT:=20}"
export E2E_TIMEOUT

if [ "$(id -u)" != 0 ]; then
	echo "skip ($(basename "$0" .sh)): needs root (its own sshd, users, sessions as another user)"
	exit 77
fi
for tool in sshd ssh ssh-keygen tmux jq setpriv useradd; do
	command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
		echo "FAIL ($(basename "$0" .sh)): $tool not installed (scripts/deps.d/ssh-tests.txt)" >&2
		exit 1
	}
done

# shellcheck source=../e2e/lib.sh
. "$BEHALF_SOURCE_DIR/tests/e2e/lib.sh"
# The session runs under sshd with an empty environment: none of lib.sh's
# demo settings reach it (and the clients need none).
unset BEHALF_FAKE_TIME BEHALF_DEMO_DNS_MS BEHALF_DEMO_ESP_MS

SSH_USER=behalf-ssh  # the login user every customer connects as
SSH_KEYS_USER=behalf-keys # AuthorizedKeysCommandUser: reads the bindings only
SSH_SSHD=$(command -v sshd || echo /usr/sbin/sshd)
SSH_DIR=$(mktemp -d /run/behalf-test.XXXXXX)
chmod 755 "$SSH_DIR"
SSH_BIN=$SSH_DIR/behalf
SSH_CONF=$SSH_DIR/behalf.conf
SSH_STATE=$SSH_DIR/state
SSH_LOG=$SSH_DIR/sshd.log
SSH_PORT=
SSH_PID=
SSH_RC=0
SSH_OUT=$E2E_TMP/ssh.out
SSH_ERR=$E2E_TMP/ssh.err
SSH_PIDS=() # helpers the test started (listeners), stopped at exit
SSH_REAP=()
if setpriv --help 2>/dev/null | grep -q pdeathsig; then SSH_REAP=(setpriv --pdeathsig KILL); fi

# ssh_tree PID: PID and its descendants, children first.
ssh_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do ssh_tree "$c"; done
	echo "$1"
}

# ssh_behalf_pids: every process running the test's copy of behalf.
ssh_behalf_pids() {
	{ find /proc -mindepth 2 -maxdepth 2 -name exe -lname "$SSH_BIN" 2>/dev/null || true; } |
		cut -d/ -f3
}

# ssh_cleanup: the EXIT trap.  Clients first (tmux), then sshd with every
# session it started (collected before any is stopped: orphans would leave
# the tree), then whatever still runs the copied binary; then the files.
ssh_cleanup() {
	local rc=$? pid all=() i
	set +e
	e2e_cleanup
	if [ -n "$SSH_PID" ]; then mapfile -t all < <(ssh_tree "$SSH_PID"); fi
	for pid in "${SSH_PIDS[@]}" $(pgrep -P $$ 2>/dev/null); do
		# called in a subshell (test_ssh_broker.sh's both_cleanup), the
		# subshell is a child of $$: not itself, or the files stay
		[ "$pid" = "$BASHPID" ] && continue
		mapfile -t -O "${#all[@]}" all < <(ssh_tree "$pid")
	done
	mapfile -t -O "${#all[@]}" all < <(ssh_behalf_pids)
	for pid in "${all[@]}"; do kill "$pid" 2>/dev/null; done
	for pid in "${all[@]}"; do
		for ((i = 0; i < 40; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	if [ "$rc" -ne 0 ] && [ -f "$SSH_LOG" ]; then
		echo "---- sshd log (last lines) ----" >&2
		tail -n 25 "$SSH_LOG" >&2
	fi
	if [ -z "${SSH_KEEP:-}" ]; then rm -rf "$SSH_DIR"; fi
	exit "$rc"
}
trap ssh_cleanup EXIT

# ssh_user NAME: a system user with no password (but not locked: sshd
# refuses locked accounts before it looks at keys) and no home directory,
# created once; ctest may run two SSH tests at the same time.
ssh_user() {
	id -u "$1" >/dev/null 2>&1 && return 0
	useradd -M -d / -s /bin/sh -p '*' "$1" 2>/dev/null || id -u "$1" >/dev/null 2>&1 ||
		e2e_fail "cannot create the user $1"
}

# ssh_free_port: a TCP port free on 127.0.0.1 now.
ssh_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# ssh_config [LINES...]: the config behalf reads (each session reads it
# anew): the demo (offline ESP and DNS world) and the state directory,
# then SSH_CONF_LINES (set before ssh_setup: a test's own, e.g. a broker),
# then LINES.
SSH_CONF_LINES=()
ssh_config() {
	local line
	{
		printf '[behalf]\ndemo = %s\nstate_dir = %s\n' "${SSH_DEMO:-yes}" "$SSH_STATE"
		printf '[ssh]\nuser = %s\nkeys_user = %s\n' "$SSH_USER" "$SSH_KEYS_USER"
		for line in "${SSH_CONF_LINES[@]}" "$@"; do printf '%s\n' "$line"; done
	} >"$SSH_CONF"
	chmod 644 "$SSH_CONF"
}

# ssh_as_service ARGS...: runs ARGS as the login user (the vendor's service
# account: the owner of the state directory), with root's environment.
ssh_as_service() {
	setpriv --reuid="$SSH_USER" --regid="$SSH_USER" --init-groups -- "$@"
}

# ssh_setup [SSHD OPTION LINES...]: everything, then sshd, ready.
ssh_setup() {
	local i
	ssh_user "$SSH_KEYS_USER"
	ssh_user "$SSH_USER"
	cp "$BEHALF_BIN" "$SSH_BIN"
	chmod 755 "$SSH_BIN"
	mkdir -p "$SSH_DIR/keys" /run/sshd
	chmod 700 "$SSH_DIR/keys"
	# The state is the service user's alone (the key look-up reads nothing).
	mkdir -p "$SSH_STATE"
	chown "$SSH_USER:" "$SSH_STATE"
	chmod 700 "$SSH_STATE"
	ssh_config
	ssh-keygen -q -t ed25519 -N '' -C behalf-test-host -f "$SSH_DIR/host_ed25519"
	printf '[127.0.0.1]:%s %s\n' PORT "$(cut -d' ' -f1,2 "$SSH_DIR/host_ed25519.pub")" \
		>"$SSH_DIR/known_hosts.in"
	for ((i = 0; i < 5; i++)); do
		SSH_PORT=$(ssh_free_port)
		ssh_sshd_config "$@"
		if ssh_sshd_start; then
			sed "s/PORT/$SSH_PORT/" "$SSH_DIR/known_hosts.in" >"$SSH_DIR/known_hosts"
			return 0
		fi
	done
	e2e_fail "sshd did not start: $(tail -n 5 "$SSH_LOG")"
}

# ssh_sshd_config [LINES...]: the server's configuration: a global part
# for this test's server, then the block `behalf ssh-config` writes for this
# install, as a vendor deploys it, with one change: UnusedConnectionTimeout
# of 3 s instead of minutes, so that a connection without a session
# (ssh -N) ends within the test.  AcceptEnv is wider than a vendor's should
# be, on purpose: behalf itself must drop what the client sends.
ssh_sshd_config() {
	local line
	{
		cat <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/host_ed25519
PidFile none
UsePAM no
LogLevel VERBOSE
AllowUsers $SSH_USER
PermitRootLogin no
PermitUserEnvironment no
AcceptEnv LANG LC_* XDG_* BEHALF_* POSTMARK_* HOME CUSTOMER
Subsystem sftp internal-sftp
EOF
		for line in "$@"; do printf '%s\n' "$line"; done
		"$SSH_BIN" ssh-config --config "$SSH_CONF" |
			sed -E 's/^([[:space:]]*UnusedConnectionTimeout).*/\1 3/'
	} >"$SSH_DIR/sshd_config"
	grep -q "^Match User $SSH_USER" "$SSH_DIR/sshd_config" ||
		e2e_fail "behalf ssh-config wrote no Match block: $(cat "$SSH_DIR/sshd_config")"
	"$SSH_SSHD" -t -f "$SSH_DIR/sshd_config" || e2e_fail "sshd refuses its configuration"
}

# ssh_sshd_start: sshd on $SSH_PORT; false when the port was taken meanwhile.
ssh_sshd_start() {
	local i
	: >"$SSH_LOG"
	"${SSH_REAP[@]}" "$SSH_SSHD" -D -f "$SSH_DIR/sshd_config" -E "$SSH_LOG" </dev/null &
	SSH_PID=$!
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		if grep -q "Server listening on 127.0.0.1 port $SSH_PORT" "$SSH_LOG"; then return 0; fi
		if ! kill -0 "$SSH_PID" 2>/dev/null; then
			wait "$SSH_PID" 2>/dev/null || true
			SSH_PID=
			return 1
		fi
		sleep 0.05
	done
	return 1
}

# ssh_key NAME: a new ed25519 key pair, $SSH_DIR/keys/NAME(.pub).
ssh_key() {
	ssh-keygen -q -t ed25519 -N '' -C "$1" -f "$SSH_DIR/keys/$1"
}

# ssh_fp NAME: the key's fingerprint as OpenSSH (and the enrollment
# screen) shows it.
ssh_fp() {
	ssh-keygen -l -E sha256 -f "$SSH_DIR/keys/$1.pub" | cut -d' ' -f2
}

# ssh_invite CUSTOMER [ARGS...]: a new invite code for CUSTOMER, made as
# the service user (BEHALF_FAKE_TIME in the environment mints one in the
# past).
ssh_invite() {
	local customer=$1
	shift
	ssh_as_service "$SSH_BIN" invite --config "$SSH_CONF" --customer "$customer" --json "$@" |
		jq -r .code
}

# ssh_client_args KEY [PORT OPTION]: the client's options: only this key,
# this server's host key, nothing from ~/.ssh or an agent; the port with
# -p (ssh) or the PORT OPTION given (-P for scp and sftp).
ssh_client_args() {
	printf '%s\n' -F /dev/null -o IdentitiesOnly=yes -o IdentityAgent=none \
		-i "$SSH_DIR/keys/$1" -o UserKnownHostsFile="$SSH_DIR/known_hosts" \
		-o StrictHostKeyChecking=yes -o BatchMode=yes -o LogLevel=ERROR \
		-o ConnectTimeout=10 "${2:--p}" "$SSH_PORT"
}

# ssh_connect KEY [OPTIONS...] [-- COMMAND...]: ssh -tt [OPTIONS]
# user@127.0.0.1 [COMMAND] in the tmux pane (80x24
# unless E2E_COLS/E2E_ROWS), TERM as E2E_TERM (default xterm-256color);
# the pane shows "[ssh exited N]" when the client ends.  A connection
# already in the pane is dropped as a closed terminal would drop it; with
# SSH_NEW_WINDOW=1 it is left alone and the new one opens in a new window
# (which the e2e_* helpers then read and type into).
ssh_connect() {
	local key=$1 cmd opts=() remote=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	if [ $# -gt 0 ]; then
		shift
		remote=(-- "$@")
	fi
	mapfile -t args < <(ssh_client_args "$key")
	cmd="env TERM=${E2E_TERM:-xterm-256color} ${E2E_ENV:-} $(printf '%q ' ssh -tt "${args[@]}" "${opts[@]}" "$SSH_USER@127.0.0.1" "${remote[@]}")"
	if ! e2e_tmux has-session -t e2e 2>/dev/null; then
		e2e_tmux new-session -d -s e2e -x "${E2E_COLS:-80}" -y "${E2E_ROWS:-24}" \
			"$cmd; echo \"[ssh exited \$?]\"; sleep 600"
		e2e_guard
	elif [ "${SSH_NEW_WINDOW:-}" = 1 ]; then
		e2e_tmux new-window -t e2e "$cmd; echo \"[ssh exited \$?]\"; sleep 600"
	else
		e2e_tmux respawn-pane -k -t e2e \
			"printf '\\033[H\\033[2J'; $cmd; echo \"[ssh exited \$?]\"; sleep 600"
	fi
}

# ssh_drop: the client in the pane goes away (as a closed terminal): waits
# until it has exited.  (e2e_stop would end the tmux server, whose guard may
# then end the next one too.)
ssh_drop() {
	local pid
	pid=$(ssh_client_pid)
	[ -z "$pid" ] || kill -HUP "$pid" 2>/dev/null || true
	e2e_wait "[ssh exited"
}

# ssh_run KEY [SSH ARGS...]: ssh without a terminal (stdin from /dev/null),
# bounded in time; SSH_RC, output in $SSH_OUT and $SSH_ERR.
ssh_run() {
	local key=$1
	shift
	mapfile -t args < <(ssh_client_args "$key")
	SSH_RC=0
	timeout -k 2 20 ssh "${args[@]}" "$@" </dev/null >"$SSH_OUT" 2>"$SSH_ERR" || SSH_RC=$?
}

# ssh_client_pid: the ssh client running in the pane.
ssh_client_pid() {
	local shell
	shell=$(e2e_tmux display-message -p -t e2e '#{pane_pid}')
	pgrep -P "$shell" -x ssh || true
}

# ssh_interactive_pids: behalf processes that hold a terminal (sessions,
# not the short-lived ssh-keys look-ups).
ssh_interactive_pids() {
	local pid
	for pid in $(ssh_behalf_pids); do
		if [ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | awk '{print $2}')" = ssh-session ]; then
			echo "$pid"
		fi
	done
}

# ssh_session_pid: waits until exactly one behalf ssh-session runs; its pid.
ssh_session_pid() {
	local i pids
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		pids=$(ssh_interactive_pids)
		if [ -n "$pids" ] && [ "$(wc -w <<<"$pids")" = 1 ]; then
			echo "$pids"
			return 0
		fi
		sleep 0.05
	done
	e2e_fail "not exactly one behalf session after ${E2E_TIMEOUT}s: '${pids:-}'"
}

# ssh_wait_no_behalf [DESCRIPTION]: waits until no process runs the copied
# behalf (sessions and look-ups alike): nothing outlives its connection.
ssh_wait_no_behalf() {
	local i pids
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		pids=$(ssh_behalf_pids)
		[ -z "$pids" ] && return 0
		sleep 0.05
	done
	ps -o pid,user,args -p "$(tr '\n' ',' <<<"$pids" | sed 's/,$//')" >&2 || true
	e2e_fail "behalf still running after ${E2E_TIMEOUT}s${1:+ ($1)}: $pids"
}

# ssh_wait_exit [TIMEOUT]: waits until the client in the pane has exited;
# prints its status.
ssh_wait_exit() {
	e2e_wait "[ssh exited" "${1:-$E2E_TIMEOUT}"
	e2e_screen | sed -n 's/.*\[ssh exited \([0-9]*\)\].*/\1/p' | tail -n 1
}

# ssh_listener NAME: a TCP listener on a free 127.0.0.1 port that counts
# the connections it accepts in $SSH_DIR/NAME.count (a forwarding target
# nothing may reach); prints the port.
ssh_listener() {
	local i
	: >"$SSH_DIR/$1.count"
	"${SSH_REAP[@]}" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1] + ".port", "w").write(str(s.getsockname()[1]))
n = 0
while True:
    c, _ = s.accept(); n += 1
    open(sys.argv[1] + ".count", "w").write(str(n)); c.close()
' "$SSH_DIR/$1" </dev/null >/dev/null 2>&1 &
	SSH_PIDS+=($!)
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		[ -s "$SSH_DIR/$1.port" ] && break
		sleep 0.05
	done
	[ -s "$SSH_DIR/$1.port" ] || e2e_fail "the listener $1 did not start"
	cat "$SSH_DIR/$1.port"
}

# ssh_listener_count NAME: connections the listener accepted so far.
ssh_listener_count() {
	local n
	n=$(cat "$SSH_DIR/$1.count")
	echo "${n:-0}"
}

# ssh_state CUSTOMER: the customer's state file.
ssh_state() {
	echo "$SSH_STATE/$1.json"
}

# ssh_environ PID: the process's environment, one NAME=value a line.
ssh_environ() {
	tr '\0' '\n' <"/proc/$1/environ"
}

# ---- the broker as its own user, in front of live sessions (after
# livelib.sh's live_setup: it talks to the Postmark simulator) ----

# ssh_broker_setup: the broker's user and directories: its socket's
# directory (group: the sessions' user), its state (access store, owners),
# the tickets directory (the key command writes, the broker reads), a copy
# of the binary.  Sets BROKER_USER, BROKER_DIR, BROKER_STATE, TICKETS,
# BROKER_CONF, BROKER_ERR, BROKER_BIN.
ssh_broker_setup() {
	BROKER_USER=behalf-broker
	ssh_user "$BROKER_USER"
	BROKER_DIR=$SSH_DIR/broker
	BROKER_STATE=$SSH_DIR/bstate
	TICKETS=$SSH_DIR/tickets
	BROKER_CONF=$SSH_DIR/broker.conf
	BROKER_ERR=$SSH_DIR/broker.stderr
	BROKER_BIN=$SSH_DIR/broker-bin/behalf
	mkdir -p "$BROKER_DIR" "$BROKER_STATE" "$TICKETS" "$SSH_DIR/broker-bin"
	cp "$BEHALF_BIN" "$BROKER_BIN"
	chown "$BROKER_USER:$SSH_USER" "$BROKER_DIR"
	chmod 0750 "$BROKER_DIR"
	chown "$BROKER_USER:$BROKER_USER" "$BROKER_STATE"
	chmod 0700 "$BROKER_STATE"
	chown "$SSH_KEYS_USER:$BROKER_USER" "$TICKETS"
	chmod 2770 "$TICKETS"
	: >"$BROKER_ERR"
}

# ssh_broker_config [LINES...]: the broker's config (mode 600, its user's):
# the simulator and its token ($SIM_URL, $LIVE_TOKEN; a closed port before
# live_setup), the socket, tickets; then LINES.
ssh_broker_config() {
	local line
	{
		cat <<EOC
[behalf]
state_dir = $BROKER_STATE
[postmark]
api_url = ${SIM_URL:-http://127.0.0.1:9}
account_token = $LIVE_TOKEN
timeout_ms = 5000
retry_base_ms = 10
[broker]
socket = $BROKER_DIR/broker.sock
state_dir = $BROKER_STATE/owners
group = $SSH_USER
allow_users = $SSH_USER
tickets = $TICKETS
EOC
		for line in "$@"; do printf '%s\n' "$line"; done
	} >"$BROKER_CONF"
	chown "$BROKER_USER:" "$BROKER_CONF"
	chmod 600 "$BROKER_CONF"
}

# ssh_broker_sessions [LINES...]: the sessions' config, for ssh_setup
# (SSH_DEMO, SSH_CONF_LINES): live, the ESP through the broker with
# tickets, no token; then LINES.
ssh_broker_sessions() {
	SSH_DEMO=no
	SSH_CONF_LINES=(
		"[dns]" "resolvers = $LIVE_DNS" "authoritative = ns1.$DNS_ZONE=$LIVE_DNS"
		"[postmark]" "signature_note = $LIVE_NOTE"
		"[esp]" "broker = $BROKER_DIR/broker.sock"
		"[broker]" "tickets = $TICKETS"
		"$@"
	)
}

# ssh_ticket KEY: a broker ticket for KEY, as sshd's key command mints it
# (as its user, into $TICKETS).
ssh_ticket() {
	# shellcheck disable=SC2046 # the key's type and blob: two arguments
	setpriv --reuid="$SSH_KEYS_USER" --regid="$SSH_KEYS_USER" --clear-groups -- \
		"$SSH_BIN" ssh-keys --user "$SSH_USER" --tickets "$TICKETS" \
		"$SSH_USER" $(cut -d' ' -f1,2 "$SSH_DIR/keys/$1.pub") |
		sed -n 's/.*--ticket \([0-9a-f]*\)".*/\1/p'
}

# ssh_broker_start: the broker, as its user (in the sessions' group for
# its socket; a sanitized build reports on its stderr); waits for the
# socket.  BROKER_PID names it.
ssh_broker_start() {
	local i
	"${SSH_REAP[@]}" setpriv --reuid="$BROKER_USER" --regid="$BROKER_USER" \
		--groups="$(id -g "$SSH_USER")" -- env ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1 "$BROKER_BIN" broker --config "$BROKER_CONF" \
		</dev/null 2>>"$BROKER_ERR" &
	BROKER_PID=$!
	SSH_PIDS+=("$BROKER_PID")
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		[ -S "$BROKER_DIR/broker.sock" ] && return 0
		kill -0 "$BROKER_PID" 2>/dev/null || break
		sleep 0.05
	done
	e2e_fail "the broker did not listen: $(cat "$BROKER_ERR")"
}
