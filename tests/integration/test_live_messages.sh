#!/usr/bin/env bash
# Long messages are shown whole at 80x24, never cut with an ellipsis: an
# error that behalf retries by itself (Postmark's 500s) takes the rows it
# needs above the busy line, and says that behalf tries again rather than
# asking the customer to; while Postmark lags behind DNS, the records
# screen's "DKIM confirmed, Return-Path not yet" line is shown whole, and
# the verify is asked again until Postmark sees both records.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
live_config "retry_base_ms = 200" # [postmark]: the client's own retries, ~2 s a round

# notice_text: the message above the footer (from its "!" row), rows joined.
notice_text() {
	e2e_screen | awk '
		/^ ! / { on = 1; sub(/^ ! /, ""); v = $0; next }
		on && /^   [^ ]/ { sub(/^ +/, ""); v = v " " $0; next }
		on { exit }
		END { gsub(/ +/, " ", v); sub(/ $/, "", v); print v }'
}
# notice_while_busy: the message while the busy line shows a retry under
# way (the frame's tightest moment), else "(not busy)".
notice_while_busy() {
	if e2e_screen | grep -qF "Setting up your domain"; then notice_text; else echo "(not busy)"; fi
}
# screen_joined: the screen as one line, rows joined by a space.
screen_joined() { e2e_screen | sed 's/^ *//; s/ *$//' | tr '\n' ' ' | tr -s ' '; }

# wait_for DESCRIPTION COMMAND EXPECTED: polls until COMMAND prints EXPECTED
# (or contains it, with WANT=contains).
wait_for() {
	local desc=$1 cmd=$2 want=$3 got="" i
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		got=$($cmd)
		if [ "${WANT:-equal}" = contains ]; then
			[[ $got == *"$want"* ]] && return 0
		elif [ "$got" = "$want" ]; then
			return 0
		fi
		sleep 0.05
	done
	e2e_screen >&2
	e2e_fail "$desc: waited ${E2E_TIMEOUT}s for '$want', last '$got'"
}

# Postmark answers 500 to the domain look-up, again and again: behalf keeps
# asking by itself and the message says so, whole, above the busy line of
# the next try.
sim_fault '{"Kind": "500", "Count": 15, "Path": "domains", "Method": "GET"}'
live_start
live_opt1_submit
wait_for "the 500s, whole, during a retry" notice_while_busy \
	"Postmark had an internal error (500) several times in a row. Nothing is lost. behalf tries again by itself: nothing to do for now."
live_cap retrying
e2e_refute_screen "…"
# ... and it got through by itself
live_wait "$LIVE_SELECTOR._domainkey"
e2e_equal "faults left" 0 "$(sim_get faults | jq length)"
e2e_wait_gone "tries again by itself"

# Postmark sees the DKIM key but not the Return-Path (its answer, however
# often asked): the records screen says so, whole.
lagging=$(sim_jq '.Domains[0] | .ReturnPathDomainVerified = false')
sim_fault "$(jq -c '{Kind: "reply", Path: "verifyreturnpath", Method: "PUT", Count: 1000, Status: 200, Body: .}' <<<"$lagging")"
live_publish_correct
WANT=contains wait_for "Postmark's view, whole" screen_joined \
	"All records are in your DNS. Postmark: DKIM confirmed, Return-Path not yet."
live_cap esp_waiting
e2e_refute_screen "Return-Pat…"
# asked again while it lags
sim_wait_requests '[.[] | select(.Path | test("verifyreturnpath"; "i"))] | length >= 2' \
	"verifyReturnPath asked again while Postmark lags"
e2e_refute_screen "All set!"

# Postmark catches up: done.
sim_delete faults >/dev/null
live_wait "All set!"
e2e_pass
