#!/usr/bin/env bash
# Waiting on the records screen, live (real Knot, the Postmark simulator):
# what the customer watches while behalf checks every 2 s and draws only
# what the clock moved (issue 10, item 9).
# - The countdown counts down between two checks, and the checks so far go
#   up, on a status line that holds exactly its text (a line redrawn alone
#   leaves nothing of the longer one before it), dim as when drawn whole;
#   nothing else on screen moves meanwhile.
# - A record published turns verified at the first check that starts after
#   it (counted in checks, never in seconds), and that result is saved.
# - A check that found what the last one did is not written to disk.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

state="$E2E_STATE/$LIVE_CUSTOMER.json"
status_re='^   (Next check in [0-9]+ s|Checking now)\. Checks so far: [0-9]+\.'

# status_line [SCREEN]: the records screen's status line (last match).
status_line() {
	grep -E -- "$status_re" <<<"${1:-$(e2e_screen)}" | tail -1
}
# count_of LINE: the checks so far it says.
count_of() {
	sed -nE 's/.*Checks so far: ([0-9]+)\..*/\1/p' <<<"$1"
}
# masked SCREEN: the screen without its status line's moving parts.
masked() {
	sed -E -e 's/Next check in [0-9]+ s/Next check in # s/' \
		-e 's/Checks so far: [0-9]+/Checks so far: #/' <<<"$1"
}

live_setup
live_start
live_opt1_to_records
e2e_wait "Not found yet"

# ---- The countdown: "in 2 s" then "in 1 s" with the same count, before
# the next check.  A poll can miss a second on a busy machine: seen in one
# of five check intervals is enough, never seen is a countdown that stands.
seen_one=""
for ((round = 0; round < 5; round++)); do
	e2e_wait_re "^   Next check in 2 s\. Checks so far: [0-9]+\."
	two=$(e2e_screen)
	n=$(count_of "$(status_line "$two")")
	for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
		one=$(e2e_screen)
		line=$(status_line "$one")
		case $line in
		"   Next check in 1 s. Checks so far: $n."*)
			seen_one=1
			break
			;;
		"   Next check in 2 s. Checks so far: $n."* | "   Checking now. Checks so far: $n."*) ;;
		*) break ;; # the next check is done: the count moved on
		esac
		sleep 0.05
	done
	# the count moves on by one check at a time
	case $line in *"Checks so far: $n."* | *"Checks so far: $((n + 1))."*) ;; *)
		e2e_fail "after check $n the status line says: '$line'" ;;
	esac
	if [ -n "$seen_one" ]; then break; fi
done
[ -n "$seen_one" ] || e2e_fail "the countdown never showed 'Next check in 1 s' in 5 checks"
# Exactly the text: nothing left at the end of the line by the longer one.
grep -qE -- "$status_re( DNS host: [^ ].*\.)?\$" <<<"$line" ||
	e2e_fail "the status line holds more than its text: '$line'"
e2e_equal "the screen but for the status line, between ticks" "$(masked "$two")" "$(masked "$one")"
# Drawn alone, the line keeps its style (dim, like the whole-frame draw).
sgr=$(e2e_screen_sgr | grep -F "Checks so far:" | tail -1)
grep -qF $'\e[2m' <<<"$sgr" || e2e_fail "the status line is not dim: $(cat -v <<<"$sgr")"

# ---- Nothing new found: no write of the state file across two checks.
e2e_wait_re "^   Next check in [0-9]+ s\. Checks so far: [0-9]+\."
n=$(count_of "$(status_line)")
before=$(stat -c '%i %y' "$state")
e2e_wait_re "^   Next check in [0-9]+ s\. Checks so far: $((n + 2))\."
e2e_equal "state file written by checks that found nothing new" "$before" "$(stat -c '%i %y' "$state")"

# ---- Published: verified at the first check that starts after it.
host=$(sim_jq '.Domains[0].DKIMPendingHost')
value=$(sim_jq '.Domains[0].DKIMPendingTextValue')
knot_update k1 "$DNS_ZONE" <<EOU
add $host. 300 TXT "${value:0:100}" "${value:100}"
EOU
dns_wait_answer "${LIVE_DNS%:*}" "${LIVE_DNS##*:}" "$host" TXT "k=rsa"
line=$(status_line)
n=$(count_of "$line")
# a check under way may have asked before the record was there: one more
case $line in *"Checking now"*) most=$((n + 2)) ;; *) most=$((n + 1)) ;; esac
seen=""
for ((i = 0; i < E2E_TIMEOUT * 20; i++)); do
	screen=$(e2e_screen)
	if grep -qE "DKIM key +TXT +$LIVE_SELECTOR\._domainkey .*✓ Verified" <<<"$screen"; then
		seen=$(count_of "$(status_line "$screen")")
		break
	fi
	sleep 0.05
done
[ -n "$seen" ] || e2e_fail "the DKIM record never showed verified: $(e2e_screen)"
((seen <= most)) || e2e_fail "verified only at check $seen; published before check $most"
e2e_assert_screen "Return-Path  CNAME pm-bounces"
e2e_assert_screen "Not found yet"
# What the check found anew is saved (not only the count).
e2e_wait_saved "$state" '.records[0].result.status' verified

e2e_pass
