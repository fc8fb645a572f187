#!/usr/bin/env bash
# One connection, one session, through a real sshd.  A key the vendor bound
# (behalf keys --bind, no invite) opens its customer's wizard at once, with
# no code asked.  On that connection (the client as a ControlMaster), a
# second session channel, with or without a terminal, is refused
# (MaxSessions 1): it starts no second behalf and leaves the first session
# as it was.  A tunnel (ssh -w) gets nothing: refused, no tun device left,
# no behalf left.
# shellcheck source=sshlib.sh
. "$(dirname "$0")/sshlib.sh"

ssh_setup
ssh_key carol
ssh_as_service "$SSH_BIN" keys --config "$SSH_CONF" --customer initech \
	--bind "$(cat "$SSH_DIR/keys/carol.pub")" >/dev/null

# ---- a vendor-bound key, as a ControlMaster ----
sock=$SSH_DIR/mux.sock
ssh_connect carol -o ControlMaster=yes -o ControlPath="$sock" -o ControlPersist=no
e2e_wait "Press Enter to start."
e2e_refute_screen "Connect this key"
first=$(ssh_session_pid)
for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
	[ -S "$sock" ] && break
	sleep 0.05
done
[ -S "$sock" ] || e2e_fail "the master's control socket did not appear"

# mux_run ARGS...: a second session on the master's connection (no new
# connection: -S and ControlMaster=no), bounded in time; SSH_RC, $SSH_ERR.
mux_run() {
	SSH_RC=0
	timeout -k 2 20 ssh -F /dev/null -o ControlMaster=no -o ControlPath="$sock" -o BatchMode=yes \
		"$@" "$SSH_USER@127.0.0.1" </dev/null >"$SSH_OUT" 2>"$SSH_ERR" || SSH_RC=$?
}
for opts in "-T" "-tt" "-T bash"; do
	# shellcheck disable=SC2086 # the options' words
	mux_run $opts
	if [ "$SSH_RC" = 0 ] || [ "$SSH_RC" = 124 ] || [ "$SSH_RC" = 137 ]; then
		e2e_fail "a second session ($opts) on one connection: status $SSH_RC ($(cat "$SSH_ERR"))"
	fi
	grep -qiE "refused|prohibited|failed" "$SSH_ERR" ||
		e2e_fail "second session ($opts): no refusal from the server: $(cat "$SSH_ERR")"
	[ ! -s "$SSH_OUT" ] || e2e_fail "second session ($opts) printed: $(head -c 300 "$SSH_OUT")"
	now=$(ssh_interactive_pids)
	[ "$now" = "$first" ] || e2e_fail "second session ($opts): behalf sessions '$now', expected only $first"
done
grep -q "no more sessions" "$SSH_LOG" || e2e_fail "sshd's log does not show the refusal (MaxSessions)"
# The first session goes on as it was.
e2e_keys Enter
e2e_wait "How should your emails be sent?"
ssh_drop
ssh_wait_no_behalf "after the master went"
[ ! -S "$sock" ] || rm -f "$sock"

# ---- a tunnel ----
tuns() { ip -o link show type tun 2>/dev/null | awk -F': ' '{print $2}' | sort; }
before=$(tuns)
for mode in point-to-point ethernet; do
	ssh_run carol -o ExitOnForwardFailure=yes -o Tunnel="$mode" -w any "$SSH_USER@127.0.0.1"
	if [ "$SSH_RC" = 0 ] || [ "$SSH_RC" = 124 ] || [ "$SSH_RC" = 137 ]; then
		e2e_fail "ssh -w any ($mode): status $SSH_RC ($(cat "$SSH_ERR"))"
	fi
	# The server's answer ("Tunnel device open failed" would be the client's own).
	grep -q "Tunnel forwarding failed" "$SSH_ERR" ||
		e2e_fail "ssh -w ($mode): not refused by the server: $(cat "$SSH_ERR")"
	ssh_wait_no_behalf "after ssh -w ($mode)"
	[ "$(tuns)" = "$before" ] || e2e_fail "ssh -w ($mode) left a tun device: $(tuns)"
done

e2e_pass
