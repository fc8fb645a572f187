#!/usr/bin/env bash
# per_customer_server = ask: before anything is created at Postmark the
# customer is asked whether they want a server of their own.  "yes" creates
# exactly one server, named after the customer, and its id is in the state;
# a restart does not ask again nor create a second one.  "no" creates none.
set -euo pipefail
# shellcheck disable=SC2119 # the helpers take optional arguments
# shellcheck source=livelib.sh
. "$(dirname "$0")/livelib.sh"

live_setup
live_config "per_customer_server = ask"

# ---- yes
LIVE_CUSTOMER=ask-yes
live_start
live_opt1_submit
e2e_wait "a server of my own"
e2e_equal "servers before the answer" 0 "$(sim_jq '.Servers | length')"
e2e_equal "domains before the answer" 0 "$(sim_jq '.Domains | length')"
e2e_keys y
live_wait "$LIVE_SELECTOR._domainkey"
e2e_equal "servers after yes" 1 "$(sim_jq '.Servers | length')"
e2e_equal "the server's name" "behalf-ask-yes" "$(sim_jq '.Servers[0].Name')"
id=$(sim_jq '.Servers[0].ID')
for ((i = 0; i < 50; i++)); do
	[ "$(jq -r '.server.id' "$E2E_STATE/ask-yes.json" 2>/dev/null)" = "$id" ] && break
	sleep 0.1
done
e2e_equal "the server id in the state" "$id" "$(jq -r '.server.id' "$E2E_STATE/ask-yes.json")"
# a restart neither asks again nor creates another server
live_start
live_wait "$LIVE_SELECTOR._domainkey"
e2e_refute_screen "a server of my own"
e2e_equal "servers after the restart" 1 "$(sim_jq '.Servers | length')"
e2e_equal "domains after the restart" 1 "$(sim_jq '.Domains | length')"

# ---- no
sim_post reset '{}' >/dev/null
LIVE_CUSTOMER=ask-no
live_start
live_opt1_submit
e2e_wait "a server of my own"
e2e_keys n
live_wait "$LIVE_SELECTOR._domainkey"
e2e_equal "servers after no" 0 "$(sim_jq '.Servers | length')"
e2e_equal "domains after no" 1 "$(sim_jq '.Domains | length')"

e2e_pass
