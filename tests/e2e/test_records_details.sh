#!/usr/bin/env bash
# The details view ("d") says what the list says, per nameserver: a record
# at a wrong name is "Wrong name" there too, with the name where each server
# has it; a missing optional DMARC record is "Optional"; two DKIM records are
# shown under each other from where they differ, the right one marked keep
# and the other delete; the columns line up.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# to_records SCENARIO: the records screen of a new demo customer.
to_records() {
	e2e_start --scenario "$1"
	e2e_to_domain "acme-example.com"
	e2e_keys Enter
	e2e_wait "Add these records to the DNS of acme-example.com"
}

# saved FILTER: a value of the saved state, once it is there (saves follow
# the screen within half a second).
saved() {
	local v=null i=0
	while [ "$v" = null ] || [ -z "$v" ]; do
		i=$((i + 1))
		((i < 200)) || e2e_fail "no $1 in the state"
		sleep 0.05
		v=$(jq -r "$1 // \"null\"" "$E2E_STATE/demo.json" 2>/dev/null || echo null)
	done
	echo "$v"
}

# col TEXT: the column where TEXT starts on the screen (first match).
col() {
	e2e_screen | awk -v t="$1" '{ i = index($0, t); if (i) { print i; exit } }'
}

# The default story: the DNS host appends the domain to the DKIM name.
to_records default
e2e_keys n
e2e_wait "Wrong name"
name=$(saved '.records[0].name')
e2e_keys d
e2e_wait "What each of your nameservers answers"
e2e_assert_screen "DKIM key     TXT   ✗ Wrong name      ✗ Wrong name"
e2e_assert_screen "DMARC        TXT   … Optional        … Optional"
# each server, where it has the key: the doubled domain shows at the end
e2e_assert_screen "ns51  ✗ Wrong name      "
tail="${name: -30}.acme-example.com"
[ "$(e2e_screen | grep -c -F -- "$tail")" = 2 ] ||
	e2e_fail "both servers should show where the key sits (…$tail)"
# the list (d again) says the same
e2e_keys d
e2e_wait "Purpose      Type"
e2e_assert_screen "✗ Wrong name"
e2e_stop

# The Namecheap story, stage 3: the new key pasted, the old one left.
rm -rf "$E2E_STATE"
mkdir -p "$E2E_STATE"
to_records typos
e2e_keys n
e2e_wait "quotation marks"
e2e_keys n
e2e_wait "Only the first part"
e2e_keys n
e2e_wait "There are 2 records at"
e2e_keys d
e2e_wait "2 records, different from character"
[ "$(e2e_screen | grep -c "2 records, different from character")" = 2 ] ||
	e2e_fail "each server should show its two records"
e2e_assert_screen "✓ keep"
e2e_assert_screen "✗ delete"
# the two values line up under each other, both cut at the same place
keep=$(e2e_screen | grep -m1 "✓ keep" | sed 's/.*keep *//')
del=$(e2e_screen | grep -m1 "✗ delete" | sed 's/.*delete *//')
[ "$(col "$keep")" = "$(col "$del")" ] || e2e_fail "the values do not start in the same column"
[ "${keep:0:13}" = "${del:0:13}" ] || e2e_fail "the shared part before the difference should match: '$keep' / '$del'"
[ "$keep" != "$del" ] || e2e_fail "the part that differs is not on screen"
# the one to keep is the key the ESP gave
dkim=$(saved '.records[0].value')
want=${keep:1:20}
[[ $dkim == *"$want"* ]] || e2e_fail "the kept value ($want) is not the expected key"
# columns: the status column of the servers and of the marks is the same
[ "$(col "✗ Needs a fix     2 records")" = "$(col "✓ keep")" ] ||
	e2e_fail "the marks are not in the status column"
e2e_pass
