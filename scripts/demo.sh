#!/usr/bin/env bash
# Quick start 1: install what is missing, build, start the offline demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build
exec ./build/behalf --demo --state-dir "${BEHALF_DEMO_STATE:-${TMPDIR:-/tmp}/behalf-demo}" "$@"
