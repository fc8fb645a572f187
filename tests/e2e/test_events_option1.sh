#!/usr/bin/env bash
# Events of a whole run (docs/events.md): option 1 through the default demo
# scenario, then a switch to option 3 keeping the domain, writes exactly the
# documented sequence of event types to the customer's outbox, each before
# the screen moved on, with the subject and data a vendor needs; `behalf
# deliver` ([hooks] command) hands them over in that order, each once.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

OUTBOX=$E2E_STATE/outbox/demo.jsonl
types() {
	jq -r .type "$OUTBOX" | tr '\n' ' '
}
# wait_types "A B ...": polls until the outbox holds exactly these types.
wait_types() {
	local want=$1 i=0
	while ((i < E2E_TIMEOUT * 20)); do
		if [ -f "$OUTBOX" ] && [ "$(types)" = "$want" ]; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	e2e_fail "outbox: expected '$want', got '$(types 2>/dev/null)'"
}

e2e_start
e2e_to_domain "acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
wait_types "option.chosen records.shown "
e2e_equal "records.shown's domain" acme-example.com \
	"$(jq -r 'select(.type == "records.shown") | .data.domain' "$OUTBOX")"
e2e_equal "records.shown's records" "DKIM TXT,Return-Path CNAME,DMARC TXT" \
	"$(jq -r 'select(.type == "records.shown") | [.data.records[] | (.purpose + " " + .type)] | join(",")' "$OUTBOX" |
		sed 's/dkim/DKIM/; s/return-path/Return-Path/; s/dmarc/DMARC/')"

e2e_keys n # the zone appended: nothing verified
e2e_wait "added your domain to the name a second time"
e2e_keys n # the Return-Path everywhere, DKIM on one server
e2e_wait "Nothing to do: wait a few minutes"
wait_types "option.chosen records.shown record.verified "
e2e_equal "the record verified" pm-bounces.acme-example.com \
	"$(jq -r 'select(.type == "record.verified") | .data.record.name' "$OUTBOX")"
e2e_keys n # everything: verified, done
e2e_wait "All set!"
wait_types "option.chosen records.shown record.verified record.verified records.verified onboarding.done "
e2e_equal "done's domain" acme-example.com \
	"$(jq -r 'select(.type == "onboarding.done") | .data.domain' "$OUTBOX")"

# switch to option 3, keeping the domain
e2e_keys s
e2e_wait "How should your emails be sent?"
e2e_keys 3
e2e_wait "Keep"
e2e_keys Enter
e2e_wait "Your name"
wait_types "option.chosen records.shown record.verified record.verified records.verified onboarding.done option.switched resources.kept option.chosen "
e2e_equal "the resource kept" "domain acme-example.com" \
	"$(jq -r 'select(.type == "resources.kept") | .data.resource.kind + " " + .data.resource.name' "$OUTBOX")"

# every event has its own id, the customer, the demo flag
e2e_equal "ids" 9 "$(jq -r .id "$OUTBOX" | grep -c '^msg_[0-9a-f]\{32\}$' | sort -u)"
e2e_equal "customer" demo "$(jq -r .data.customer "$OUTBOX" | sort -u)"

# deliver hands them over in that order, each once
printf '[hooks]\ncommand = cat >>%s/got.jsonl; echo >>%s/got.jsonl\n' "$E2E_TMP" "$E2E_TMP" >"$E2E_TMP/hooks.conf"
"$BEHALF_BIN" deliver --once --config "$E2E_TMP/hooks.conf" --state-dir "$E2E_STATE"
e2e_equal "delivered types" "$(types)" "$(jq -r .type "$E2E_TMP/got.jsonl" | tr '\n' ' ')"
e2e_pass
