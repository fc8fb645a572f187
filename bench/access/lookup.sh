#!/usr/bin/env bash
# The access store with many bound keys (issue 10): what a customer's
# connection costs as the number of bindings grows.  Not a ctest test: the
# figures depend on the machine.  bench/README.md "The access store at
# scale" says what is measured and shows the figures.
#
#   bench/access/lookup.sh [N...]      (default: 10 1000 10000)
#
# Environment: BEHALF_BIN (default build-bench/behalf, built by
# bench/run.sh), RUNS (sessions started per figure, default 5), KEYS_RUNS
# (ssh-keys calls per figure, default 200).
#
# For each N: bench/access/probe.py writes a store of an earlier behalf (one
# access/keys.json with N bindings; the key measured is the last).  Then:
#   before   the writers' lock held, so that nothing upgrades the store:
#            `behalf ssh-session` finds its key by reading the whole
#            keys.json, as every session did before one file a key
#   upgrade  `behalf keys --json` (the vendor's list) moves the N bindings
#            to access/keys/, one file each, and lists them: its time
#   after    `behalf ssh-session` reads its key's file alone
# and, each time, `behalf ssh-keys` as sshd runs it (AuthorizedKeysCommand,
# for every key a client offers).  A session is started in a pseudo
# terminal as sshd starts it ($SSH_USER_AUTH names the key); its customer,
# walked once to the records screen, resumes there (as in
# bench/ssh/sessions.sh), and is measured at that first frame: the time to
# it, its Private_Dirty and its peak RSS (VmHWM).  Runs as any user (root or
# not); everything is in a temporary directory, removed at exit.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=$(cd "$BENCH_DIR/../.." && pwd)
: "${BEHALF_BIN:=$SOURCE_DIR/build-bench/behalf}"
[ -x "$BEHALF_BIN" ] || {
	echo "lookup.sh: no binary at $BEHALF_BIN (run bench/run.sh once, or set BEHALF_BIN)" >&2
	exit 2
}
RUNS=${RUNS:-5}
KEYS_RUNS=${KEYS_RUNS:-200}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 1000 10000)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/behalf-access-bench.XXXXXX")
holder=
cleanup() {
	if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
probe() { python3 "$BENCH_DIR/probe.py" "$@"; }
now_ms() { date +%s%3N; }

printf '%-7s %-9s %-28s %-28s %-9s %-7s %s\n' "keys" "keys.json" \
	"session before: KB peak ms" "session after: KB peak ms" "upgrade" "list" "ssh-keys p50/p95 ms"
for n in "${sizes[@]}"; do
	d=$tmp/n$n
	mkdir -p "$d"
	printf '[behalf]\ndemo = yes\nstate_dir = %s/state\n[ssh]\nuser = behalf\n' "$d" >"$d/behalf.conf"
	made=$(probe make --state "$d/state" --n "$n" --key "$d/key.pub")
	bytes=$(jq .bytes <<<"$made")
	customer=$(jq -r .customer <<<"$made")

	# before: the lock held by a writer that never finishes.
	(
		exec 9>>"$d/state/access/lock"
		flock 9
		: >"$d/held"
		exec sleep 600
	) &
	holder=$!
	for _ in $(seq 200); do
		[ -e "$d/held" ] && break
		sleep 0.05
	done
	before=$(probe session --bin "$BEHALF_BIN" --config "$d/behalf.conf" --key "$d/key.pub" --runs "$RUNS")
	[ -e "$d/state/access/keys.json" ] || { echo "lookup.sh: the store was upgraded while locked" >&2; exit 1; }
	keys_before=$(probe sshkeys --bin "$BEHALF_BIN" --config "$d/behalf.conf" --key "$d/key.pub" --runs "$KEYS_RUNS")
	kill "$holder"
	wait "$holder" 2>/dev/null || true
	holder=

	t0=$(now_ms)
	listed=$("$BEHALF_BIN" keys --config "$d/behalf.conf" --json | jq length)
	upgrade=$(($(now_ms) - t0))
	[ "$listed" = "$n" ] || { echo "lookup.sh: listed $listed of $n keys" >&2; exit 1; }
	[ ! -e "$d/state/access/keys.json" ] || { echo "lookup.sh: not upgraded" >&2; exit 1; }
	t0=$(now_ms)
	"$BEHALF_BIN" keys --config "$d/behalf.conf" --customer "$customer" --json >/dev/null
	list_after=$(($(now_ms) - t0))

	after=$(probe session --bin "$BEHALF_BIN" --config "$d/behalf.conf" --key "$d/key.pub" --runs "$RUNS")
	keys_after=$(probe sshkeys --bin "$BEHALF_BIN" --config "$d/behalf.conf" --key "$d/key.pub" --runs "$KEYS_RUNS")

	r() { jq -r "$1 | . * 10 | round / 10" <<<"$2"; }
	printf '%-7s %-9s %-28s %-28s %-9s %-7s %s / %s (locked: %s / %s)\n' "$n" "$bytes" \
		"$(r .private_kb.p50 "$before") $(r .peak_rss_kb.p50 "$before") $(r .first_frame_ms.p50 "$before")" \
		"$(r .private_kb.p50 "$after") $(r .peak_rss_kb.p50 "$after") $(r .first_frame_ms.p50 "$after")" \
		"$upgrade ms" "$list_after ms" \
		"$(r .ms.p50 "$keys_after")" "$(r .ms.p95 "$keys_after")" \
		"$(r .ms.p50 "$keys_before")" "$(r .ms.p95 "$keys_before")"
	rm -rf "$d"
done
echo "machine: $(nproc) cores, Linux $(uname -r), $(basename "$BEHALF_BIN") at $BEHALF_BIN; RUNS=$RUNS KEYS_RUNS=$KEYS_RUNS"
