#!/usr/bin/env bash
# Codes that must not bind a key, typed on the enrollment screen through a
# real sshd: one already used, one expired, one revoked; and guessing: six
# wrong codes lock the key out, the screen says for how long, and even a
# good code waits.  None of them binds anything; a good code still works
# for a key that was only refused.
# shellcheck source=sshlib.sh
. "$(dirname "$0")/sshlib.sh"

ssh_setup
ssh_key alice
ssh_key bob
ssh_key mallory

# enroll_try CODE REGEX [TEXT]: types CODE on the enrollment screen and
# Enter; the refusal matching REGEX (and showing TEXT) shows, the code stays in the field to be corrected
# (nothing typed is lost), and typing takes the refusal away; then Ctrl-U
# empties the field for the next try.
enroll_try() {
	e2e_type "$1"
	e2e_wait "Invite code $1"
	e2e_keys Enter
	e2e_wait_re "$2"
	[ -z "${3:-}" ] || e2e_assert_screen "$3"
	e2e_assert_screen "Invite code $1"
	e2e_assert_screen "Connect this key"
	e2e_keys C-u
	e2e_wait_gone "$1"
	e2e_refute_screen_re "$2"
}

# keys_bound: the fingerprints bound so far, one a line (as the vendor
# lists them).
keys_bound() {
	ssh_as_service "$SSH_BIN" keys --config "$SSH_CONF" --json | jq -r '.[].fingerprint'
}

# A code used by alice.
used=$(ssh_invite acme)
ssh_connect alice
e2e_wait "Connect this key"
e2e_type "$used"
e2e_keys Enter
e2e_wait "Press Enter to start."

# An expired one (made a week ago, valid for a day) and a revoked one.
expired=$(BEHALF_FAKE_TIME=$(($(date +%s) - 7 * 86400)) ssh_invite acme --expires 1d)
revoked=$(ssh_invite acme)
ssh_as_service "$SSH_BIN" invite --config "$SSH_CONF" --revoke "$revoked" >/dev/null

ssh_connect bob
e2e_wait "Connect this key"
enroll_try "$used" "already used"
enroll_try "$expired" "expired"
enroll_try "$revoked" "withdrawn"
bob=$(ssh_fp bob)
keys_bound | grep -qxF "$bob" && e2e_fail "a refused code bound bob's key"
[ "$(keys_bound | wc -l)" = 1 ] || e2e_fail "expected only alice's key bound: $(keys_bound)"

# A good code still works for bob (refusals bound nothing, used nothing up).
good=$(ssh_invite globex)
e2e_type "$good"
e2e_keys Enter
e2e_wait "Press Enter to start."
keys_bound | grep -qxF "$bob" || e2e_fail "bob's key is not bound after a good code"

# Guessing: well-formed codes that match nothing.
ssh_connect mallory
e2e_wait "Connect this key"
# (A window too small hides the field: what is typed meanwhile is dropped.)
e2e_resize 60 20
e2e_wait "and is 60x20."
e2e_type "QQQQ"
e2e_settle
e2e_resize 80 24
e2e_wait "Invite code"
e2e_refute_screen "QQQQ"
for i in 1 2 3 4; do
	enroll_try "ZZZZ-ZZZZ-ZZZZ-ZZZ$i" "wait: $((5 - i))\\)" "That code is not valid"
done
enroll_try "ZZZZ-ZZZZ-ZZZZ-ZZZ5" "last try"
enroll_try "ZZZZ-ZZZZ-ZZZZ-ZZZ6" "Too many wrong codes. *Wait [0-9]+ (minutes|seconds)"
# Locked out: even a good code waits, and binds nothing.
spare=$(ssh_invite initech)
enroll_try "$spare" "Too many wrong codes. *Wait [0-9]+ (minutes|seconds)"
keys_bound | grep -qxF "$(ssh_fp mallory)" && e2e_fail "a locked-out key was bound"
jq -s -e --arg fp "$(ssh_fp mallory)" 'any(.[]; .event == "enroll-locked" and (.detail | contains($fp)))' \
	"$SSH_STATE/access/audit.jsonl" >/dev/null || e2e_fail "the lockout is not in the audit log"
[ ! -e "$(ssh_state initech)" ] || e2e_fail "the locked-out key reached initech"

e2e_pass
