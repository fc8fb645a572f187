#!/usr/bin/env bash
# DNS text is shown sanitized: a hostile TXT record at the DKIM name holds
# terminal escape sequences (clear screen, a title change, colours) and
# other control bytes; the text report of behalf check must not pass a
# single control byte to the terminal, and the JSON must stay valid.
. "$(dirname "$0")/dnslib.sh"

# \027 is ESC, \007 BEL, \008 backspace, \013 CR in zone-file syntax.
dns_one_knot <<'EOF'
20250817055129pm._domainkey.customer.example. TXT "k=rsa; p=\027[2J\027]0;pwned\007\027[31mEVIL\008\008\013"
pm-bounces.customer.example. TXT "\027[5mblink\027[0m"
EOF
out=$(dns_query "$KNOT_K1_ADDR" "$KNOT_K1_PORT" "$DKIM_NAME" TXT)
grep -q '\\027' <<<"$out" || { echo "$out" >&2; fail "test bug: the TXT record has no ESC"; }
rec_add dkim TXT "$DKIM_NAME" "$DKIM_VALUE"
rec_add return-path CNAME "$RP_NAME" "$RP_TARGET"
rec_write

run_check --records "$RECORDS" "${AUTH[@]}"
expect_rc 1 "hostile records are not the expected ones"
# Any byte 0x00-0x1f other than newline and tab, or 0x7f, fails.
if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$CHECK_OUT" "$CHECK_ERR"; then
	LC_ALL=C grep -nP '[\x00-\x08\x0b-\x1f\x7f]' "$CHECK_OUT" "$CHECK_ERR" | cat -v | head -5 >&2
	fail "a control byte reached the terminal"
fi
grep -q 'EVIL' "$CHECK_OUT" || fail "the text report does not show what the server has (sanitized)"

check_json
expect_rc 1 "JSON output"
expect_status "$DKIM_NAME" mismatch
if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$CHECK_OUT"; then fail "a raw control byte in the JSON output"; fi
pass
