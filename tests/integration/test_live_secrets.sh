#!/usr/bin/env bash
# Secrets, live: with distinctive tokens (the account token given once in a
# config file, once in the environment, plus a server token and the
# per-customer server's token that Postmark hands out), options 1 and 2 run
# to the end, the wizard is stopped with SIGTERM and SIGHUP on the way, and
# then no token (nor a long piece of one) appears in any screen captured,
# the state directory (state JSON, audit log, anything else), behalf's
# stderr, sanitizer reports, or behalf export in every format (stdout and
# -o files).  A config file holding the token readable by others is refused
# with a message that does not contain it; at mode 600 it is accepted.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
LIVE_TOKEN=pmacct-7Hq2Xv9LwR4sKz1N-c0ffee-5150
SERVER_TOKEN=pmsrv-Jd83kQ0zPw6Y-b16b00b5
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
LIVE_ENV="POSTMARK_API_URL=$SIM_URL POSTMARK_SERVER_TOKEN=$SERVER_TOKEN"
secret_conf="$E2E_TMP/secret.conf" # holds the account token
env_conf=$LIVE_CONF                # holds none

# ---- a config file with the token, readable by others: refused ----
LIVE_CONF=$secret_conf
live_config "account_token = $LIVE_TOKEN" "per_customer_server = yes"
chmod 644 "$secret_conf"
set +e
env -u POSTMARK_ACCOUNT_TOKEN POSTMARK_API_URL="$SIM_URL" "$BEHALF_BIN" --config "$secret_conf" \
	--customer refused --state-dir "$E2E_STATE" </dev/null >"$E2E_TMP/refused.out" 2>"$E2E_TMP/refused.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || e2e_fail "a token file readable by others was accepted"
grep -qF "chmod 600" "$E2E_TMP/refused.err" ||
	e2e_fail "the refusal does not say what to do: $(cat "$E2E_TMP/refused.err")"
grep -qF "$secret_conf" "$E2E_TMP/refused.err" ||
	e2e_fail "the refusal does not name the file: $(cat "$E2E_TMP/refused.err")"
e2e_equal "requests made with a refused config" 0 "$(sim_get requests | jq length)"
[ ! -e "$E2E_STATE/refused.json" ] || e2e_fail "a state file was written for a refused start"
# (the group-readable case too)
chmod 640 "$secret_conf"
if "$BEHALF_BIN" --config "$secret_conf" --customer refused --state-dir "$E2E_STATE" \
	</dev/null >>"$E2E_TMP/refused.out" 2>>"$E2E_TMP/refused.err"; then
	e2e_fail "a token file readable by its group was accepted"
fi

# ---- at mode 600: accepted; option 1 to the end on that token alone ----
chmod 600 "$secret_conf"
LIVE_CUSTOMER=domain-customer
live_start
live_opt1_to_records
e2e_equal "servers (per customer)" 1 "$(sim_jq '.Servers | length')"
server_token=$(sim_jq '.Servers[0].ApiTokens[0]')
case $server_token in "" | null) e2e_fail "no server token from the simulator" ;; esac
e2e_keys e
live_wait "Share these instructions"
e2e_keys Escape
e2e_wait_gone "Share these instructions"
live_publish_correct
live_wait "All set!"
# The vendor's From address is a confirmed signature of the account (what
# the teammate email goes out from).
curl -sS -H 'Accept: application/json' -H 'Content-Type: application/json' \
	-H "X-Postmark-Account-Token: $LIVE_TOKEN" \
	-d '{"FromEmail":"notifications@acmehelp.example","Name":"Acme Help Desk"}' \
	"$SIM_URL/senders" >/dev/null
sim_post confirm '{"EmailAddress":"notifications@acmehelp.example"}' >/dev/null
e2e_keys '?'
live_wait "Ctrl-L redraws the screen"
e2e_keys Escape
e2e_wait_gone "Ctrl-L redraws the screen"
# Send the instructions to a teammate: an email through Postmark with the
# customer's server token.
e2e_keys e
live_wait "Share these instructions"
e2e_keys 2
live_wait "Their address"
e2e_type "dns-admin@$DNS_ZONE"
e2e_keys Tab
e2e_type "Please add these two records."
e2e_keys Tab
e2e_type "jane@$DNS_ZONE"
e2e_wait "jane@$DNS_ZONE"
e2e_keys Enter
live_wait "Sent to dns-admin@$DNS_ZONE"
e2e_equal "emails sent" 1 "$(sim_jq '.Emails | length')"
e2e_equal "the email's recipient" "dns-admin@$DNS_ZONE" "$(sim_jq '.Emails[0].To')"
# The email went out with the customer's server token (the simulator keeps
# a digest of it).
e2e_equal "POST /email with the customer's server token" \
	"REDACTED:$(printf '%s' "$server_token" | sha256sum | cut -c1-12)" \
	"$(sim_requests_jq '[.[] | select(.Path | test("^/email"; "i"))][0].Headers | to_entries[] | select(.key | ascii_downcase == "x-postmark-server-token") | .value')"
e2e_keys Escape
# SIGHUP (the SSH connection drops): saved, gone.
e2e_stop
[ -s "$E2E_STATE/domain-customer.json" ] || e2e_fail "no state after SIGHUP"

# ---- option 2 with the token in the environment, SIGTERM while waiting ----
LIVE_CONF=$env_conf
LIVE_CUSTOMER=address-customer
LIVE_ENV="POSTMARK_API_URL=$SIM_URL POSTMARK_ACCOUNT_TOKEN=$LIVE_TOKEN POSTMARK_SERVER_TOKEN=$SERVER_TOKEN"
live_start
e2e_wait "Press Enter to start."
e2e_keys Enter
e2e_wait "How should your emails be sent?"
e2e_keys 2
live_wait "Which address should your emails come from?"
e2e_type "jane@$DNS_ZONE"
e2e_keys Tab
e2e_type "Jane Doe"
e2e_wait "Name   Jane Doe"
e2e_keys Enter
live_wait "We asked Postmark to send a confirmation email to jane@$DNS_ZONE."
pid=$(e2e_wait_pid)
kill -TERM "$pid"
e2e_wait "[behalf exited"
live_cap after-sigterm
jq -e '.signature.exists == true and (.signature.id | length > 0)' "$E2E_STATE/address-customer.json" >/dev/null ||
	e2e_fail "SIGTERM: the signature is not in the saved state"
live_start
live_wait "We asked Postmark to send a confirmation email to jane@$DNS_ZONE."
sim_post confirm "{\"EmailAddress\":\"jane@$DNS_ZONE\"}" >/dev/null
live_wait "All set!"
e2e_equal "signatures of the customer" 1 \
	"$(sim_jq "[.SenderSignatures[] | select(.EmailAddress == \"jane@$DNS_ZONE\")] | length")"
e2e_keys q
e2e_wait "y yes, quit"
e2e_keys y
e2e_wait "[behalf exited"
live_cap after-quit
e2e_tmux capture-pane -p -S - -t e2e >"$LIVE_SCREENS/scrollback.txt"
e2e_stop

# The tokens were really used: the simulator saw them (it keeps a digest).
digest="REDACTED:$(printf '%s' "$LIVE_TOKEN" | sha256sum | cut -c1-12)"
sim_get requests | jq -e --arg d "$digest" '[.[] | select(.Path | test("^/email"; "i") | not)] |
	length > 0 and all(.[]; .Headers | to_entries | any(.value == $d))' >/dev/null ||
	e2e_fail "not every account-level request carried the account token"

# ---- exports in every format, to stdout and with -o ----
mkdir -p "$E2E_TMP/exports"
for cust in domain-customer address-customer; do
	for fmt in text markdown html json zone csv; do
		for conf in "$secret_conf" "$env_conf"; do
			"$BEHALF_BIN" export --config "$conf" --state-dir "$E2E_STATE" --customer "$cust" \
				--format "$fmt" >"$E2E_TMP/exports/$cust.$fmt.$(basename "$conf").out" \
				2>"$E2E_TMP/exports/$cust.$fmt.$(basename "$conf").err" || true
		done
		POSTMARK_ACCOUNT_TOKEN=$LIVE_TOKEN "$BEHALF_BIN" export --config "$env_conf" \
			--state-dir "$E2E_STATE" --customer "$cust" --format "$fmt" \
			-o "$E2E_TMP/exports/$cust.$fmt.file" 2>"$E2E_TMP/exports/$cust.$fmt.o.err" || true
	done
done
[ -s "$E2E_TMP/exports/domain-customer.json.secret.conf.out" ] || e2e_fail "export json of option 1 is empty"
grep -qF "$LIVE_SELECTOR._domainkey" "$E2E_TMP/exports/domain-customer.zone.file" ||
	e2e_fail "export -o zone does not hold the DKIM record"

# ---- nothing anywhere holds a token or a long piece of one ----
# What behalf sent to Postmark, bodies included (the teammate email); the
# simulator replaces the token headers by digests.
sim_get requests | jq '[.[] | .Body]' >"$E2E_TMP/sim-request-bodies.json"
pieces=("$LIVE_TOKEN" "$SERVER_TOKEN" "$server_token" 7Hq2Xv9L LwR4sKz1N Jd83kQ0zPw6Y
	"${server_token%%-*}")
files=()
while IFS= read -r -d '' f; do
	case $f in "$secret_conf" | "$env_conf" | "$E2E_SOCKET") continue ;; esac
	files+=("$f")
done < <(find "$E2E_TMP" -type f -print0)
((${#files[@]} > 20)) || e2e_fail "too few files to search (${#files[@]})"
ls "$LIVE_SCREENS"/*.txt >/dev/null || e2e_fail "no screen captures"
[ -s "$E2E_STATE/audit.jsonl" ] || e2e_fail "no audit log"
# (the search finds what it looks for: the token file holds the token)
grep -qF -- "$LIVE_TOKEN" "$secret_conf" || e2e_fail "the search itself is broken"
for p in "${pieces[@]}"; do
	if hits=$(grep -rlF -- "$p" "${files[@]}"); then
		e2e_fail "a token (piece '$p') found in: $hits"
	fi
done

e2e_pass
