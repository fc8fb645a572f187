#!/usr/bin/env bash
# behalf --demo --reset, and r on the welcome screen, start the demo's story
# over: its progress and what it created at the pretend ESP go, the story
# stays.  A state file the demo did not make is never removed, and without
# --state-dir the demo keeps apart from real customers' state.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

state="$E2E_STATE/demo.json"
account="$E2E_STATE/sandbox-account.json"

quit() {
	e2e_keys q
	e2e_wait "y yes, quit"
	e2e_keys y
	e2e_equal "exit status" 0 "$(e2e_wait_exit)"
}

# to_records DOMAIN: from the welcome screen to the records of DOMAIN.
to_records() {
	e2e_keys Enter
	e2e_wait "How should your emails be sent?"
	e2e_keys 1
	e2e_wait "Which domain do your emails come from?"
	e2e_type "$1"
	e2e_keys Enter
	e2e_wait "Add these records to the DNS of $1 at Namecheap."
}

# ---- Played half way, then --reset.
e2e_start --scenario typos
e2e_wait "Press Enter to start."
to_records customer.example
e2e_keys n
e2e_wait "saved with quotation marks"
e2e_wait_saved "$state" .demo_stage 1
e2e_equal "domains at the ESP" 1 "$(jq '.Domains | length' "$account")"
quit

e2e_start --reset
e2e_wait "Press Enter to start."
# The same story, from its start: nothing left of the last run.
e2e_assert_screen "• Demo story: Namecheap: quotes, a cut key, an old key."
e2e_wait_saved "$state" .step welcome
e2e_equal "stage after --reset" 0 "$(jq -r .demo_stage "$state")"
e2e_equal "domains at the ESP after --reset" 0 "$(jq '.Domains | length' "$account")"
e2e_equal "reset in the audit log" 1 "$(grep -c '"demo-reset"' "$E2E_STATE/audit.jsonl")"
to_records other.example
e2e_wait "• The customer has not added any record yet."
e2e_wait "DKIM key     TXT   20270101000000pm._domainkey  k=rsa; p… ✗ Not found yet"
e2e_keys n
e2e_wait "saved with quotation marks"

# ---- r on the welcome screen, in the middle of the story.
e2e_keys Escape
e2e_wait "Which domain do your emails come from?"
e2e_keys Escape
e2e_wait "How should your emails be sent?"
e2e_keys Escape
e2e_wait "Press Enter to start."
e2e_assert_screen "r here starts the demo over."
e2e_keys r
e2e_wait "• The demo starts over: what it created is gone."
e2e_wait_saved "$state" .demo_stage 0
e2e_equal "domains at the ESP after r" 0 "$(jq '.Domains | length' "$account")"
e2e_equal "the typed domain is gone too" "" "$(jq -r '.domain_input.text // ""' "$state")"
to_records customer.example
e2e_wait "• The customer has not added any record yet."
e2e_keys n
e2e_wait "saved with quotation marks"
quit

# ---- A state file the demo did not make is left alone.
printf '{"schema": 1, "customer": "acme", "step": "records"}\n' >"$E2E_STATE/acme.json"
cp "$E2E_STATE/acme.json" "$E2E_TMP/acme.orig"
rc=0
"$BEHALF_BIN" --demo --state-dir "$E2E_STATE" --customer acme --reset \
	</dev/null >"$E2E_TMP/out" 2>&1 || rc=$?
e2e_equal "--reset of a state the demo did not make" 2 "$rc"
grep -qF "acme.json was not made by the demo: nothing removed." "$E2E_TMP/out" ||
	e2e_fail "no reason given: $(cat "$E2E_TMP/out")"
cmp -s "$E2E_STATE/acme.json" "$E2E_TMP/acme.orig" || e2e_fail "acme.json was changed"
rc=0
"$BEHALF_BIN" --reset --customer acme --state-dir "$E2E_STATE" </dev/null >"$E2E_TMP/out" 2>&1 || rc=$?
e2e_equal "--reset without --demo" 2 "$rc"
grep -qF -- "use it with --demo" "$E2E_TMP/out" || e2e_fail "no reason given: $(cat "$E2E_TMP/out")"
cmp -s "$E2E_STATE/acme.json" "$E2E_TMP/acme.orig" || e2e_fail "acme.json was changed"

# The demo run on that state does not make it the demo's: r refuses, and so
# does --reset afterwards.
printf '{"schema": 1, "customer": "acme", "step": "welcome"}\n' >"$E2E_STATE/acme.json"
e2e_start --customer acme
e2e_wait "Press Enter to start."
e2e_keys r
e2e_wait "This progress was not made by the demo, so r does not remove it."
quit
e2e_equal "acme is not a demo customer" null "$(jq -c '.Demos.acme' "$account")"
rc=0
"$BEHALF_BIN" --demo --state-dir "$E2E_STATE" --customer acme --reset </dev/null >/dev/null 2>&1 || rc=$?
e2e_equal "--reset after a demo run on a state the demo did not make" 2 "$rc"
[ -e "$E2E_STATE/acme.json" ] || e2e_fail "acme.json was removed"

# ---- Without --state-dir: a real customer called "demo" is not the demo's.
home="$E2E_TMP/home"
live="$home/.local/state/behalf"
mkdir -p "$live"
printf '{"schema": 1, "customer": "demo", "step": "records"}\n' >"$live/demo.json"
cp "$live/demo.json" "$E2E_TMP/live.orig"
cmd="env -u XDG_STATE_HOME HOME=$(printf '%q' "$home") TERM=xterm-256color $(printf '%q ' "$BEHALF_BIN" --demo --reset)"
e2e_tmux respawn-pane -k -t e2e "printf '\\033[H\\033[2J'; $cmd; echo \"[behalf exited \$?]\"; sleep 600"
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_wait_saved "$live/demo/demo.json" .step choose
cmp -s "$live/demo.json" "$E2E_TMP/live.orig" || e2e_fail "the real customer's state was changed"

# ---- export --demo reads the demo's progress, where the demo saved it;
# without --demo, the real customer called "demo".
e2e_keys 3
e2e_wait "Emails go out from our domain with your name on them."
e2e_type "Pat Presenter"
e2e_wait_saved "$live/demo/demo.json" .from_name.name.text "Pat Presenter"
sheet=$(env -u XDG_STATE_HOME HOME="$home" "$BEHALF_BIN" export --demo --format text)
grep -qF "Pat Presenter" <<<"$sheet" || e2e_fail "export --demo did not read the demo's progress: $sheet"
rc=0
env -u XDG_STATE_HOME HOME="$home" "$BEHALF_BIN" export --customer demo --format text \
	>"$E2E_TMP/real.txt" 2>&1 || rc=$?
if grep -qF "Pat Presenter" "$E2E_TMP/real.txt"; then
	e2e_fail "export without --demo read the demo's progress"
fi
e2e_pass
