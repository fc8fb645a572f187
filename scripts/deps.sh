#!/usr/bin/env bash
# Installs what behalf needs to build, run and test, on Debian (as root).
# Installs only what is missing, so it is quick the second time.
set -euo pipefail
pkgs=(build-essential cmake pkg-config git
      libncurses-dev libcurl4-openssl-dev libjansson-dev libldns-dev
      libqrencode-dev libidn2-dev libinih-dev libcmocka-dev
      tmux locales ncurses-term)
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
