#!/usr/bin/env bash
# Quick start 2: install what is missing, build, run the whole suite: once
# plain, once under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)
bash scripts/build.sh build
(cd build && ctest --output-on-failure -j"$jobs")
bash scripts/build.sh build-asan -DBEHALF_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
   UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")
# The fuzz targets, each a short bounded campaign (clang's libFuzzer).
CC=clang bash scripts/build.sh build-fuzz -DBEHALF_FUZZ=ON -DBEHALF_BENCH=OFF
(cd build-fuzz && ctest -L fuzz --output-on-failure -j"$jobs")
