#!/usr/bin/env bash
# Through a real sshd, a key that is bound (or not) gets the onboarding
# screen and nothing else: a command, a session without a terminal, scp,
# sftp, forwarding of any kind (-L, -R, -D, -W, -N) all end with a non-zero
# status, reach nothing, and leave no behalf process behind.
# shellcheck source=sshlib.sh
. "$(dirname "$0")/sshlib.sh"

ssh_setup
ssh_key alice
ssh_key stranger
code=$(ssh_invite acme)
ssh_connect alice
e2e_wait "Connect this key"
e2e_type "$code"
e2e_keys Enter
e2e_wait "Press Enter to start."
ssh_drop # the client goes; the session with it
ssh_wait_no_behalf "after the client went"

target=$(ssh_listener target)

# expect_refused WHAT: the last ssh_run ended non-zero, not by the timeout.
expect_refused() {
	if [ "$SSH_RC" = 0 ] || [ "$SSH_RC" = 124 ] || [ "$SSH_RC" = 137 ]; then
		e2e_fail "$1: status $SSH_RC (stderr: $(cat "$SSH_ERR"))"
	fi
	ssh_wait_no_behalf "$1"
}

for key in alice stranger; do
	# A command, or none, without a terminal: one line saying why.
	for cmd in "" bash "cat /etc/passwd" "-- --customer globex"; do
		# shellcheck disable=SC2086 # the command's words, as a person types them
		ssh_run "$key" "$SSH_USER@127.0.0.1" $cmd
		expect_refused "$key: ssh host $cmd"
		grep -q "interactive setup screen" "$SSH_ERR" ||
			e2e_fail "$key: ssh host $cmd: no explanation on stderr: $(cat "$SSH_ERR")"
		[ "$(grep -c . "$SSH_ERR")" = 1 ] || e2e_fail "$key: more than one line: $(cat "$SSH_ERR")"
		[ ! -s "$SSH_OUT" ] || e2e_fail "$key: ssh host $cmd printed: $(head -c 300 "$SSH_OUT")"
	done
	ssh_run "$key" -T "$SSH_USER@127.0.0.1" bash
	expect_refused "$key: ssh -T host bash"
done

# File transfer: scp (SFTP and the old protocol) and sftp.
mapfile -t args < <(ssh_client_args alice -P)
echo secret >"$E2E_TMP/up.txt"
for mode in "" -O; do
	SSH_RC=0
	# shellcheck disable=SC2086
	timeout -k 2 20 scp $mode "${args[@]}" "$E2E_TMP/up.txt" \
		"$SSH_USER@127.0.0.1:/tmp/behalf-ssh-up-$$.txt" </dev/null >"$SSH_OUT" 2>"$SSH_ERR" ||
		SSH_RC=$?
	expect_refused "scp $mode upload"
	[ ! -e "/tmp/behalf-ssh-up-$$.txt" ] || e2e_fail "scp $mode wrote a file on the server"
	SSH_RC=0
	# shellcheck disable=SC2086
	timeout -k 2 20 scp $mode "${args[@]}" "$SSH_USER@127.0.0.1:/etc/hostname" \
		"$E2E_TMP/down.txt" </dev/null >"$SSH_OUT" 2>"$SSH_ERR" || SSH_RC=$?
	expect_refused "scp $mode download"
	[ ! -s "$E2E_TMP/down.txt" ] || e2e_fail "scp $mode read a file of the server"
done
SSH_RC=0
timeout -k 2 20 sftp -b - "${args[@]}" "$SSH_USER@127.0.0.1" <<<"ls /" >"$SSH_OUT" 2>"$SSH_ERR" ||
	SSH_RC=$?
expect_refused "sftp"
grep -q "bin" "$SSH_OUT" && e2e_fail "sftp listed the server's files"

# Forwarding: -W (stdio), -R (remote) refused at once.
ssh_run alice -W "127.0.0.1:$target" "$SSH_USER@127.0.0.1"
expect_refused "ssh -W"
ssh_run alice -N -o ExitOnForwardFailure=yes -R "0:127.0.0.1:$target" "$SSH_USER@127.0.0.1"
expect_refused "ssh -N -R"

# -N with -L and -D: the tunnels open on the client's side, but nothing
# gets through them, and the server ends the connection that has no
# session (UnusedConnectionTimeout).
lport=$(ssh_free_port)
dport=$(ssh_free_port)
mapfile -t args < <(ssh_client_args alice)
timeout -k 2 20 ssh "${args[@]}" -N -L "$lport:127.0.0.1:$target" -D "$dport" \
	"$SSH_USER@127.0.0.1" </dev/null >"$E2E_TMP/tunnel.out" 2>&1 &
tunnel=$!
got=$(python3 - "$lport" "$E2E_TIMEOUT" <<'EOF'
import socket, sys, time
port, limit = int(sys.argv[1]), float(sys.argv[2])
end = time.monotonic() + limit
while True:
    try:
        c = socket.create_connection(("127.0.0.1", port), timeout=limit)
        break
    except OSError:
        if time.monotonic() > end:
            print("no-listener"); sys.exit(0)
        time.sleep(0.05)
try:
    print(len(c.recv(100)))
except OSError:
    print(0)
EOF
)
[ "$got" = 0 ] || e2e_fail "ssh -L: the tunnel gave '$got' (expected a closed connection)"
if curl -s --max-time 10 --socks5 "127.0.0.1:$dport" "http://127.0.0.1:$target/" >/dev/null 2>&1; then
	e2e_fail "ssh -D: a request went through the SOCKS tunnel"
fi
SSH_RC=0
wait "$tunnel" || SSH_RC=$?
expect_refused "ssh -N -L -D"
[ "$(ssh_listener_count target)" = 0 ] ||
	e2e_fail "a forwarding reached the target $(ssh_listener_count target) times"
ssh_wait_no_behalf "after the tunnels"

e2e_pass
