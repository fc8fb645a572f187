#!/usr/bin/env bash
# The command line (issue 8, item 10): --help and -h list the commands and
# every demo scenario (read here from assets/scenarios/, with its title);
# each command has its own -h; an option without its value, an unknown
# option, command or scenario say what is valid, with exit 2 and before
# anything starts; export's --format in any case, md included; an export
# that cannot be written names the path given, never a temporary file.
set -euo pipefail

: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
: "${BEHALF_SOURCE_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/behalf-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
export XDG_CONFIG_HOME="$T/xdg" XDG_STATE_HOME="$T/xdg-state"
unset POSTMARK_ACCOUNT_TOKEN POSTMARK_SERVER_TOKEN POSTMARK_API_URL
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
ok() {
	echo "ok: $*"
}

# run ARGS...: behalf ARGS with no terminal; RC, $T/out, $T/err.
run() {
	set +e
	timeout 30 "$BEHALF_BIN" "$@" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}
# expect RC WHAT: the exit status.
expect() {
	if [ "$RC" -eq "$1" ]; then ok "$2: exit $1"; else fail "$2: exit $RC, expected $1 ($(head -c 300 "$T/err"))"; fi
}
# has FILE TEXT WHAT: FILE holds TEXT (fixed string).
has() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else fail "$3: no '$2' in: $(head -c 600 "$1")"; fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then fail "$3: '$2' in: $(head -c 600 "$1")"; else ok "$3"; fi
}

scenarios=()
for f in "$BEHALF_SOURCE_DIR"/assets/scenarios/*.ini; do scenarios+=("$(basename "$f" .ini)"); done
((${#scenarios[@]} >= 4)) || fail "test bug: ${#scenarios[@]} scenarios found"

# ---- --help and -h ----
for h in --help -h; do
	run "$h"
	expect 0 "behalf $h"
	has "$T/out" "behalf check --records FILE.json" "$h: the check command"
	has "$T/out" "behalf export --customer ID --format FORMAT" "$h: the export command"
	for s in "${scenarios[@]}"; do
		title=$(sed -n 's/^title = //p' "$BEHALF_SOURCE_DIR/assets/scenarios/$s.ini")
		if grep -qE "^ +$s +$(sed 's/[][\.*^$/]/\\&/g' <<<"$title")\$" "$T/out"; then
			ok "$h: scenario $s with its title"
		else
			fail "$h: scenario $s ('$title') not listed"
		fi
	done
	if awk 'length > 80 { exit 1 }' "$T/out"; then ok "$h: fits 80 columns"; else fail "$h: a line over 80 columns"; fi
done
run check -h
expect 0 "behalf check -h"
has "$T/out" "usage: behalf check --records FILE.json" "check -h: its usage"
run export -h
expect 0 "behalf export -h"
has "$T/out" "usage: behalf export --customer ID --format FORMAT" "export -h: its usage"
has "$T/out" "markdown (or md)" "export -h: md documented"
for c in status list; do
	run $c -h
	expect 0 "behalf $c -h"
	has "$T/out" "usage: behalf $c " "$c -h: its usage"
	if awk 'length > 80 { exit 1 }' "$T/out"; then ok "$c -h: fits 80 columns"; else fail "$c -h: a line over 80 columns"; fi
done
run status
expect 2 "behalf status without --customer"
has "$T/err" "--customer ID is required" "status: the customer is asked for"
run list --option 4
expect 2 "behalf list --option 4"
has "$T/err" '--option must be 1, 2 or 3, not "4"' "list: a bad option named"
run list --since 10
expect 2 "behalf list --since 10"
has "$T/err" 'a duration such as 30m' "list: a duration needs its unit"
run status --customer x --stuck
expect 2 "behalf status --stuck"

# ---- what is valid, said where it went wrong ----
run --scenario
expect 2 "--scenario without a value"
for s in "${scenarios[@]}"; do has "$T/err" "$s" "--scenario without a value names $s"; done
hasnt "$T/err" "unknown option" "--scenario without a value is not 'unknown option'"
run --demo --state-dir "$T/demo" --scenario nope
expect 2 "--scenario nope"
has "$T/err" '"nope"' "an unknown scenario is named"
for s in "${scenarios[@]}"; do has "$T/err" "$s" "an unknown scenario: $s offered"; done
[ ! -e "$T/demo" ] && ok "nothing started for an unknown scenario" || fail "the demo started with an unknown scenario"
run --customer
expect 2 "--customer without a value"
has "$T/err" "--customer needs a value" "--customer without a value says so"
run --frobnicate
expect 2 "an unknown option"
has "$T/err" "unknown option --frobnicate" "the unknown option is named"
run frobnicate
expect 2 "an unknown command"
has "$T/err" '"frobnicate"' "the unknown command is named"
has "$T/err" "check, export, status, list" "the commands are offered"
has "$T/err" "invite, keys, ssh-config, broker, deliver, monitor and domainconnect" "the SSH access commands, deliver, monitor and domainconnect are offered"
run check --records
expect 2 "check --records without a value"
has "$T/err" "--records needs a value" "check: the option without its value is named"
run export --customer acme --format
expect 2 "export --format without a value"
has "$T/err" "--format needs a value" "export: the option without its value is named"

# ---- export: --format in any case; a write failure names the path ----
STATE=$T/state
mkdir -m 700 "$STATE"
cat >"$STATE/cust.json" <<'JSON'
{"schema": 1, "customer": "cust", "step": "from-name", "option": "name",
 "from_name": {"text": "Jane Customer", "cursor": 0}}
JSON
for f in HTML Md md MARKDOWN Text; do
	run export --state-dir "$STATE" --customer cust --format "$f"
	expect 0 "export --format $f"
done
run export --state-dir "$STATE" --customer cust --format HTML
has "$T/out" "<html" "--format HTML writes HTML"
run export --state-dir "$STATE" --customer cust --format Md
cp "$T/out" "$T/md.out"
run export --state-dir "$STATE" --customer cust --format markdown
if cmp -s "$T/out" "$T/md.out"; then ok "Md is markdown"; else fail "--format Md differs from markdown"; fi
run export --state-dir "$STATE" --customer cust --format pdf
expect 2 "export --format pdf"
has "$T/err" "markdown (or md)" "an unknown format lists md"

run export --state-dir "$STATE" --customer cust --format text -o "$T/no-such-dir/sheet.txt"
expect 1 "export into a missing directory"
has "$T/err" "cannot write $T/no-such-dir/sheet.txt: No such file or directory" "the path given and why"
hasnt "$T/err" ".tmp" "no temporary file named"
mkdir "$T/adir"
(cd "$T" && run export --state-dir "$STATE" --customer cust --format text -o adir && cp "$T/err" "$T/err.adir" && echo "$RC" >"$T/rc.adir")
RC=$(cat "$T/rc.adir")
cp "$T/err.adir" "$T/err"
expect 1 "export onto a directory, relative path"
has "$T/err" "cannot write adir: Is a directory" "the relative path as given"
hasnt "$T/err" ".tmp" "no temporary file named (relative)"
[ -z "$(find "$T" -name '*.tmp')" ] && ok "no temporary file left" || fail "a temporary file was left"

if ((fails)); then
	echo "FAIL: test_cli_usage ($fails failures)" >&2
	exit 1
fi
echo "PASS: test_cli_usage"
