#!/usr/bin/env bash
# behalf monitor (issue 11, item 6) against a loopback Knot: a customer who
# finished option 1 (acme) and one still in the wizard (bob, waiting on the
# records step).  Deleting acme's DKIM record from Knot gives exactly one
# record.lost (a second pass adds nothing), status and list show it;
# re-adding it gives one record.restored; the CNAME pointed elsewhere gives
# record.lost with its diagnosis code; one of two servers down, or Knot
# stopped (its port closed), is no loss; bob is never monitored.
. "$(dirname "$0")/dnslib.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
TEMPLATE=$HERE/../../bench/list/template.json
STATE=$DNS_TMP/state
CONF=$DNS_TMP/behalf.conf
OUTBOX=$STATE/outbox/acme.jsonl
MON_OUT=$DNS_TMP/monitor.out
MON_RC=0

# The template is a state file saved by a real run (behalf --demo, the
# records step); acme's is the same at done, every record verified but the
# optional DMARC one (never published: the monitor must not call it lost).
DKIM=$(jq -r '.records[0].name' "$TEMPLATE" | sed "s/acme-example.com/$DNS_ZONE/")
DKIMV=$(jq -r '.records[0].value' "$TEMPLATE")
RPN=$(jq -r '.records[1].name' "$TEMPLATE" | sed "s/acme-example.com/$DNS_ZONE/")
RPV=$(jq -r '.records[1].value' "$TEMPLATE")
mkdir -p "$STATE"
chmod 700 "$STATE"
sed "s/acme-example.com/$DNS_ZONE/g" "$TEMPLATE" | jq '
	.customer = "acme" | .step = "done" | .history += ["records"]
	| .milestones_ms[5] = .step_since_ms
	| .records |= map(if .required then
		.result.status = "verified" | .result.diagnoses = []
		| .result.servers |= map(.status = "verified") else . end)
	| .esp_domain.records |= map(.esp_verified = .required)' >"$STATE/acme.json"
sed "s/acme-example.com/$DNS_ZONE/g" "$TEMPLATE" | jq '
	.customer = "bob"
	| .records[0].result.status = "partial"
	| .records[0].result.diagnoses = [{"code": "not-propagated", "arg": "ns2", "arg2": ""}]' \
	>"$STATE/bob.json"
chmod 600 "$STATE"/*.json

addr=$(dns_addr 2)
port=$(dns_free_port "$addr")
knot_zone k1 "$DNS_ZONE" <<EOF
$DKIM. TXT "$DKIMV"
$RPN. CNAME $RPV.
EOF
knot_start k1 "$addr" "$port"
printf '[dns]\nresolvers = %s:%s\nauthoritative = ns1.%s=%s:%s\n[behalf]\nstate_dir = %s\n' \
	"$addr" "$port" "$DNS_ZONE" "$addr" "$port" "$STATE" >"$CONF"

run_monitor() {
	MON_RC=0
	"$BEHALF_BIN" monitor --once --config "$CONF" >"$MON_OUT" 2>&1 || MON_RC=$?
}
# events TYPE: how many events of TYPE acme's outbox has.
events() {
	if [ -f "$OUTBOX" ]; then jq -s --arg t "$1" '[.[] | select(.type == $t)] | length' "$OUTBOX"; else echo 0; fi
}
want() { # want WHAT EXPECTED ACTUAL
	[ "$2" = "$3" ] || { cat "$MON_OUT" >&2; fail "$1: expected $2, got $3"; }
}
mon() { jq -r "$1" "$STATE/monitor/acme.json"; }
status_json() { "$BEHALF_BIN" status --customer acme --json --config "$CONF"; }
list_first() { "$BEHALF_BIN" list --json --config "$CONF" | jq -r '.customers[0].customer'; }

# 1. Everything in place: a pass, no event, the monitor's file says verified.
want "bob first in the list before any loss (acme is done)" bob "$(list_first)"
run_monitor
want "exit status, all verified" 0 "$MON_RC"
grep -q "1 customer checked" "$MON_OUT" || { cat "$MON_OUT" >&2; fail "the pass does not say one customer was checked"; }
want "events after a clean pass" 0 "$(if [ -f "$OUTBOX" ]; then jq -s length "$OUTBOX"; else echo 0; fi)"
want "acme's DKIM as the monitor saw it" verified "$(mon ".records[] | select(.name == \"$DKIM\") | .status")"
want "records lost in the monitor's file" 0 "$(mon '[.records[] | select(.lost)] | length')"
[ ! -e "$STATE/monitor/bob.json" ] || fail "bob, still in the wizard, was monitored"
[ ! -e "$STATE/outbox/bob.jsonl" ] || fail "bob, still in the wizard, got events"
want "status: monitor.lost" 0 "$(status_json | jq '.monitor.lost')"
cp "$STATE/acme.json" "$DNS_TMP/acme.before"

# 2. The DKIM record deleted: exactly one record.lost, naming it.
knot_update k1 "$DNS_ZONE" <<EOF
del $DKIM. TXT
EOF
dns_wait_answer "$addr" "$port" "$DKIM" TXT 'status: NXDOMAIN|ANSWER: 0'
run_monitor
want "exit status with a record lost" 1 "$MON_RC"
want "record.lost events" 1 "$(events record.lost)"
want "the lost record" "$DKIM" "$(jq -r 'select(.type == "record.lost") | .data.record.name' "$OUTBOX")"
want "the lost record's customer" acme "$(jq -r 'select(.type == "record.lost") | .data.customer' "$OUTBOX")"
want "the lost record's status" missing "$(jq -r 'select(.type == "record.lost") | .data.record.status' "$OUTBOX")"
want "the lost record's domain" "$DNS_ZONE" "$(jq -r 'select(.type == "record.lost") | .data.domain' "$OUTBOX")"
want "diagnoses are an array of codes" true "$(jq -r 'select(.type == "record.lost") | .data.diagnoses | type == "array"' "$OUTBOX")"
want "no other record lost (DMARC was never verified)" 1 "$(mon '[.records[] | select(.lost)] | length')"
cmp -s "$STATE/acme.json" "$DNS_TMP/acme.before" || fail "the monitor wrote the customer's state file"
# status and list show it
want "status: monitor.lost" 1 "$(status_json | jq '.monitor.lost')"
want "status: the lost record" "$DKIM" "$(status_json | jq -r '.monitor.records[] | select(.lost) | .name')"
want "status: lost_since set" true "$(status_json | jq '.monitor.records[] | select(.lost) | .lost_since | type == "string"')"
want "status: holdup" record-lost "$(status_json | jq -r '.holdup')"
lost_at=$(jq -r 'select(.type == "record.lost") | .timestamp' "$OUTBOX" | sed 's/\.[0-9]*Z$/Z/')
want "status: when record.lost was said" "$lost_at" "$(status_json | jq -r '.milestones["record.lost"]')"
want "status: no record.restored yet" null "$(status_json | jq -r '.milestones["record.restored"]')"
"$BEHALF_BIN" status --customer acme --config "$CONF" | grep -q "lost" || fail "status text does not say a record is lost"
want "acme first in the list once a record is lost" acme "$(list_first)"
want "list: acme's holdup" record-lost "$("$BEHALF_BIN" list --json --config "$CONF" | jq -r '.customers[] | select(.customer == "acme") | .holdup')"
"$BEHALF_BIN" list --config "$CONF" | grep "^acme" | grep -q "record-lost" || fail "list text does not show record-lost"
python3 "$HERE/validate_json.py" "$HERE/../../docs/status.schema.json" <(status_json) ||
	fail "status --json with a monitor object does not match docs/status.schema.json"
python3 "$HERE/validate_json.py" "$HERE/../../docs/list.schema.json" <("$BEHALF_BIN" list --json --config "$CONF") ||
	fail "list --json with a record-lost hold-up does not match docs/list.schema.json"

# 3. A second pass: nothing new.
run_monitor
want "exit status, still lost" 1 "$MON_RC"
want "record.lost after a second pass" 1 "$(events record.lost)"
want "record.restored after a second pass" 0 "$(events record.restored)"
grep -q " 0 files written" "$MON_OUT" || { cat "$MON_OUT" >&2; fail "a pass that found the same rewrote the monitor's file"; }
[ -s "$STATE/monitor/.pass.json" ] || fail "no monitor/.pass.json after a pass"
want "status: checked_at is the last pass's end" "$(jq -r .finished_at "$STATE/monitor/.pass.json")" "$(status_json | jq -r '.monitor.checked_at')"

# 4. Re-added: one record.restored; a further pass adds nothing.
knot_update k1 "$DNS_ZONE" <<EOF
add $DKIM. 300 TXT "$DKIMV"
EOF
dns_wait_answer "$addr" "$port" "$DKIM" TXT 'ANSWER: 1'
run_monitor
want "exit status, restored" 0 "$MON_RC"
want "record.restored events" 1 "$(events record.restored)"
restored_at=$(jq -r 'select(.type == "record.restored") | .timestamp' "$OUTBOX" | sed 's/\.[0-9]*Z$/Z/')
want "status: when record.restored was said" "$restored_at" "$(status_json | jq -r '.milestones["record.restored"]')"
want "the restored record" "$DKIM" "$(jq -r 'select(.type == "record.restored") | .data.record.name' "$OUTBOX")"
run_monitor
want "record.restored after another pass" 1 "$(events record.restored)"
want "record.lost in all" 1 "$(events record.lost)"
want "status: monitor.lost after the restore" 0 "$(status_json | jq '.monitor.lost')"
want "bob first again" bob "$(list_first)"

# 4b. The return-path CNAME pointed elsewhere (a DNS host migration that
# got it wrong): record.lost for it, with the diagnosis code of the
# mismatch; put back: record.restored.
knot_update k1 "$DNS_ZONE" <<EOF
del $RPN. CNAME
add $RPN. 300 CNAME elsewhere.example.
EOF
dns_wait_answer "$addr" "$port" "$RPN" CNAME 'elsewhere'
run_monitor
want "exit status, the CNAME changed" 1 "$MON_RC"
want "record.lost events after the CNAME changed" 2 "$(events record.lost)"
want "the second lost record" "$RPN" "$(jq -r 'select(.type == "record.lost") | .data.record.name' "$OUTBOX" | tail -n 1)"
want "its status" mismatch "$(jq -r 'select(.type == "record.lost") | .data.record.status' "$OUTBOX" | tail -n 1)"
want "its diagnosis" cname-target-mismatch "$(jq -s -r '[.[] | select(.type == "record.lost")][-1].data.diagnoses | join(",")' "$OUTBOX")"
want "status: the diagnosis" cname-target-mismatch "$(status_json | jq -r '.monitor.records[] | select(.lost) | .diagnoses | join(",")')"
knot_update k1 "$DNS_ZONE" <<EOF
del $RPN. CNAME
add $RPN. 300 CNAME $RPV.
EOF
dns_wait_answer "$addr" "$port" "$RPN" CNAME "$RPV"
run_monitor
want "exit status, the CNAME back" 0 "$MON_RC"
want "record.restored events after the CNAME came back" 2 "$(events record.restored)"

# 5. One of two authoritative servers down (a closed port), the other
# with every record: no loss, no event (and not "restored" either).
closed=$(dns_addr 3)
cport=$(dns_free_port "$closed")
printf '[dns]\nresolvers = %s:%s\nauthoritative = ns1.%s=%s:%s, ns2.%s=%s:%s\n[behalf]\nstate_dir = %s\n' \
	"$addr" "$port" "$DNS_ZONE" "$addr" "$port" "$DNS_ZONE" "$closed" "$cport" "$STATE" >"$CONF"
run_monitor
want "exit status, one server of two down" 0 "$MON_RC"
want "record.lost with one server down" 2 "$(events record.lost)"
want "record.restored with one server down" 2 "$(events record.restored)"
want "records lost with one server down" 0 "$(mon '[.records[] | select(.lost)] | length')"
want "the DKIM record's status with one server down" partial "$(mon ".records[] | select(.name == \"$DKIM\") | .status")"
printf '[dns]\nresolvers = %s:%s\nauthoritative = ns1.%s=%s:%s\n[behalf]\nstate_dir = %s\n' \
	"$addr" "$port" "$DNS_ZONE" "$addr" "$port" "$STATE" >"$CONF"

# 6. As a service: a pass every [monitor] interval until SIGTERM; one
# monitor per state directory.
printf '[monitor]\ninterval = 1s\n' >>"$CONF"
"$BEHALF_BIN" monitor --config "$CONF" 2>"$DNS_TMP/service.err" &
svc=$!
for round in 1 2; do
	rm -f "$STATE/monitor/.pass.json"
	for _ in $(seq 1 200); do [ -s "$STATE/monitor/.pass.json" ] && break; sleep 0.05; done
	[ -s "$STATE/monitor/.pass.json" ] || fail "the service did not make pass $round"
done
MON_RC=0
"$BEHALF_BIN" monitor --once --config "$CONF" >"$MON_OUT" 2>&1 || MON_RC=$?
want "a second monitor on the same state directory" 2 "$MON_RC"
grep -q "another monitor runs" "$MON_OUT" || fail "the second monitor does not say why: $(cat "$MON_OUT")"
kill -TERM "$svc"
rc=0
wait "$svc" || rc=$?
want "the service's exit status on SIGTERM" 0 "$rc"
want "events after the service's passes" "2 2" "$(events record.lost) $(events record.restored)"

# 7. Knot stopped (its port closed): unreachable, no loss, no event.
kill "$(cat "$DNS_TMP/k1/pid")"
while kill -0 "$(cat "$DNS_TMP/k1/pid")" 2>/dev/null; do sleep 0.05; done
run_monitor
want "exit status, server down" 0 "$MON_RC"
grep -q "1 unreachable" "$MON_OUT" || { cat "$MON_OUT" >&2; fail "the pass does not say the customer was unreachable"; }
want "record.lost with the server down" 2 "$(events record.lost)"
want "records lost with the server down" 0 "$(mon '[.records[] | select(.lost)] | length')"
want "reachable in the monitor's file" false "$(mon '.reachable')"
want "bob never monitored" 0 "$(find "$STATE" -name 'bob*' -path '*monitor*' | wc -l)"
pass
