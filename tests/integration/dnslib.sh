# Harness for the live DNS tests (tests/integration/test_dns_*.sh): real
# servers on loopback addresses only, started and stopped by the test.
#
#   knot_zone ID ZONE [nsname=addr ...] <<EOF   records   EOF
#   knot_start ID ADDR PORT                 Knot DNS serving its zones
#   knot_update ID ZONE <<EOF  add NAME TTL TYPE DATA | del NAME [TYPE]  EOF
#   silent_start ID ADDR                    a bound UDP+TCP port that never answers
#   unbound_start ID ADDR PORT ZONE=ADDR@PORT[,ADDR@PORT]...
#                                           recursive resolver, stubs only
#   rec_add PURPOSE TYPE NAME VALUE [REQUIRED]; rec_write FILE DOMAIN
#   run_check ARGS...                       behalf check; CHECK_RC, $CHECK_OUT
#   expect_rc / expect_status / expect_diag / expect_no_diag / jq_expect
#
# Each test gets its own /16 of 127/8 (127.A.B.0, random A and B), so tests
# that run in parallel never share an address; ports come from the kernel
# (bind to port 0).  Every process started here is stopped on exit, and no
# query ever leaves loopback: the tests always pass --resolver and, but for
# the discovery test, --authoritative.  Source this file.
set -euo pipefail
# Sourced once (livelib.sh and dclib.sh both source it).
[ -z "${DNSLIB_LOADED:-}" ] || return 0
DNSLIB_LOADED=1

: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
DNS_NAME=$(basename "$0" .sh)
DNS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/behalf-dns.XXXXXX")
DNS_PIDS=()
DNS_TIMEOUT=${DNS_TIMEOUT:-10}
DNS_ZONE=customer.example
CHECK_OUT=$DNS_TMP/check.out
CHECK_ERR=$DNS_TMP/check.err
CHECK_RC=0
# Servers die with the test's shell even when it is killed with SIGKILL
# (a ctest timeout, a runner giving up): util-linux's setpriv sets their
# parent-death signal.  They must be started from the test's main shell.
DNS_REAP=()
if setpriv --help 2>/dev/null | grep -q pdeathsig; then DNS_REAP=(setpriv --pdeathsig KILL); fi
# Debian's python3 (not a pyenv shim), for the port probe and the silent socket.
DNS_PY=/usr/bin/python3
[ -x "$DNS_PY" ] || DNS_PY=python3
export LC_ALL=C.UTF-8

for tool in knotd kdig knsupdate jq; do
	command -v "$tool" >/dev/null || {
		echo "FAIL ($DNS_NAME): $tool not installed (scripts/deps.d/dns-tests.txt)" >&2
		exit 1
	}
done

# dns_tree PID: PID and its descendants, children first (by parent id).
dns_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do dns_tree "$c"; done
	echo "$1"
}

# dns_cleanup [STATUS]: the EXIT trap (STATUS default: $?).  Stops what
# the test started: DNS_PIDS and every process still running below the
# test's shell (a background subshell's behalf check, say), on every exit
# path: TERM, a short grace, then KILL; then exits with STATUS.
dns_cleanup() {
	local rc=${1:-$?} pid i all=()
	set +e # a cleanup that stops half-way leaves servers running
	for pid in "${DNS_PIDS[@]}" $(pgrep -P $$ 2>/dev/null); do
		mapfile -t -O "${#all[@]}" all < <(dns_tree "$pid")
	done
	for pid in "${all[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${all[@]}"; do
		for ((i = 0; i < 40; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ "$rc" -ne 0 ] && [ -z "${DNS_KEEP:-}" ]; then
		local f
		for f in "$DNS_TMP"/*/log; do
			[ -f "$f" ] || continue
			echo "---- $f (last lines) ----" >&2
			tail -n 15 "$f" >&2
		done
	fi
	if [ -z "${DNS_KEEP:-}" ]; then rm -rf "$DNS_TMP"; else echo "kept $DNS_TMP" >&2; fi
	exit "$rc"
}
trap dns_cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "FAIL ($DNS_NAME): $*" >&2
	if [ -s "$CHECK_OUT" ]; then
		echo "---- behalf check stdout ----" >&2
		head -c 6000 "$CHECK_OUT" >&2
		echo >&2
	fi
	if [ -s "$CHECK_ERR" ]; then
		echo "---- behalf check stderr ----" >&2
		head -c 3000 "$CHECK_ERR" >&2
	fi
	exit 1
}

pass() {
	echo "PASS ($DNS_NAME)${1:+: $1}"
}

# dns_addr N: the test's loopback address 127.A.B.N.
DNS_NET=127.$((RANDOM % 200 + 30)).$((RANDOM % 250 + 1))
dns_addr() {
	echo "$DNS_NET.$1"
}

# dns_free_port ADDR: a port free for both UDP and TCP on ADDR.
dns_free_port() {
	"$DNS_PY" - "$1" <<'EOF'
import socket, sys
addr = sys.argv[1]
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind((addr, 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind((addr, port))
    except OSError:
        t.close()
        continue
    u.close()
    t.close()
    if port >= 1024:
        print(port)
        sys.exit(0)
sys.exit("no free port on " + addr)
EOF
}

# dns_port_free ADDR PORT: true when PORT is free for UDP and TCP on ADDR.
dns_port_free() {
	"$DNS_PY" - "$1" "$2" <<'EOF' 2>/dev/null
import socket, sys
for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.bind((sys.argv[1], int(sys.argv[2])))
    s.close()
EOF
}

# dns_now_ms: monotonic-enough wall clock in milliseconds.
dns_now_ms() {
	date +%s%3N
}

# dns_query ADDR PORT NAME TYPE [kdig options]: one query, no recursion
# asked, short timeout; prints kdig's full output.
dns_query() {
	local addr=$1 port=$2 name=$3 type=$4
	shift 4
	kdig @"$addr" -p "$port" +time=1 +retry=0 +norec "$@" "$name" "$type" 2>&1 || true
}

# dns_wait_answer ADDR PORT NAME TYPE REGEX [TIMEOUT]: polls until kdig's
# output matches REGEX (extended).
dns_wait_answer() {
	local addr=$1 port=$2 name=$3 type=$4 re=$5 limit=${6:-$DNS_TIMEOUT} end out
	end=$(($(dns_now_ms) + limit * 1000))
	while :; do
		out=$(dns_query "$addr" "$port" "$name" "$type")
		if grep -qiE -- "$re" <<<"$out"; then return 0; fi
		if (($(dns_now_ms) > end)); then
			echo "$out" >&2
			fail "waited ${limit}s for $name $type at $addr@$port to match: $re"
		fi
		sleep 0.05
	done
}

# knot_zone ID ZONE [nsname=addr ...] <<EOF ... EOF: the zone file of ZONE
# for Knot instance ID: SOA (serial 1, TTL and negative TTL $DNS_SOA_MIN or
# 300), NS records with their addresses (default ns1.ZONE at 192.0.2.53, an
# address nothing is asked at: the tests name the servers with
# --authoritative), then the records read from stdin (zone-file syntax,
# names relative to ZONE unless they end with a dot; </dev/null for none).
knot_zone() {
	local id=$1 zone=$2 dir="$DNS_TMP/$1" min=${DNS_SOA_MIN:-300} ns name addr
	shift 2
	mkdir -p "$dir/zones"
	[ $# -gt 0 ] || set -- "ns1=192.0.2.53"
	{
		printf '$ORIGIN %s.\n$TTL %s\n' "$zone" "$min"
		printf '@ %s SOA ns1.%s. hostmaster.%s. 1 3600 900 604800 %s\n' "$min" "$zone" "$zone" "$min"
		for ns in "$@"; do
			name=${ns%%=*} addr=${ns#*=}
			case $name in *.) ;; *) name=$name.$zone. ;; esac
			printf '@ NS %s\n' "$name"
			case $name in *".$zone.") printf '%s A %s\n' "$name" "$addr" ;; esac
		done
		cat
	} >"$dir/zones/$zone.zone"
	echo "$zone" >>"$dir/zonelist"
}

# knot_start ID ADDR PORT: starts knotd with the zones of knot_zone ID and
# waits until it answers each zone's SOA with AA.  KNOT_<ID>_ADDR and
# KNOT_<ID>_PORT (ID upper-cased) name it afterwards.
knot_start() {
	local id=$1 addr=$2 port=$3 dir="$DNS_TMP/$1" zone var
	mkdir -p "$dir/run" "$dir/storage" "$dir/zones"
	touch "$dir/zonelist"
	{
		cat <<EOF
server:
    rundir: "$dir/run"
    listen: $addr@$port
    udp-max-payload: 1232
log:
  - target: stderr
    any: info
database:
    storage: "$dir/storage"
control:
    listen: "$dir/run/knot.sock"
acl:
  - id: update
    address: 127.0.0.0/8
    action: update
template:
  - id: default
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
EOF
		if [ -s "$dir/zonelist" ]; then
			echo "zone:"
			sort -u "$dir/zonelist" | while read -r zone; do
				printf '  - domain: %s\n    acl: update\n' "$zone"
			done
		fi
	} >"$dir/knot.conf"
	"${DNS_REAP[@]}" knotd -c "$dir/knot.conf" >"$dir/log" 2>&1 &
	DNS_PIDS+=($!)
	echo $! >"$dir/pid"
	var=$(tr 'a-z-' 'A-Z_' <<<"$id")
	printf -v "KNOT_${var}_ADDR" '%s' "$addr"
	printf -v "KNOT_${var}_PORT" '%s' "$port"
	while read -r zone; do
		dns_wait_answer "$addr" "$port" "$zone" SOA 'flags: qr aa'
	done < <(sort -u "$dir/zonelist")
	if [ ! -s "$dir/zonelist" ]; then
		# No zone: wait until it answers at all (REFUSED).
		dns_wait_answer "$addr" "$port" . SOA 'status: '
	fi
}

# knot_update ID ZONE <<EOF: a dynamic update of ZONE at Knot instance ID,
# one change per line:  add NAME TTL TYPE DATA  |  del NAME [TYPE [DATA]].
# NAME relative to ZONE unless it ends with a dot.
knot_update() {
	local id=$1 zone=$2 dir="$DNS_TMP/$1" var addr port op rest n=0
	var=$(tr 'a-z-' 'A-Z_' <<<"$id")
	eval "addr=\${KNOT_${var}_ADDR} port=\${KNOT_${var}_PORT}"
	{
		printf 'server %s %s\nzone %s.\norigin %s.\n' "$addr" "$port" "$zone" "$zone"
		while read -r op rest; do
			[ -n "$op" ] || continue
			case $op in
			add) printf 'update add %s\n' "$rest" ;;
			del) printf 'update delete %s\n' "$rest" ;;
			*) fail "knot_update: unknown operation '$op'" ;;
			esac
		done
		printf 'send\n'
	} >"$dir/update.$$"
	knsupdate -t 5 "$dir/update.$$" >"$dir/update.log" 2>&1 ||
		{ cat "$dir/update.log" >&2; fail "knsupdate to $id failed"; }
}

# silent_start ID ADDR: a UDP port (and a listening TCP port that never
# accepts) bound on ADDR that never answers.  SILENT_<ID>_PORT names it;
# each question it gets is logged, in order of arrival, as "NAME TYPE" (a
# line per try) in $(silent_log ID), so that tests count tries instead of
# timing them.
silent_start() {
	local id=$1 addr=$2 dir="$DNS_TMP/$1" var port end
	mkdir -p "$dir"
	: >"$dir/queries"
	"${DNS_REAP[@]}" "$DNS_PY" - "$addr" "$dir/queries" >"$dir/port" 2>"$dir/log" <<'EOF' &
import socket, sys
addr = sys.argv[1]


def question(d):
    i, labels = 12, []
    try:
        while d[i]:
            labels.append(d[i + 1:i + 1 + d[i]].decode("ascii", "replace"))
            i += 1 + d[i]
        return "%s %d" % (".".join(labels).lower() or ".", int.from_bytes(d[i + 1:i + 3], "big"))
    except IndexError:
        return "? 0"


for _ in range(50):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((addr, 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind((addr, port))
    except OSError:
        u.close()
        continue
    t.listen(1)
    break
print(port, flush=True)
with open(sys.argv[2], "a", buffering=1) as log:
    while True:
        log.write(question(u.recv(65535)) + "\n")
EOF
	DNS_PIDS+=($!)
	end=$(($(dns_now_ms) + DNS_TIMEOUT * 1000))
	until [ -s "$dir/port" ]; do
		(($(dns_now_ms) < end)) || fail "silent socket did not start"
		sleep 0.02
	done
	port=$(cat "$dir/port")
	var=$(tr 'a-z-' 'A-Z_' <<<"$id")
	printf -v "SILENT_${var}_PORT" '%s' "$port"
}

# silent_log ID: the file of the questions silent server ID got.
silent_log() {
	echo "$DNS_TMP/$1/queries"
}

# silent_tries ID NAME TYPE: how many times silent server ID was asked
# NAME TYPE (TYPE as a number: 16 TXT, 6 SOA, 2 NS).
silent_tries() {
	grep -cxF -- "$(tr 'A-Z' 'a-z' <<<"$2") $3" "$(silent_log "$1")" || true
}

# silent_one_sequence ID DESCRIPTION: every question silent server ID got
# was first asked before any question's last try (tries: 3): all at once,
# one timeout sequence, not one step after another's timeouts.
silent_one_sequence() {
	local log
	log=$(silent_log "$1")
	awk '{ n[$0]++; if (n[$0] == 1 && third) late = 1; if (n[$0] == 3) third = 1 }
		END { exit late }' "$log" && return 0
	echo "---- questions $1 got, in order ----" >&2
	cat "$log" >&2
	fail "$2: a question was first asked after another's last try (not one timeout sequence)"
}

# unbound_start ID ADDR PORT ZONE=ADDR@PORT[,ADDR@PORT]...: Unbound as a
# recursive resolver on ADDR@PORT that knows only the given zones (stub
# zones to the Knot instances) and answers NXDOMAIN for everything else,
# from its own local data: no root hints are ever used, and its queries
# leave from ADDR, so they cannot leave the machine.
unbound_start() {
	local id=$1 addr=$2 port=$3 dir="$DNS_TMP/$1" stub zone a probe
	shift 3
	command -v unbound >/dev/null || fail "unbound not installed (scripts/deps.d/dns-tests.txt)"
	mkdir -p "$dir"
	{
		cat <<EOF
server:
    username: ""
    chroot: ""
    directory: "$dir"
    pidfile: "$dir/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    interface: $addr@$port
    outgoing-interface: $addr
    access-control: 127.0.0.0/8 allow
    do-ip6: no
    do-not-query-localhost: no
    module-config: "iterator"
    local-zone: "." static
EOF
		for stub in "$@"; do
			printf '    local-zone: "%s." transparent\n' "${stub%%=*}"
		done
		for stub in "$@"; do
			zone=${stub%%=*}
			printf 'stub-zone:\n    name: "%s."\n' "$zone"
			IFS=, read -ra addrs <<<"${stub#*=}"
			for a in "${addrs[@]}"; do printf '    stub-addr: %s\n' "$a"; done
		done
	} >"$dir/unbound.conf"
	unbound-checkconf "$dir/unbound.conf" >"$dir/checkconf" 2>&1 ||
		{ cat "$dir/checkconf" >&2; fail "unbound config rejected"; }
	"${DNS_REAP[@]}" unbound -d -c "$dir/unbound.conf" >"$dir/log" 2>&1 &
	DNS_PIDS+=($!)
	# Ready when it answers a name outside every stub (from local data:
	# nothing is cached for the stub zones by waiting).
	probe=ready.invalid
	local end=$(($(dns_now_ms) + DNS_TIMEOUT * 1000)) out
	while :; do
		out=$(kdig @"$addr" -p "$port" +time=1 +retry=0 "$probe" SOA 2>&1 || true)
		if grep -q 'status: NXDOMAIN' <<<"$out"; then break; fi
		(($(dns_now_ms) < end)) || { echo "$out" >&2; fail "unbound did not start"; }
		sleep 0.05
	done
}

# ---- the records file ----
DNS_RECORDS='[]'
# rec_add PURPOSE TYPE NAME VALUE [REQUIRED=true]
rec_add() {
	DNS_RECORDS=$(jq -c --arg p "$1" --arg t "$2" --arg n "$3" --arg v "$4" \
		--argjson r "${5:-true}" '. + [{purpose: $p, type: $t, name: $n, value: $v, required: $r}]' \
		<<<"$DNS_RECORDS")
}
RECORDS=$DNS_TMP/records.json
# rec_write [FILE [DOMAIN]]: writes the records added so far (default file
# $RECORDS), then forgets them.
rec_write() {
	jq -n --arg d "${2:-$DNS_ZONE}" --argjson r "$DNS_RECORDS" '{domain: $d, records: $r}' \
		>"${1:-$RECORDS}"
	DNS_RECORDS='[]'
}

# ---- running behalf check ----
# run_check ARGS...: behalf check ARGS with a time limit; sets CHECK_RC and
# CHECK_MS, stdout in $CHECK_OUT, stderr in $CHECK_ERR.
run_check() {
	local t0
	t0=$(dns_now_ms)
	set +e
	timeout "${CHECK_LIMIT:-30}" "$BEHALF_BIN" check "$@" >"$CHECK_OUT" 2>"$CHECK_ERR"
	CHECK_RC=$?
	set -e
	CHECK_MS=$(($(dns_now_ms) - t0))
	echo "behalf check $(printf '%q ' "$@")-> exit $CHECK_RC in ${CHECK_MS} ms"
	if [ "$CHECK_RC" -eq 124 ]; then fail "behalf check $* did not finish in ${CHECK_LIMIT:-30}s"; fi
	# Under the sanitizers an error may end in an exit status a test
	# expects (ASan's is 1): the report itself fails the test.
	if grep -qE 'Sanitizer|runtime error:' "$CHECK_ERR"; then fail "sanitizer report from behalf check $*"; fi
	return 0
}

# check_json [ARGS...]: behalf check --records $RECORDS "${AUTH[@]}" --json ARGS.
check_json() {
	run_check --records "$RECORDS" "${AUTH[@]}" --json "$@"
}

expect_rc() {
	[ "$CHECK_RC" -eq "$1" ] || fail "exit status $CHECK_RC, expected $1${2:+ ($2)}"
}

# The JSON result must parse; jq_expect FILTER DESCRIPTION [jq args...]
jq_expect() {
	local filter=$1 desc=$2
	shift 2
	jq -e . "$CHECK_OUT" >/dev/null 2>&1 || fail "stdout is not one JSON document"
	jq -e "$@" "$filter" "$CHECK_OUT" >/dev/null 2>&1 || fail "expected: $desc   [jq: $filter]"
}

# The result of the record named NAME (case and trailing dot ignored).
DNS_JQ_REC='def norm: ascii_downcase | rtrimstr("."); def rec($n): [.records[] | select((.name | norm) == ($n | norm))] | first;'

# expect_status NAME STATUS
expect_status() {
	jq_expect "$DNS_JQ_REC rec(\$n).status == \$s" "record $1 has status $2" \
		--arg n "$1" --arg s "$2"
}

# expect_diag NAME CODE: the record has a diagnosis CODE with a message and a fix.
expect_diag() {
	jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \$c)] | length > 0" \
		"record $1 has diagnosis $2" --arg n "$1" --arg c "$2"
	jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \$c)][0] |
		((.message | type) == \"string\" and (.message | length) > 0 and (.fix | type) == \"string\" and (.fix | length) > 0)" \
		"diagnosis $2 of $1 has a message and a fix" --arg n "$1" --arg c "$2"
}

# expect_fix_contains NAME CODE TEXT: the fix of diagnosis CODE shows TEXT.
expect_fix_contains() {
	jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \$c) | .fix | contains(\$t)] | any" \
		"the fix of $2 for $1 shows '$3'" --arg n "$1" --arg c "$2" --arg t "$3"
}

expect_no_diag() {
	jq_expect "$DNS_JQ_REC [rec(\$n).diagnoses[] | select(.code == \$c)] | length == 0" \
		"record $1 has no diagnosis $2" --arg n "$1" --arg c "$2"
}

# expect_ns_status NAME ADDRESS-SUBSTRING STATUS: the nameserver asked at an
# address containing ADDRESS-SUBSTRING has STATUS for record NAME.
expect_ns_status() {
	jq_expect "$DNS_JQ_REC [rec(\$n).nameservers[] | select(.address | contains(\$a)) | .status] | (length > 0 and all(. == \$s))" \
		"record $1 at the server $2 has status $3" --arg n "$1" --arg a "$2" --arg s "$3"
}

# A DKIM value of a real 2048-bit RSA key (split into two strings in the
# zone: answers of several character-strings are joined), and an older
# 1024-bit key of the same customer.
DKIM_P='MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAriF3jXuArqH0/UYkRMz1SnZlGWNx3oSlxnuOoy/piY6UZRZarzyB45ib54mYCA1dpzP+df8HBcWH61VtygiczQPPmsRss7c9mD/39oTLoOD6SpIcxuf2ErJjK3BRoRlGwVdlOuDZ8/uz3RDnZB3zcxMMqVXa9Sj8VED6Cw6p1iXIwynQZtF8soxL6SRBLl4x8GW+UOhLTob8GT0D2I6870Cb4oD4/hnC53QxNcolyjk9GA59PUOyIaxaUMhQd4FE6zIKDeREwIZoQsbAX/fZWX3sj+SAL3QtaWf+ebdeY5MhPWYByBxR5f9VaebIxvyVZjtCQCkD/A8GctTrNT3GrwIDAQAB'
DKIM_OLD_P='MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDNklZHX2LDTyEvB5M1UdxgEms9Eq0ErW1O4SbWRMo+rP7Y/DJhekuHSnfgOt2W2FOnh10bdWjQwu1miHCqdoCJl90t85U+kQ1f8HDPO/S3PvQTcjxuEXSPe9ute0TzSRuDLpL2roWMmze1pzyN9tpPv9JKXyJEJDGd5H25Ji6N8wIDAQAB'
DKIM_VALUE="k=rsa; p=$DKIM_P"
DKIM_OLD_VALUE="k=rsa; p=$DKIM_OLD_P"
# The same value as zone-file text: two character-strings.
DKIM_ZONE_TXT="\"k=rsa; p=${DKIM_P:0:200}\" \"${DKIM_P:200}\""
DKIM_OLD_ZONE_TXT="\"$DKIM_OLD_VALUE\""
DKIM_SELECTOR=20250817055129pm
DKIM_NAME=$DKIM_SELECTOR._domainkey.$DNS_ZONE
RP_NAME=pm-bounces.$DNS_ZONE
RP_TARGET=pm.mtasv.net

# dns_one_knot <<EOF records EOF (or </dev/null): the usual setup: one Knot instance "k1"
# serving $DNS_ZONE with the records given, at a fresh address and port;
# AUTH="--authoritative addr:port --resolver addr:port" (Knot answers the
# resolver's questions about the zone too, authoritatively).
dns_one_knot() {
	local addr port
	addr=$(dns_addr 2)
	port=$(dns_free_port "$addr")
	knot_zone k1 "$DNS_ZONE"
	knot_start k1 "$addr" "$port"
	AUTH=(--authoritative "$addr:$port" --resolver "$addr:$port")
}
