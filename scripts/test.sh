#!/usr/bin/env bash
# Builds everything and runs every test: once in an optimised build, once under
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
echo "== release build (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure -j2 --timeout 900)

# The whole suite above runs on Debian's PostgreSQL 15; the fidelity programs (label pgmatrix:
# the round trip with its catalog census, the awkward restore, the schema dump) run again on
# each newer server that scripts/install-deps.sh installed into .deps/pgNN.
for v in 16 17 18; do
  echo "== release build on PostgreSQL $v (ctest -L pgmatrix, CRM_PG_VERSION=$v)"
  (cd build && CRM_PG_VERSION=$v ctest --output-on-failure -j2 --timeout 900 -L pgmatrix)
done

echo "== sanitizer build (build-asan/: ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCRM_SANITIZE=ON -DCRM_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j2 --timeout 900)

echo "== fuzz targets, briefly (build-fuzz/; make fuzz runs them longer)"
FUZZ_SECONDS=${FUZZ_SECONDS:-15} scripts/fuzz.sh

if [ -x bench/smoke.sh ]; then
  echo "== benchmark smoke run"
  bench/smoke.sh
fi
