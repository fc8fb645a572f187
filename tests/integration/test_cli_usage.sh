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
# shellcheck source=clilib.sh
. "$(dirname "$0")/clilib.sh"

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

# ---- every command: an unknown option, a stray argument, an option without
# its value; each says which, in its own words, exit 2, before any
# configuration is read (the shared src/app/cli.c) ----
# usage_after WHAT: the line after the first of $T/err is the command's usage.
usage_after() {
	if sed -n 2p "$T/err" | grep -q '^usage: '; then ok "$1: the usage follows"; else fail "$1: no usage after the message: $(head -c 300 "$T/err")"; fi
}
no_usage() {
	if [ "$(wc -l <"$T/err")" -eq 1 ]; then ok "$1: the message alone"; else fail "$1: more than the message: $(head -c 300 "$T/err")"; fi
}
# bad WORD... : the command with WORD; exit 2, the first line of stderr is $LINE.
first_line() {
	if [ "$(head -n 1 "$T/err")" = "$1" ]; then ok "$2: '$1'"; else fail "$2: '$(head -n 1 "$T/err")', expected '$1'"; fi
}
# a broken default configuration: a command that read it first would say so
mkdir -p "$XDG_CONFIG_HOME/behalf"
printf '[nonsense\n' >"$XDG_CONFIG_HOME/behalf/behalf.conf"
for cmd in invite keys ssh-config; do
	run $cmd --frobnicate
	expect 2 "$cmd --frobnicate"
	first_line "behalf: unexpected argument --frobnicate" "$cmd --frobnicate"
	usage_after "$cmd --frobnicate"
	run $cmd stray
	expect 2 "$cmd stray"
	first_line "behalf: unexpected argument stray" "$cmd stray"
	usage_after "$cmd stray"
	run $cmd --config
	expect 2 "$cmd --config"
	first_line "behalf: --config needs a value" "$cmd --config"
	usage_after "$cmd --config"
done
run ssh-keys --frobnicate u t k
expect 2 "ssh-keys --frobnicate"
first_line "behalf: unexpected argument --frobnicate" "ssh-keys --frobnicate"
usage_after "ssh-keys --frobnicate"
for cmd in status list; do
	run $cmd --frobnicate
	expect 2 "$cmd --frobnicate"
	first_line "behalf: unknown option or argument --frobnicate" "$cmd --frobnicate"
	usage_after "$cmd --frobnicate"
	run $cmd --customer x stray
	[ $cmd = list ] && run $cmd stray
	expect 2 "$cmd stray"
	first_line "behalf: unknown option or argument stray" "$cmd stray"
	no_usage "$cmd stray"
	run $cmd --state-dir
	expect 2 "$cmd --state-dir"
	first_line "behalf: --state-dir needs a value" "$cmd --state-dir"
	usage_after "$cmd --state-dir"
done
run list --customer x
expect 2 "list --customer (status's option)"
has "$T/err" "behalf: unknown option or argument" "list refuses status's --customer"
usage_after "list --customer"
for cmd in admin "monitor --once"; do
	run $cmd --frobnicate
	expect 2 "$cmd --frobnicate"
	first_line "behalf: unknown option or argument --frobnicate" "$cmd --frobnicate"
	usage_after "$cmd --frobnicate"
	run $cmd --config
	expect 2 "$cmd --config"
	first_line "behalf: unknown option or argument --config" "$cmd --config"
	usage_after "$cmd --config"
done
# --no-dns, in its usage and docs/status.md, is an option (without a
# terminal admin then stops there, after the options and the configuration)
run admin --no-dns --config "$T/no-such.ini"
expect 2 "admin --no-dns"
first_line "behalf: cannot read $T/no-such.ini: No such file or directory" "admin --no-dns is an option"
run admin stray
expect 2 "admin stray"
first_line "behalf: unknown option or argument stray" "admin stray"
no_usage "admin stray"
run monitor --once stray
expect 2 "monitor stray"
first_line "behalf: unknown option or argument stray" "monitor stray"
usage_after "monitor stray"
run export --frobnicate
expect 2 "export --frobnicate"
first_line 'behalf export: unexpected argument "--frobnicate"' "export --frobnicate"
usage_after "export --frobnicate"
run export --customer x --format text stray
expect 2 "export stray"
first_line 'behalf export: unexpected argument "stray"' "export stray"
no_usage "export stray"
run check --frobnicate
expect 2 "check --frobnicate"
first_line "behalf check: unknown option --frobnicate" "check --frobnicate"
usage_after "check --frobnicate"
run check --records r.json stray
expect 2 "check stray"
first_line 'behalf check: unexpected argument "stray"' "check stray"
usage_after "check stray"
for sub in template keygen sign-url; do
	run domainconnect $sub --frobnicate
	expect 2 "domainconnect $sub --frobnicate"
	first_line "behalf domainconnect: unknown option --frobnicate" "domainconnect $sub --frobnicate"
	no_usage "domainconnect $sub --frobnicate"
	run domainconnect $sub stray
	expect 2 "domainconnect $sub stray"
	first_line "behalf domainconnect: unknown option stray" "domainconnect $sub stray"
	run domainconnect $sub --config
	expect 2 "domainconnect $sub --config"
	first_line "behalf domainconnect: --config needs a value" "domainconnect $sub --config"
done
for w in --frobnicate --config; do
	run domainconnect discover example.com $w
	expect 2 "domainconnect discover $w"
	first_line "behalf domainconnect discover: bad option or missing value: $w" "domainconnect discover $w"
	usage_after "domainconnect discover $w"
done
for cmd in "deliver --once" broker; do
	for w in --frobnicate stray --config; do
		run $cmd $w
		expect 2 "$cmd $w"
		has "$T/err" "usage: behalf ${cmd%% *} " "$cmd $w: the usage"
	done
done
rm "$XDG_CONFIG_HOME/behalf/behalf.conf"

# ---- the configuration: --config, --state-dir over it, --demo's own
# subdirectory unless --state-dir names one ----
CFG=$T/cli.ini
printf '[behalf]\nstate_dir = %s\n' "$T/st" >"$CFG"
mkdir -p "$T/st/demo" "$T/st2"
printf '[nonsense\n' >"$T/broken.ini"
for pre in "keys" "list" "admin" "monitor --once" "export --customer x --format text" "domainconnect keygen" "domainconnect discover example.com" "deliver --status"; do
	run $pre --config "$T/broken.ini"
	expect 2 "$pre with a broken configuration"
	has "$T/err" "$T/broken.ini:1: not a setting" "$pre: the configuration's problem said"
done
run status --customer x --config "$T/broken.ini"
first_line "behalf: $T/broken.ini:1: not a setting: expected \"key = value\", \"[section]\" or a comment (; or #)." "status: a broken configuration, word for word"
run export --customer x --format text --config "$T/broken.ini"
first_line "behalf export: $T/broken.ini:1: not a setting: expected \"key = value\", \"[section]\" or a comment (; or #)." "export: a broken configuration, in its words"
run deliver --status --config "$T/broken.ini"
first_line "behalf deliver: $T/broken.ini:1: not a setting: expected \"key = value\", \"[section]\" or a comment (; or #)." "deliver: a broken configuration, in its words"
run broker --config "$T/broken.ini"
first_line "behalf broker: $T/broken.ini:1: not a setting: expected \"key = value\", \"[section]\" or a comment (; or #)." "broker: a broken configuration, in its words"
LONG=$(printf 'd%.0s' $(seq 1 1100))
for pre in "invite --list" "keys" "status --customer x" "list" "monitor --once" "--customer x"; do
	run $pre --config "$CFG" --state-dir "$LONG"
	expect 2 "$pre --state-dir (too long)"
	first_line "behalf: --state-dir is too long" "$pre: an over-long --state-dir refused"
done
# admin and deliver cut an over-long --state-dir without a word before
# (and so read another directory); now refused like the others
run admin --config "$CFG" --state-dir "$LONG"
expect 2 "admin --state-dir (too long)"
first_line "behalf: --state-dir is too long" "admin: an over-long --state-dir refused"
run deliver --status --config "$CFG" --state-dir "$LONG"
expect 2 "deliver --state-dir (too long)"
first_line "behalf deliver: --state-dir is too long" "deliver: an over-long --state-dir refused"
run export --customer x --format text --config "$CFG" --state-dir "$LONG"
expect 2 "export --state-dir (too long)"
first_line "behalf export: --state-dir is too long" "export: an over-long --state-dir refused"
run status --customer x --config "$CFG"
has "$T/err" "behalf status: no customer \"x\" in $T/st (no state file x.json" "status reads [behalf] state_dir"
run status --customer x --config "$CFG" --state-dir "$T/st2"
has "$T/err" "no customer \"x\" in $T/st2 " "status: --state-dir over the configuration"
run status --config "$CFG" --demo
expect 1 "status --demo"
has "$T/err" "no customer \"demo\" in $T/st/demo " "status --demo: the demo's customer in the demo's subdirectory"
run status --config "$CFG" --demo --state-dir "$T/st2"
has "$T/err" "no customer \"demo\" in $T/st2 " "status --demo --state-dir: --state-dir wins"
run export --format text --config "$CFG" --demo
has "$T/err" "for customer demo in $T/st/demo:" "export --demo: the demo's subdirectory"
run export --format text --config "$CFG" --demo --state-dir "$T/st2"
has "$T/err" "for customer demo in $T/st2:" "export --demo --state-dir: --state-dir wins"
# a state directory of 1019 characters (the most is 1023): no room for /demo
LONGSTATE=/tmp/$(printf 'e%.0s' $(seq 1 1007))
: >"$T/empty.ini"
XDG_STATE_HOME=$LONGSTATE run status --config "$T/empty.ini" --demo
expect 2 "status --demo in an over-long state directory"
first_line "behalf: the state directory is too long" "status --demo: no room for /demo, said"
XDG_STATE_HOME=$LONGSTATE run export --format text --config "$T/empty.ini" --demo
expect 2 "export --demo in an over-long state directory"
first_line "behalf export: the state directory is too long" "export --demo: no room for /demo, said"
XDG_STATE_HOME=$LONGSTATE run --demo --config "$T/empty.ini"
expect 2 "behalf --demo in an over-long state directory"
first_line "behalf: the state directory is too long" "the wizard --demo: no room for /demo, said"

if ((fails)); then
	echo "FAIL: test_cli_usage ($fails failures)" >&2
	exit 1
fi
echo "PASS: test_cli_usage"
