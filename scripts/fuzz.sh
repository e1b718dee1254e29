#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang, ASan+UBSan) in build-fuzz/ and runs each
# for FUZZ_SECONDS seconds (default 300; scripts/test.sh uses 15) on a copy of its seed corpus.
# Exits non-zero on the first crash, hang, leak or sanitizer report; the reproducer is kept in
# build-fuzz/artifacts/. Skips (exit 0, with a note) when clang or libFuzzer is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-300}
mkdir -p build-fuzz
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not found (apt-get install clang libclang-rt-14-dev); skipped"
  exit 0
fi
if ! cmake -S tests/fuzz -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ >build-fuzz/build.log 2>&1 ||
   ! cmake --build build-fuzz -j"${FUZZ_JOBS:-2}" >>build-fuzz/build.log 2>&1; then
  if grep -q "fuzzer" build-fuzz/build.log && ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
    echo "fuzz: libFuzzer runtime missing (apt-get install libclang-rt-14-dev); skipped"
    exit 0
  fi
  cat build-fuzz/build.log
  exit 1
fi
mkdir -p build-fuzz/artifacts
for t in sql_splitter copy_reader listing_v2 listing_v1 crypto_stream crypto_key_file; do
  work=build-fuzz/corpus/$t
  mkdir -p "$work"
  cp -n tests/fuzz/corpus/$t/* "$work"/ 2>/dev/null || true
  echo "== fuzz_$t for ${seconds}s"
  build-fuzz/fuzz_$t -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/artifacts/$t- "$work" 2>build-fuzz/fuzz_$t.log || {
    tail -40 build-fuzz/fuzz_$t.log
    echo "fuzz_$t FAILED; reproducer in build-fuzz/artifacts/"
    exit 1
  }
  grep -E "stat::number_of_executed_units|Done" build-fuzz/fuzz_$t.log | tr '\n' ' '
  echo
done
