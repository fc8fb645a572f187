#!/usr/bin/env bash
# Configures and builds into build/ (or $1), passing the rest to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -DBEHALF_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
