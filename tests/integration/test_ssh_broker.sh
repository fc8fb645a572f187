#!/usr/bin/env bash
# SSH with the broker and its tickets (issue 10, items 3, 5, 8), through a
# real sshd, against the Postmark simulator and Knot:
# - `behalf ssh-config` with [broker] tickets: the key command mints a
#   ticket per call (--tickets) and there is no ForceCommand (the key line's
#   command carries the ticket);
# - a new key enrolls through the broker: the code goes to the broker, which
#   binds the key in its own access store (the sessions' user can neither
#   write that store nor read the tickets), audits it, and the same
#   connection goes on as that customer's: the wizard's domain is made at
#   Postmark by the broker and recorded as acme's; the broker restarts
#   under the live session, which goes on with its resume ticket; the same
#   key comes back without a code;
# - the live session has no token in its environment or memory, and no
#   ticket in its command line;
# - at the broker's socket, as the sessions' user: a made-up ticket, a
#   reused one and one of another customer's key are refused, and the
#   broker logs each.
# shellcheck disable=SC2030,SC2031 # subshells read the settings on purpose
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
	echo "skip (test_ssh_broker): needs root (its own sshd, users, sessions as another user)"
	exit 77
fi
LIVE_TOKEN=pmacct-T1ck3tHeld-4RvQm-8e21
# shellcheck source=livelib.sh
. "$HERE/livelib.sh"
LIVE_E2E_TMP=$E2E_TMP
# shellcheck source=sshlib.sh
. "$HERE/sshlib.sh"
# Both libraries trap EXIT: sshd and its sessions first, then the DNS
# servers and the simulator, with the test's status.
both_cleanup() {
	local rc=$?
	(
		(exit "$rc")
		ssh_cleanup
	) || true
	rm -rf "$LIVE_E2E_TMP"
	dns_cleanup "$rc"
}
trap both_cleanup EXIT

live_setup
ssh_broker_setup
ssh_broker_config
ssh_broker_start

# The sessions' config: live (no demo), the ESP through the broker, no token.
ssh_broker_sessions
ssh_setup
grep -q "ssh-keys --user $SSH_USER --tickets $TICKETS" "$SSH_DIR/sshd_config" ||
	e2e_fail "ssh-config's key command mints no tickets: $(grep AuthorizedKeysCommand "$SSH_DIR/sshd_config")"
if "$SSH_SSHD" -T -f "$SSH_DIR/sshd_config" -C "user=$SSH_USER,addr=127.0.0.1,host=x" |
	grep -qi '^forcecommand /'; then
	e2e_fail "a ForceCommand would replace the key line's command and its ticket"
fi
! grep -qF -- "$LIVE_TOKEN" "$SSH_CONF" || e2e_fail "the sessions' config holds the token"

# What the sessions' user can reach: neither the tickets nor the store.
as_sessions() { setpriv --reuid="$SSH_USER" --regid="$SSH_USER" --init-groups -- "$@"; }
if as_sessions ls "$TICKETS" >/dev/null 2>&1; then e2e_fail "the sessions' user can list the tickets"; fi
if as_sessions touch "$BROKER_STATE/x" 2>/dev/null; then e2e_fail "the sessions' user can write the access store"; fi

# ---- a new key enrolls through the broker ----
ssh_key alice
fp=$(ssh_fp alice)
code=$(setpriv --reuid="$BROKER_USER" --regid="$BROKER_USER" --clear-groups -- \
	"$BROKER_BIN" invite --config "$SSH_CONF" --state-dir "$BROKER_STATE" --customer acme --json |
	jq -r .code)
{ [ -n "$code" ] && [ "$code" != null ]; } || e2e_fail "behalf invite gave no code"
ssh_connect alice
e2e_wait "Connect this key"
e2e_assert_screen "$fp"
e2e_type "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
e2e_wait "Invite code ZZZZ-ZZZZ-ZZZZ-ZZZZ"
e2e_keys Enter
e2e_wait_re "not valid|no such|wrong|not (be )?used"
e2e_keys C-u
e2e_wait_gone "ZZZZ-ZZZZ"
e2e_type "$code"
e2e_keys Enter
live_opt1_to_records
session=$(ssh_session_pid)
e2e_equal "the domain at Postmark, made through the broker" "$DNS_ZONE" "$(sim_jq '.Domains[0].Name')"
id=$(sim_jq '.Domains[0].ID')
e2e_equal "the broker's record of its owner" acme \
	"$(jq -r --arg id "$id" '.domains[$id].customer' "$BROKER_STATE/owners/owners.json")"
e2e_wait_json "$(ssh_state acme)" '.customer == "acme"' "acme's state"
[ ! -e "$SSH_STATE/access" ] || e2e_fail "the session wrote an access store of its own"
audit=$BROKER_STATE/access/audit.jsonl
jq -s -e --arg fp "$fp" 'any(.[]; (tostring | contains($fp)) and (tostring | contains("acme")))' \
	"$audit" >/dev/null || e2e_fail "the broker's audit log has no binding of $fp to acme: $(cat "$audit")"
if grep -rqiF -e "$code" -e "$(tr -d '-' <<<"$code")" "$BROKER_STATE" "$BROKER_ERR"; then
	e2e_fail "the invite code is stored or logged in clear"
fi
grep -qF "key $fp from 127.0.0.1 bound to acme" "$BROKER_ERR" ||
	e2e_fail "the broker did not log the binding: $(cat "$BROKER_ERR")"

# ---- the live session: no token, no ticket ----
ssh_environ "$session" >"$E2E_TMP/session.environ"
grep -q '^TERM=' "$E2E_TMP/session.environ" || e2e_fail "could not read the session's environment"
! grep -qiF -- "$LIVE_TOKEN" "$E2E_TMP/session.environ" || e2e_fail "the token is in the session's environment"
mem_holds "$BROKER_PID" "$LIVE_TOKEN" || e2e_fail "the memory scan does not find the token in the broker"
mem_holds "$session" "$DNS_ZONE" || e2e_fail "the memory scan does not find the domain in the session"
if mem_holds "$session" "$LIVE_TOKEN"; then e2e_fail "the token is in the session's memory"; fi
if mem_holds "$session" "T1ck3tHeld"; then e2e_fail "a piece of the token is in the session's memory"; fi
cmdline=$(tr '\0' ' ' <"/proc/$session/cmdline")
grep -q -- "--ticket" <<<"$cmdline" || e2e_fail "the session was not started with a ticket: $cmdline"
if grep -qE '[0-9a-f]{32}' <<<"$cmdline"; then e2e_fail "the ticket stayed in the command line: $cmdline"; fi
# nor in any other process's (sshd's shell, say)
for f in /proc/[0-9]*/cmdline; do
	if tr '\0' ' ' <"$f" 2>/dev/null | grep -qE -- '--ticket [0-9a-f]{32}'; then
		e2e_fail "a ticket in the command line of ${f%/cmdline}: $(tr '\0' ' ' <"$f")"
	fi
done

# The broker restarts under the live session (tickets are single-use): the
# session's next call reconnects with the resume ticket the broker handed
# it at hello, and goes through: once the records are published, the
# wizard's verify reaches Postmark.
kill "$BROKER_PID"
wait "$BROKER_PID" 2>/dev/null || true
ssh_broker_start
live_publish_correct
sim_wait_requests '[.[] | select(.Path | test("verifydkim"; "i"))] | length >= 1' \
	"a verify through the restarted broker" 60
if grep -q "session of uid .* refused" "$BROKER_ERR"; then
	e2e_fail "the restarted broker refused the session: $(cat "$BROKER_ERR")"
fi
e2e_refute_screen "refused this session"
e2e_wait "All set!"

# The same key again: the broker knows it, no code.
ssh_drop
ssh_wait_no_behalf "after the drop"
ssh_connect alice
e2e_wait "Your domain $DNS_ZONE is authenticated"
e2e_refute_screen "Connect this key"
ssh_drop
ssh_wait_no_behalf "after the second drop"

# ---- at the broker's socket, as the sessions' user ----
# hello CUSTOMER TICKET: the broker's answer to a hello, as the sessions' user.
hello() {
	BROKER_TICKET=$2 as_sessions "$DNS_PY" "$HERE/broker_client.py" "$BROKER_DIR/broker.sock" "$1" |
		head -1
}
e2e_equal "a made-up ticket" false "$(hello "" 0123456789abcdef0123456789abcdef | jq -r .ok)"
grep -q "came with an unknown, used or expired ticket" "$BROKER_ERR" ||
	e2e_fail "the made-up ticket is not logged"
t=$(ssh_ticket alice)
[ "${#t}" = 32 ] || e2e_fail "ssh-keys printed no ticket"
e2e_equal "alice's ticket: acme's session" acme "$(hello "" "$t" | jq -r .customer)"
e2e_equal "the same ticket again" false "$(hello "" "$t" | jq -r .ok)"
[ "$(grep -c "came with an unknown, used or expired ticket" "$BROKER_ERR")" -ge 2 ] ||
	e2e_fail "the reused ticket is not logged"
t=$(ssh_ticket alice)
e2e_equal "acme's ticket claiming beta" false "$(hello beta "$t" | jq -r .ok)"
grep -q "claimed beta with a ticket of acme" "$BROKER_ERR" || e2e_fail "the false claim is not logged"
ssh_key bob
t=$(ssh_ticket bob)
e2e_equal "an unbound key's ticket: enrollment" true "$(hello "" "$t" | jq -r .enroll)"
t=$(ssh_ticket bob)
e2e_equal "an unbound key's ticket claiming acme" false "$(hello acme "$t" | jq -r .ok)"
# Wrong codes at the broker count against the ticket's key: the sixth
# waits, and bob is bound to nobody.
t=$(ssh_ticket bob)
wrong='{"op":"enroll","code":"ZZZZ-ZZZZ-ZZZZ-ZZZZ","from":"198.51.100.4"}'
BROKER_TICKET=$t as_sessions "$DNS_PY" "$HERE/broker_client.py" "$BROKER_DIR/broker.sock" "" \
	"$wrong" "$wrong" "$wrong" "$wrong" "$wrong" "$wrong" >"$E2E_TMP/wrong.out" || true
e2e_equal "answers to six wrong codes" 7 "$(wc -l <"$E2E_TMP/wrong.out")"
e2e_equal "the first wrong code: no wait" 0 "$(sed -n 2p "$E2E_TMP/wrong.out" | jq .wait_s)"
(($(sed -n 7p "$E2E_TMP/wrong.out" | jq .wait_s) > 0)) ||
	e2e_fail "the sixth wrong code does not wait: $(sed -n 7p "$E2E_TMP/wrong.out")"
# (five per key, twenty per address: the sixth is the key's limit)
bound=$(setpriv --reuid="$BROKER_USER" --regid="$BROKER_USER" --clear-groups -- \
	"$BROKER_BIN" keys --config "$SSH_CONF" --state-dir "$BROKER_STATE")
grep -qF "$fp" <<<"$bound" || e2e_fail "behalf keys does not list alice's key: $bound"
if grep -qF "$(ssh_fp bob)" <<<"$bound"; then e2e_fail "bob's key was bound: $bound"; fi
e2e_equal "a hello without a ticket" false "$(hello acme "" | jq -r .ok)"

# The key command as sshd calls it where it has %C (the client's address
# and port, the server's, in one argument): the ticket names that address.
# It also prunes: an expired ticket (its time is its expiry) goes, with
# the leftover of a redeemer that died.
expired=$TICKETS/00000000000000000000000000000000
as_keys() { setpriv --reuid="$SSH_KEYS_USER" --regid="$SSH_KEYS_USER" --clear-groups -- "$@"; }
as_keys touch -d '-10 minutes' "$expired" "$TICKETS/.0000000000000000000000000000000a.1"
rm -f "$TICKETS/.pruned"
t=$(as_keys "$SSH_BIN" ssh-keys --user "$SSH_USER" --tickets "$TICKETS" "$SSH_USER" \
	$(cut -d' ' -f1,2 "$SSH_DIR/keys/bob.pub") "192.0.2.9 50022 127.0.0.1 22" |
	sed -n 's/.*--ticket \([0-9a-f]*\)".*/\1/p')
e2e_equal "the ticket's address" 192.0.2.9 "$(jq -r .address "$TICKETS/$t")"
e2e_equal "the ticket's key" "$(ssh_fp bob)" "$(jq -r .fingerprint "$TICKETS/$t")"
e2e_equal "the ticket's customer (the broker's to find)" "" "$(jq -r .customer "$TICKETS/$t")"
[ ! -e "$expired" ] || e2e_fail "ssh-keys left an expired ticket"
[ ! -e "$TICKETS/.0000000000000000000000000000000a.1" ] || e2e_fail "ssh-keys left a dead redeemer's file"

e2e_pass
