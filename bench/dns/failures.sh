#!/usr/bin/env bash
# Timing budgets of the DNS failure cases (bench/dns/README.md, "Failure
# cases"), moved here from the integration tests, which now count tries
# instead of timing them (a loaded machine made their bounds fail):
#   (e) every server silent: exit 3 after one timeout sequence;
#   (f) the only resolver silent, discovery: exit 3 after one sequence;
#   (g) one resolver silent, the authoritative server answering: exit 0
#       after one try's grace, not the silent one's three tries;
#   (h) the only resolver silent, --authoritative answering: the same;
#   (i) check --watch --timeout 2, a record missing: exit 1 at 2 s.
# Everything on loopback (tests/integration/dnslib.sh: Knot, Unbound, a
# silent socket).  Exit 1 with --check when a budget is exceeded.
#
#   bench/dns/failures.sh [--check] [BEHALF_BIN]   (default build/behalf)
#   env: RUNS=5
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
check=0
if [ "${1:-}" = --check ]; then
	check=1
	shift
fi
BEHALF_BIN=$(realpath "${1:-${BEHALF_BIN:-$root/build/behalf}}")
export BEHALF_BIN
RUNS=${RUNS:-5}

# shellcheck source=../../tests/integration/dnslib.sh
. "$root/tests/integration/dnslib.sh"
DNS_NAME=bench-dns-failures

silent_start s1 "$(dns_addr 7)"
silent_start s2 "$(dns_addr 8)"
silent_start s3 "$(dns_addr 9)"
ra=$(dns_addr 1) ka=$(dns_addr 2)
rp=$(dns_free_port "$ra") kp=$(dns_free_port "$ka")
knot_zone k1 "$DNS_ZONE" <<ZONE
$DKIM_NAME. TXT $DKIM_ZONE_TXT
ZONE
knot_start k1 "$ka" "$kp"
unbound_start u1 "$ra" "$rp" "$DNS_ZONE=$ka@$kp"
S1="$(dns_addr 7):$SILENT_S1_PORT" S2="$(dns_addr 8):$SILENT_S2_PORT" S3="$(dns_addr 9):$SILENT_S3_PORT"

rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_write
MISSING=$DNS_TMP/missing.json
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write "$MISSING"

# measure NAME EXPECTED-RC ARGS...: RUNS runs of behalf check ARGS; prints
# "NAME median max" (ms).
measure() {
	local name=$1 want=$2 i
	shift 2
	for ((i = 0; i < RUNS; i++)); do
		run_check "$@" >/dev/null
		[ "$CHECK_RC" -eq "$want" ] || fail "$name: exit $CHECK_RC, expected $want"
		echo "$CHECK_MS"
	done | sort -n | awk -v n="$name" '{a[NR]=$1} END {print n, a[int((NR+1)/2)], a[NR]}'
}

results=$DNS_TMP/results
{
	measure e 3 --records "$RECORDS" --authoritative "$S1" --authoritative "$S2" --resolver "$S3" --json
	measure f 3 --records "$RECORDS" --resolver "$S3" --json
	measure g 0 --records "$RECORDS" --authoritative "$ka:$kp" --resolver "$S1" --resolver "$ra:$rp" --json
	measure h 0 --records "$RECORDS" --authoritative "$ka:$kp" --resolver "$S1" --json
	measure i 1 --records "$MISSING" --authoritative "$ka:$kp" --resolver "$ka:$kp" --json --watch --timeout 2
} >"$results"

status=0
# row ID LABEL LOW HIGH: the figures of ID against the budget LOW <= max < HIGH (ms).
row() {
	local med max verdict
	read -r _ med max < <(grep "^$1 " "$results")
	verdict=ok
	if ((max < $3 || max >= $4)); then
		verdict=OVER
		status=1
	fi
	printf '| %s | %s ms; %s ms | %s-%s ms | %s |\n' "$2" "$med" "$max" "$3" "$4" "$verdict"
}

cat <<HEAD

## DNS failure cases ($(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg))
behalf check wall time, median and max of ${RUNS} runs; timeouts 3 tries x 1.5 s

| case | median; max | budget | |
|---|---|---|---|
HEAD
row e "(e) every server silent: exit 3 (one sequence 4.5 s; two were 9 s)" 4500 7500
row f "(f) the only resolver silent, discovery: exit 3" 4500 7500
row g "(g) one resolver silent, authoritative answering: exit 0 (grace 1.5 s)" 0 3500
row h "(h) the only resolver silent, --authoritative answering: exit 0" 0 3500
row i "(i) check --watch --timeout 2, a record missing: exit 1" 2000 3500
if [ "$check" = 1 ]; then exit "$status"; fi
exit 0
