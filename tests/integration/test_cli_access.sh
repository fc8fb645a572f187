#!/usr/bin/env bash
# SSH access through the real binary (issue 10, items 1, 2 and 7): invites
# are minted, listed without their codes, revoked by id or by code; bound
# keys are listed and unbound, in the audit log; behalf ssh-keys answers
# sshd with one forced-command line for a well-formed key of the configured
# user and nothing otherwise, without waiting on the store's lock; behalf
# ssh-config prints a block that the installed sshd accepts (sshd -t) and
# that gives the intended settings to that user only (sshd -T).
set -euo pipefail

: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/behalf-access.XXXXXX")
holder=
cleanup() {
	if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export XDG_CONFIG_HOME="$T/xdg" XDG_STATE_HOME="$T/xdg-state"
unset POSTMARK_ACCOUNT_TOKEN POSTMARK_SERVER_TOKEN POSTMARK_API_URL
BIN=$(realpath "$BEHALF_BIN")
CLI_BIN=$BIN
# shellcheck source=clilib.sh
. "$(dirname "$0")/clilib.sh"
mode() {
	local m
	m=$(stat -c %a "$1")
	if [ "$m" = "$2" ]; then ok "$3: mode $2"; else fail "$3: mode $m, expected $2"; fi
}

S="$T/state"
C="$T/behalf.conf"
cat >"$C" <<EOF
[behalf]
state_dir = $S
[ssh]
host = onboard.acmehelp.example
port = 2222
user = onboard
keys_user = onboard-keys
idle_minutes = 20
EOF
A="$S/access"

# ---- invite ----
day1=$(date -u -d '+2 days' +%Y-%m-%d)
run invite --config "$C" --customer acme --expires 2d
expect 0 "invite"
day2=$(date -u -d '+2 days' +%Y-%m-%d) # the same, unless midnight passed meanwhile
code=$(grep -oE '\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\b' "$T/out" | head -1 || true)
[ -n "$code" ] && ok "invite: a code in four groups" || fail "invite: no code in $(cat "$T/out")"
if grep -qE '[ILOU]' <<<"$code"; then fail "invite: $code is not Crockford base32"; else ok "invite: Crockford characters"; fi
has "$T/out" "ssh -p 2222 onboard@onboard.acmehelp.example" "invite: the ssh line from [ssh]"
has "$T/out" "IdentitiesOnly=yes" "invite: how to choose a key"
if grep -qE "works once, until ($day1|$day2) [0-9]{2}:[0-9]{2} UTC" "$T/out"; then ok "invite: once, and until when"; else fail "invite: no 'works once, until $day1 HH:MM UTC' in $(cat "$T/out")"; fi
id=$(grep -oE 'Invite [0-9A-Z]{6}' "$T/err" | cut -d' ' -f2 || true)
[ -n "$id" ] && ok "invite: the id on stderr ($id)" || fail "invite: no id in $(cat "$T/err")"
hasnt "$T/err" "$code" "invite: the code only on stdout"

mode "$A" 700 "access directory"
mode "$A/invites" 700 "invites/"
for f in "$A"/invites/*.json; do mode "$f" 600 "the invite's file"; done
mode "$A/secret" 600 "secret"
mode "$A/audit.jsonl" 600 "audit log"
while IFS= read -r f; do
	hasnt "$f" "$code" "the code is not in ${f#"$A"/}"
	hasnt "$f" "${code//-/}" "nor without dashes"
done < <(find "$A" -type f)
has "$A/audit.jsonl" '"invite-created"' "audit: the invite"

run invite --config "$C" --customer globex --json --host 192.0.2.10 --port 22 --user behalf
expect 0 "invite --json"
code2=$(jq -r .code "$T/out")
id2=$(jq -r .id "$T/out")
if jq -e '.customer == "globex" and .ssh == "ssh behalf@192.0.2.10" and (.expires | test("^[0-9-]+T[0-9:]+Z$")) and (.code as $c | .text | contains($c))' "$T/out" >/dev/null; then
	ok "invite --json: customer, ssh line from the flags, expiry, the text"
else
	fail "invite --json: $(cat "$T/out")"
fi

run invite --config "$C" --customer ../etc
expect 2 "invite: a customer id that is not one"
has "$T/err" "is not a valid id" "invite: says why"
run invite --config "$C" --customer acme --expires 91d
expect 2 "invite: --expires past 90 days"
run invite --config "$C" --customer acme --expires soon
expect 2 "invite: --expires not a duration"
run invite --config "$C"
expect 2 "invite without --customer"
run invite --config "$C" --customer acme --list
expect 2 "invite: --customer and --list together"

for cmd in invite keys ssh-config; do
	run "$cmd" -h
	expect 0 "$cmd -h"
	has "$T/out" "usage: behalf $cmd" "$cmd -h: its usage"
done
run keys --config "$C" --unbind SHA256:x --customer acme
expect 2 "keys: --unbind with --customer"
run ssh-keys onboard ssh-ed25519
expect 2 "ssh-keys without the key"

# Root must not leave its own files in the sessions' store.
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/other/state"
	chown 65534 "$T/other/state"
	run invite --config "$C" --state-dir "$T/other/state" --customer acme
	expect 2 "invite as root into a store owned by another user"
	has "$T/err" "runuser" "says how to run it"
	if [ -e "$T/other/state/access" ]; then fail "root created files in another user's store"; else ok "nothing written there"; fi
fi

# ---- list and revoke ----
run invite --config "$C" --list
expect 0 "invite --list"
has "$T/out" "$id" "list: the first invite"
has "$T/out" "$id2" "list: the second invite"
hasnt "$T/out" "$code" "list: no code"
run invite --config "$C" --list --json
expect 0 "invite --list --json"
if jq -e --arg id "$id" 'map(select(.id == $id))[0] | .customer == "acme" and .status == "open" and (has("code") | not)' "$T/out" >/dev/null; then
	ok "list --json: open, no code"
else
	fail "list --json: $(cat "$T/out")"
fi

run invite --config "$C" --revoke "$(tr 'A-Z' 'a-z' <<<"$id")"
expect 0 "revoke by id (typed in lower case)"
has "$T/out" "$id" "revoke: names the invite"
run invite --config "$C" --revoke "$id"
expect 1 "revoke again"
# By the code as a customer might read it out: lower case, spaces for dashes.
run invite --config "$C" --revoke "$(tr 'A-Z-' 'a-z ' <<<"$code2")"
expect 0 "revoke by code"
has "$T/out" "$id2" "revoke by code: names its invite"
run invite --config "$C" --revoke ZZZZ-ZZZZ-ZZZZ-ZZZZ
expect 1 "revoke of an unknown code"
run invite --config "$C" --list --json
if jq -e 'all(.status == "revoked")' "$T/out" >/dev/null; then ok "list: both revoked"; else fail "list after revoke: $(cat "$T/out")"; fi
has "$A/audit.jsonl" '"invite-revoked"' "audit: the revocations"
hasnt "$A/audit.jsonl" "$code2" "audit: no code"

# ---- keys ----
ssh-keygen -q -t ed25519 -N '' -C customer -f "$T/k1" </dev/null
ssh-keygen -q -t ecdsa -N '' -C other -f "$T/k2" </dev/null
read -r type1 blob1 _ <"$T/k1.pub"
fp1=$(ssh-keygen -lf "$T/k1.pub" | awk '{print $2}')
run keys --config "$C"
expect 0 "keys with none bound"
has "$T/out" "No keys are bound" "keys: says none"
# A binding in the one keys.json of an earlier behalf: the first command
# that reads the store moves it to a file of its own (src/app/access.h).
cat >"$A/keys.json" <<EOF
{"schema": 1, "keys": [
 {"fingerprint": "$fp1", "customer": "acme", "added": 1780000000000,
  "from": "192.0.2.7", "invite": "$id"}]}
EOF
run keys --config "$C" --customer acme
expect 0 "keys --customer acme"
has "$T/out" "$fp1" "keys: the fingerprint (as ssh-keygen -l)"
if [ -e "$A/keys.json" ]; then fail "keys.json is still there after the upgrade"; else ok "upgrade: keys.json is gone"; fi
[ "$(find "$A/keys" -name '*.json' | wc -l)" = 1 ] && ok "upgrade: one file for the one binding" || fail "upgrade: $(ls -la "$A/keys" 2>&1)"
has "$A/audit.jsonl" '"store-upgraded"' "audit: the upgrade"
has "$T/out" "192.0.2.7" "keys: from where"
has "$T/out" "2026-05-28T" "keys: when"
run keys --config "$C" --customer globex --json
expect 0 "keys --customer globex --json"
if jq -e 'length == 0' "$T/out" >/dev/null; then ok "keys: none for globex"; else fail "keys globex: $(cat "$T/out")"; fi
run keys --config "$C" --json
if jq -e --arg fp "$fp1" '.[0].fingerprint == $fp and .[0].customer == "acme" and .[0].from == "192.0.2.7"' "$T/out" >/dev/null; then
	ok "keys --json"
else
	fail "keys --json: $(cat "$T/out")"
fi

# ---- bind: a key the vendor already has ----
fp2=$(ssh-keygen -lf "$T/k2.pub" | awk '{print $2}')
run keys --config "$C" --customer globex --bind "$(cat "$T/k2.pub")"
expect 0 "keys --bind (a .pub line with its comment)"
has "$T/out" "$fp2" "bind: names the key"
has "$T/out" "globex" "bind: and the customer"
run keys --config "$C" --customer globex --json
if jq -e --arg fp "$fp2" 'length == 1 and .[0].fingerprint == $fp and .[0].from == "vendor" and .[0].invite == ""' "$T/out" >/dev/null; then
	ok "bind: listed, from vendor, no invite"
else
	fail "bind: keys --json: $(cat "$T/out")"
fi
if grep '"key-bound"' "$A/audit.jsonl" | grep -F "$fp2" | grep -q "from vendor"; then ok "audit: the binding, source vendor"; else fail "audit: no key-bound from vendor for $fp2: $(cat "$A/audit.jsonl")"; fi
run keys --config "$C" --customer globex --bind "$(cat "$T/k2.pub")" --json
expect 0 "keys --bind again, same customer"
if jq -e --arg fp "$fp2" '.fingerprint == $fp and .customer == "globex" and .bound == "already"' "$T/out" >/dev/null; then ok "bind again: already, nothing changed"; else fail "bind again --json: $(cat "$T/out")"; fi
run keys --config "$C" --customer acme --bind "$(cat "$T/k2.pub")"
expect 1 "keys --bind of a key bound to another customer"
has "$T/err" "already bound to customer globex" "bind: says whose it is"
run keys --config "$C" --customer globex --json
if jq -e 'length == 1' "$T/out" >/dev/null; then ok "bind refused: still globex's"; else fail "bind refused: $(cat "$T/out")"; fi
run keys --config "$C" --customer acme --bind "restrict,command=\"sh\" $(cat "$T/k1.pub")"
expect 2 "keys --bind of an authorized_keys line with options"
has "$T/err" "public key line" "bind: says what it takes"
run keys --config "$C" --customer acme --bind "$type1 ${blob1:0:40}x== cut"
expect 2 "keys --bind of a key cut short"
run keys --config "$C" --bind "$(cat "$T/k1.pub")"
expect 2 "keys --bind without --customer"
if [ "$(id -u)" = 0 ]; then
	run keys --config "$C" --state-dir "$T/other/state" --customer acme --bind "$(cat "$T/k1.pub")"
	expect 2 "keys --bind as root into a store owned by another user"
fi
run keys --config "$C" --unbind "$fp2"
expect 0 "unbind the vendor's binding"

# ---- ssh-keys (as sshd calls it) ----
keyline="restrict,pty,command=\"$BIN ssh-session\" $type1 $blob1"
for who in bound unknown; do
	if [ "$who" = unknown ]; then read -r type1 blob1 _ <"$T/k2.pub"; fi
	keyline="restrict,pty,command=\"$BIN ssh-session\" $type1 $blob1"
	run ssh-keys --user onboard onboard "$type1" "$blob1"
	expect 0 "ssh-keys: $who key"
	if [ "$(cat "$T/out")" = "$keyline" ]; then ok "ssh-keys: one line for the $who key"; else fail "ssh-keys $who: $(cat "$T/out"), expected $keyline"; fi
done
# From the configuration instead of the flags; --config goes to the session.
run ssh-keys --config "$C" onboard "$type1" "$blob1"
if [ "$(cat "$T/out")" = "restrict,pty,command=\"$BIN ssh-session --config $C\" $type1 $blob1" ]; then
	ok "ssh-keys: the user from [ssh], --config passed to the session"
else
	fail "ssh-keys --config: $(cat "$T/out")"
fi
run ssh-keys --user onboard root "$type1" "$blob1"
expect 0 "ssh-keys: another user"
empty "$T/out" "ssh-keys: nothing for another user"
run ssh-keys --config "$C" behalf "$type1" "$blob1"
empty "$T/out" "ssh-keys: nothing for a user that is not [ssh] user"
run ssh-keys --user onboard onboard "$type1" "${blob1:0:40}x=="
expect 0 "ssh-keys: a malformed key"
empty "$T/out" "ssh-keys: nothing for a malformed key"
run ssh-keys --user onboard onboard ssh-rsa "$blob1"
empty "$T/out" "ssh-keys: nothing when the type is not the key's"
run ssh-keys --user onboard onboard "$type1" "$blob1\" ssh-ed25519 AAAA"
empty "$T/out" "ssh-keys: nothing for a key with a quote"
# The store's writers' lock held: the lookup does not wait for it.
# (The holder execs into sleep: killing it releases the lock.)
(
	exec 9>>"$A/lock"
	flock 9
	: >"$T/held"
	exec sleep 120
) &
holder=$!
for _ in $(seq 200); do
	[ -e "$T/held" ] && break
	sleep 0.05
done
if flock -n "$A/lock" true 2>/dev/null; then fail "test bug: the lock is not held"; fi
run ssh-keys --user onboard onboard "$type1" "$blob1"
expect 0 "ssh-keys while a writer holds the lock"
has "$T/out" "$blob1" "ssh-keys: answers while the lock is held"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
holder=

# ---- unbind ----
run keys --config "$C" --unbind "$fp1"
expect 0 "keys --unbind"
has "$T/out" "acme" "unbind: names the customer"
run keys --config "$C" --customer acme --json
if jq -e 'length == 0' "$T/out" >/dev/null; then ok "unbind: the key is gone"; else fail "after unbind: $(cat "$T/out")"; fi
mode "$A/keys" 700 "keys/"
has "$A/audit.jsonl" '"key-unbound"' "audit: the unbind"
has "$A/audit.jsonl" "$fp1" "audit: the unbound fingerprint"
run keys --config "$C" --unbind "$fp1"
expect 1 "unbind of a key not bound"

# ---- ssh-config, checked by the installed sshd ----
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || {
	fail "sshd is not installed (openssh-server, scripts/deps.d/ssh.txt)"
	exit 1
}
if [ ! -d /run/sshd ]; then
	# sshd -t and -T want the privilege separation directory.
	mkdir -p /run/sshd 2>/dev/null && chmod 0755 /run/sshd || fail "no /run/sshd and cannot create it (run as root)"
fi
ssh-keygen -q -t ed25519 -N '' -f "$T/hostkey" </dev/null
run ssh-config --config "$C"
expect 0 "ssh-config"
cp "$T/out" "$T/block"
has "$T/block" "Match User onboard" "ssh-config: the user of [ssh]"
has "$T/block" "AuthorizedKeysCommand $BIN ssh-keys --user onboard --config $C %u %t %k" "ssh-config: the key command, filled in"
has "$T/block" "#MaxStartups" "ssh-config: the global-only settings, commented"
ver=$("$SSHD" -V 2>&1 | grep -oE 'OpenSSH_[0-9]+\.[0-9]+' | head -1 || ssh -V 2>&1 | grep -oE 'OpenSSH_[0-9]+\.[0-9]+')
# The global part stays above the Match: nothing after Match but indented lines.
if awk '/^Match/{m=1;next} m && NF && !/^\t/{bad=1} END{exit bad}' "$T/block"; then ok "ssh-config: only the Match block's lines after Match"; else fail "ssh-config: a global line after Match"; fi
{
	printf 'HostKey %s\nListenAddress 127.0.0.1\nPort 22\nPidFile none\n' "$T/hostkey"
	cat "$T/block"
} >"$T/sshd_config"
set +e
"$SSHD" -t -f "$T/sshd_config" >"$T/sshd.out" 2>&1
RC=$?
set -e
expect 0 "sshd -t accepts the block ($(head -c 300 "$T/sshd.out"))"
set +e
"$SSHD" -T -f "$T/sshd_config" -C user=onboard,addr=127.0.0.1,host=localhost >"$T/eff" 2>&1
RC=$?
set -e
expect 0 "sshd -T for the customers' user"
for want in "authorizedkeysfile none" \
	"authorizedkeyscommand $BIN ssh-keys --user onboard --config $C %u %t %k" \
	"authorizedkeyscommanduser onboard-keys" "exposeauthinfo yes" "disableforwarding yes" \
	"allowtcpforwarding no" "allowagentforwarding no" "x11forwarding no" "permittunnel no" \
	"permittty yes" "passwordauthentication no" "kbdinteractiveauthentication no" \
	"authenticationmethods publickey" "permituserenvironment no" "maxsessions 1" \
	"clientaliveinterval 15" "clientalivecountmax 3" "forcecommand $BIN ssh-session --config $C"; do
	if grep -qxF "$want" "$T/eff"; then ok "sshd -T: $want"; else fail "sshd -T: no '$want'"; fi
done
case "$ver" in
OpenSSH_9.[2-9] | OpenSSH_[1-9][0-9].*)
	has "$T/eff" "channeltimeout session:*=25m" "sshd -T: ChannelTimeout (idle_minutes + 5) on $ver"
	has "$T/eff" "unusedconnectiontimeout 300" "sshd -T: UnusedConnectionTimeout on $ver"
	;;
*) hasnt "$T/block" "ChannelTimeout session" "ssh-config: no ChannelTimeout on $ver" ;;
esac
"$SSHD" -T -f "$T/sshd_config" -C user=alice,addr=127.0.0.1,host=localhost >"$T/eff" 2>&1 || true
has "$T/eff" "forcecommand none" "sshd -T: another user is untouched (no forced command)"
has "$T/eff" "maxsessions 10" "sshd -T: another user keeps the defaults"

# As a drop-in included first, the way Debian's sshd_config includes
# sshd_config.d/*.conf: the Match ends with its file, the main file's
# settings after the Include still reach everyone else.
mkdir "$T/conf.d"
cp "$T/block" "$T/conf.d/behalf.conf"
printf 'Include %s/conf.d/*.conf\nHostKey %s\nListenAddress 127.0.0.1\nX11Forwarding yes\nPidFile none\n' "$T" "$T/hostkey" >"$T/sshd_main"
"$SSHD" -t -f "$T/sshd_main" >"$T/sshd.out" 2>&1 && ok "sshd -t accepts the block as a drop-in" || fail "sshd -t on the drop-in: $(cat "$T/sshd.out")"
"$SSHD" -T -f "$T/sshd_main" -C user=alice,addr=127.0.0.1,host=localhost >"$T/eff" 2>&1 || true
has "$T/eff" "x11forwarding yes" "drop-in: the main file's settings still reach other users"
"$SSHD" -T -f "$T/sshd_main" -C user=onboard,addr=127.0.0.1,host=localhost >"$T/eff" 2>&1 || true
has "$T/eff" "x11forwarding no" "drop-in: the block's settings reach its user"
has "$T/eff" "forcecommand $BIN ssh-session --config $C" "drop-in: the forced command for its user"

# For an older OpenSSH: no 9.2 keywords, no 8.5 ones before 8.5; still valid.
run ssh-config --config "$C" --openssh 9.1
expect 0 "ssh-config --openssh 9.1"
hasnt "$T/out" "	ChannelTimeout" "9.1: no ChannelTimeout"
hasnt "$T/out" "	UnusedConnectionTimeout" "9.1: no UnusedConnectionTimeout"
{
	printf 'HostKey %s\nListenAddress 127.0.0.1\n' "$T/hostkey"
	cat "$T/out"
} >"$T/sshd_config91"
"$SSHD" -t -f "$T/sshd_config91" >"$T/sshd.out" 2>&1 && ok "sshd -t accepts the 9.1 block" || fail "sshd -t on the 9.1 block: $(cat "$T/sshd.out")"
run ssh-config --config "$C" --openssh 8.4
hasnt "$T/out" "PerSourceMaxStartups" "8.4: no PerSource settings"
run ssh-config --config "$C" --openssh banana
expect 2 "ssh-config --openssh not a version"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "all passed"
