#!/usr/bin/env bash
# What the one-click offer costs a live session (bench/README.md, "Domain
# Connect"): how long after the records screen the offer shows (discovery:
# the _domainconnect TXT, the settings and the template check over HTTPS,
# then the RS256 signature), and behalf's peak memory (VmHWM) and CPU up to
# then, with [domainconnect] configured and without it, RUNS times each.
# Everything on loopback: Knot, the Postmark simulator and the local
# Domain Connect provider (tests/dcprovider), through the tests' libraries.
#
#   bench/dc/offer.sh            (RUNS=5 by default)
# Environment: BEHALF_BIN (default build-bench/behalf, built if missing).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${RUNS:-5}
if [ -z "${BEHALF_BIN:-}" ]; then
	BEHALF_BIN=$root/build-bench/behalf
	if [ ! -x "$BEHALF_BIN" ]; then
		cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DBEHALF_WERROR=ON \
			>/dev/null
		cmake --build "$root/build-bench" -j"$(nproc)" --target behalf >/dev/null
	fi
fi
export BEHALF_BIN BEHALF_SOURCE_DIR=$root
# shellcheck source=../../tests/integration/livelib.sh
. "$root/tests/integration/livelib.sh"
# shellcheck source=../../tests/integration/dclib.sh
. "$root/tests/integration/dclib.sh"

cpu_ms() {
	cat /proc/"$1"/task/*/schedstat | awk '{ n += $1 } END { printf "%.1f\n", n / 1e6 }'
}
hwm_kb() {
	awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"
}

P_ADDR=$(dns_addr 5)
dc_cert "$P_ADDR"
DC_LINES=(
	"[domainconnect]"
	"provider_id = vendor.example"
	"private_key_file = $DNS_TMP/dc.pem"
	"sync_pubkey_domain = keys.vendor.example"
	"allow_loopback = yes"
	"ca_file = $DC_CERT"
)
printf '%s\n' "${DC_LINES[@]}" >"$DNS_TMP/dc.conf"
dc_vendor "$DNS_TMP/dc.conf" "$DNS_TMP"
live_setup
dc_provider_start p1 "$P_ADDR" --supported vendor.example/postmark --template "$DC_TEMPLATE" \
	--dns "$LIVE_DNS"
dc_point p1

# one_run on|off N: a fresh customer to the records screen; prints
# "mode ms-to-offer peak-kB cpu-ms".
one_run() {
	local mode=$1 n=$2 pid t0 t1
	if [ "$mode" = on ]; then live_config "${DC_LINES[@]}"; else live_config; fi
	LIVE_CUSTOMER=bench-$mode-$n
	live_start
	e2e_to_domain "$DNS_ZONE"
	e2e_keys Enter
	e2e_wait "Add these records to the DNS of"
	t0=$(date +%s%N)
	if [ "$mode" = on ]; then
		e2e_wait "in one click: press a."
	else
		e2e_wait "Checks so far: 1."
	fi
	t1=$(date +%s%N)
	pid=$(e2e_pid)
	printf '%s %d %s %s\n' "$mode" $(((t1 - t0) / 1000000)) "$(hwm_kb "$pid")" "$(cpu_ms "$pid")"
}

out=$DNS_TMP/runs
for ((i = 1; i <= runs; i++)); do
	one_run off "$i" >>"$out"
	one_run on "$i" >>"$out"
done
awk '{ n[$1]++; t[$1] += $2; m[$1] += $3; c[$1] += $4; if ($2 > tm[$1]) tm[$1] = $2 }
END {
	for (k in n)
		printf "dc %-3s runs %d  records screen to %-12s mean %5.0f ms (max %d)  peak RSS %6.0f kB  CPU %5.1f ms\n",
			k, n[k], k == "on" ? "the offer:" : "1st check:", t[k] / n[k], tm[k], m[k] / n[k], c[k] / n[k]
}' "$out" | sort
