#!/usr/bin/env bash
# Events bench (issue 11): 10,000 events appended through the outbox API
# (events_fill: one fsynced append each), then drained by `behalf deliver
# --once` to a local receiver that verifies each with the official
# standardwebhooks package (tests/webhooks/receiver.js).  Prints the append
# and drain throughput; checks that every event arrived, in order per
# customer.  Loopback only.
#
#   bench/events/run.sh [BUILD_DIR]       (default build/; needs the tests
#                                          built: events_fill, and npm-deps)
#   CUSTOMERS=100 PER=100 bench/events/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
BIN=$BUILD/behalf
FILL=$BUILD/tests/events_fill
CUSTOMERS=${CUSTOMERS:-100}
PER=${PER:-100}
bash "$ROOT/scripts/npm-deps.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/behalf-bench-events.XXXXXX")
RECV=
trap '[ -n "$RECV" ] && kill "$RECV" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -m 700 "$T/state"
printf 'whsec_%s\n' "$(head -c 24 /dev/urandom | base64)" >"$T/secret"
chmod 600 "$T/secret"
node "$ROOT/tests/webhooks/receiver.js" --secret-file "$T/secret" --port-file "$T/port" \
	--log "$T/log" --rejects "$T/rej" &
RECV=$!
while [ ! -s "$T/port" ]; do sleep 0.05; done
printf '[behalf]\nstate_dir = %s\n[hooks]\nurl = http://127.0.0.1:%s/hook\nsecret_file = %s\n' \
	"$T/state" "$(cat "$T/port")" "$T/secret" >"$T/conf"
N=$((CUSTOMERS * PER))
now() { date +%s.%N; }
t0=$(now)
"$FILL" "$T/state" "$CUSTOMERS" "$PER"
t1=$(now)
/usr/bin/time -f '%U %S %M' -o "$T/time" "$BIN" deliver --once --config "$T/conf"
t2=$(now)
got=$(wc -l <"$T/log")
ordered=$(jq -s 'group_by(.customer) | map([.[].n] == ([.[].n] | sort)) | all' "$T/log")
read -r user sys maxrss <"$T/time"
awk -v n="$N" -v c="$CUSTOMERS" -v a="$(echo "$t1 - $t0" | bc)" -v d="$(echo "$t2 - $t1" | bc)" \
	-v u="$user" -v s="$sys" -v m="$maxrss" -v got="$got" -v o="$ordered" 'BEGIN {
	printf "events            %d (%d customers)\n", n, c
	printf "append            %.2f s  %.0f events/s (fsync each)\n", a, n / a
	printf "drain             %.2f s  %.0f events/s\n", d, n / d
	printf "deliver CPU       %.2f s user, %.2f s system; peak RSS %d KB\n", u, s, m
	printf "received          %d, in order per customer: %s\n", got, o
}'
[ "$got" = "$N" ] && [ "$ordered" = true ]
