# shellcheck shell=bash
# Harness for the command-line tests (test_cli_usage.sh, test_cli_access.sh,
# test_dc_vendor.sh): the real binary with no terminal, each check counted
# rather than ending the test, so that one run says every failure.  Set T
# (the test's temporary directory) before sourcing; CLI_BIN (default
# $BEHALF_BIN) is the binary run.
#
#   run ARGS...            behalf ARGS, stdin /dev/null: RC, $T/out, $T/err
#   expect RC WHAT         the exit status of the last run
#   has FILE TEXT WHAT     FILE holds TEXT (a fixed string); hasnt: it does not
#   empty FILE WHAT        FILE is empty
#   ok WHAT / fail WHAT    a check passed / failed ($fails counts)
: "${BEHALF_BIN:?BEHALF_BIN must name the behalf binary}"
: "${T:?set T to the temporary directory of the test first}"
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
ok() {
	echo "ok: $*"
}
run() {
	set +e
	timeout 60 "${CLI_BIN:-$BEHALF_BIN}" "$@" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}
expect() {
	if [ "$RC" -eq "$1" ]; then ok "$2: exit $1"; else fail "$2: exit $RC, expected $1 ($(head -c 300 "$T/err"))"; fi
}
has() {
	if grep -qF -- "$2" "$1"; then ok "$3"; else fail "$3: no '$2' in: $(head -c 600 "$1")"; fi
}
hasnt() {
	if grep -qF -- "$2" "$1"; then fail "$3: '$2' in: $(head -c 600 "$1")"; else ok "$3"; fi
}
empty() {
	if [ -s "$1" ]; then fail "$2: not empty: $(head -c 300 "$1")"; else ok "$2"; fi
}
