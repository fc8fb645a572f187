#!/usr/bin/env bash
# The tree stays formatted with the checked-in .clang-format (STYLE.md).
# Exits 1 naming the files that are not; `clang-format -i FILE` fixes them.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null || find src ui tests bench -name '*.[ch]')
bad=$(clang-format --dry-run "${files[@]}" 2>&1 | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: warning:.*/\1/p' | sort -u)
if [ -n "$bad" ]; then
	echo "not formatted (clang-format -i):" >&2
	echo "$bad" >&2
	exit 1
fi
echo "every C file is formatted"
