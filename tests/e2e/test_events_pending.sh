#!/usr/bin/env bash
# verification.pending (docs/events.md): a customer who left the records
# screen without finishing is reported by `behalf deliver` once the records
# were shown 72 hours ago, once, and not before.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

OUTBOX=$E2E_STATE/outbox/demo.jsonl
SHOWN=$BEHALF_FAKE_TIME
count_pending() {
	jq -r .type "$OUTBOX" | grep -c '^verification.pending$' || true
}

e2e_start
e2e_to_domain "acme-example.com"
e2e_keys Enter
e2e_wait "Add these records to the DNS of acme-example.com at GoDaddy."
e2e_stop # the customer goes away; the state is saved

printf '[hooks]\ncommand = cat >>%s/got.jsonl; echo >>%s/got.jsonl\n' "$E2E_TMP" "$E2E_TMP" >"$E2E_TMP/hooks.conf"
deliver_at() { # seconds after the records were shown
	BEHALF_FAKE_TIME=$((SHOWN + $1)) "$BEHALF_BIN" deliver --once \
		--config "$E2E_TMP/hooks.conf" --state-dir "$E2E_STATE"
}
status_pending() { # what behalf status says of it
	BEHALF_FAKE_TIME=$((SHOWN + 101 * 3600)) "$BEHALF_BIN" status --customer demo --json \
		--config "$E2E_TMP/hooks.conf" --state-dir "$E2E_STATE" | jq -r '.milestones["verification.pending"]'
}
deliver_at $((71 * 3600))
e2e_equal "pending after 71 h" 0 "$(count_pending)"
e2e_equal "status: not said after 71 h" null "$(status_pending)"
deliver_at $((72 * 3600 + 60))
e2e_equal "pending after 72 h" 1 "$(count_pending)"
e2e_equal "its domain" acme-example.com \
	"$(jq -r 'select(.type == "verification.pending") | .data.domain' "$OUTBOX")"
e2e_equal "its records" "missing missing missing" \
	"$(jq -r 'select(.type == "verification.pending") | [.data.records[].status] | join(" ")' "$OUTBOX")"
e2e_equal "delivered" 1 "$(jq -r .type "$E2E_TMP/got.jsonl" | grep -c '^verification.pending$')"
said=$(jq -r 'select(.type == "verification.pending") | .timestamp' "$OUTBOX" | sed 's/\.[0-9]*Z$/Z/') # status: to the second
e2e_equal "status: said when the event was" "$said" "$(status_pending)"
deliver_at $((100 * 3600))
e2e_equal "said once" 1 "$(count_pending)"
e2e_pass
