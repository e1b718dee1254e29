#!/usr/bin/env bash
# The end-to-end benchmark (`make bench SIZE=...`): builds the Release targets in build-bench/
# and runs crm-bench-e2e on a data set of about SIZE in total, then writes
# bench/results/<date>-<SIZE>.md and .json (paste the .md into bench/RESULTS.md).
#   SIZE  10G (issue 9's headline), 4G, 2G, 200M ...: table data max(SIZE/5, min(2 GB, SIZE/2)),
#         so 2 GB of table data from 4G up, the rest mixed-size attachments in ~3,000 files, plus
#         a many-small-files case of 20,000 x 10 KB (below 500M: 300 files and 2,000 small ones).
# Also runs the micro-benchmarks first (skip with --no-micro).
# Usage: bench/run.sh [--size SIZE] [--runs N] [--no-micro] [--small-files N (0: skip)] [extra crm-bench-e2e flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
size=1500M runs=3 micro=1 small_override=
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --size) size=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --no-micro) micro=0; shift ;;
    --small-files) small_override=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done
case $size in
  *G|*g) total_mb=$(( ${size%[Gg]} * 1024 )) ;;
  *M|*m) total_mb=${size%[Mm]} ;;
  *) echo "error: SIZE must look like 10G or 200M, got '$size'" >&2; exit 2 ;;
esac
half=$(( total_mb / 2 )); [ "$half" -gt 2048 ] && half=2048
data_mb=$(( total_mb / 5 )); [ "$data_mb" -lt "$half" ] && data_mb=$half
attachments_mb=$(( total_mb - data_mb ))
files=3000 small=20000
[ "$total_mb" -lt 500 ] && { files=300; small=2000; }
[ -n "$small_override" ] && small=$small_override

build=build-bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target crmbackup-native crm-storage-server crm-bench-e2e crm_micro_bench

mkdir -p bench/results
stamp=$(date -u +%Y%m%d-%H%M)
out=bench/results/$stamp-$size
if [ "$micro" = 1 ]; then
  echo "crm_micro_bench -> $out-micro.txt" >&2
  "$build/bench/crm_micro_bench" --benchmark_min_time=0.5 | tee "$out-micro.txt"
fi
echo "crm-bench-e2e: $data_mb MB data, $attachments_mb MB in $files attachments, $small small files, $runs runs" >&2
"$build/bench/crm-bench-e2e" --cli "$build/crmbackup-native" --label "SIZE=$size" \
  --data-mb "$data_mb" --attachments-mb "$attachments_mb" --files "$files" --small-files "$small" \
  --runs "$runs" --jobs 2 --markdown "$out.md" --json "$out.json" "${extra[@]}"
echo "wrote $out.md and $out.json" >&2
