#!/usr/bin/env bash
# Installs what behalf needs to build, run and test, on Debian (as root):
# the packages listed in scripts/deps.d/*.txt (one per line, # comments).
# Installs only what is missing, so it is quick the second time.
set -euo pipefail
cd "$(dirname "$0")"
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' deps.d/*.txt | grep -v '^$' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "behalf: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# npm packages of the tests (after nodejs above)
bash ./npm-deps.sh
