#!/usr/bin/env bash
# The unsafe string functions are banned (STYLE.md, as in curl): sprintf,
# vsprintf, strcpy, strcat, strncat, strtok, atoi, atol, gets.  Use snprintf,
# str_copy, struct buf and strtol with checks.  Exits 1 naming each use.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='(^|[^a-zA-Z0-9_])(sprintf|vsprintf|strcpy|strcat|strncat|strtok|atoi|atol|gets)[[:space:]]*\('
if hits=$(grep -nE "$pattern" $(git ls-files 'src/*.c' 'src/*.h' 'ui/*.c' 'ui/*.h' 'tests/*.c' 'bench/*.c' 2>/dev/null || find src ui tests bench -name '*.[ch]')); then
	echo "banned functions used (see STYLE.md):" >&2
	echo "$hits" >&2
	exit 1
fi
echo "no banned function in src/, ui/, tests/, bench/"
