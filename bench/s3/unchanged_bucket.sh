#!/usr/bin/env bash
# Issue 17's goal "a second backup of an unchanged 3,000-object bucket adds < 1 % of the first
# backup's bytes to the repository and takes < 5 % of its time", in one run against one S3
# server (s3rver):
#   first:  crmbackup-native backup --repo s3://bench/unchanged   (every blob uploaded)
#   second: the same command again, RUNS times, nothing changed in the bucket or the database
# Reports the repository's bytes after each backup (as the S3 server lists them), the bytes each
# second backup added, wall times, the ratios against the first backup, and where the second
# backup's time goes (its log lines carry their offsets). With BENCH_STRACE=1 one extra second
# backup runs under `strace -c -f` and its syscall summary is printed.
# Usage: bench/s3/unchanged_bucket.sh BUILD_DIR WORK_DIR [DB_MB] [ATTACH_MB] [FILES] [RUNS]
set -euo pipefail
SCRIPT=$(realpath "$0")
SRC=$(cd "$(dirname "$SCRIPT")/../.." && pwd)

if [ "${1:-}" = "--inside-sandbox" ]; then
  # Second stage: runs under crm-sandbox, which set SUPABASE_DB_URL / _STORAGE_URL / _SERVICE_ROLE_KEY.
  shift
  BUILD=$1 WORK=$2 RUNS=$3
  CLI=$BUILD/crmbackup-native
  : "${S3_URL:?}" "${AWS_ACCESS_KEY_ID:?}" "${AWS_SECRET_ACCESS_KEY:?}"
  export AWS_ENDPOINT_URL=$S3_URL AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
  REPO=s3://bench/unchanged/
  results=$WORK/results.txt
  : >"$results"
  mkdir -p "$WORK/logs"

  stamp() {  # start: prefixes each line of stdin with the seconds since start
    local line
    while IFS= read -r line; do
      printf '[%7.2f] %s\n' "$(bc <<<"${EPOCHREALTIME} - $1")" "$line"
    done
  }
  repo_bytes() {  # total bytes and objects in the repository, as the S3 server lists them
    aws s3 ls --recursive --endpoint-url "$S3_URL" "$REPO" | awk '{s+=$3; n++} END {printf "%.0f %d\n", s, n}'
  }
  backup() {  # name: one timed backup; appends "name wall_s rss_kb bytes_after objects_after"
    local name=$1 t=$WORK/time-$1.txt log=$WORK/logs/$1.log start=$EPOCHREALTIME
    if ! /usr/bin/time -f '%e %M' -o "$t" "$CLI" backup --repo "$REPO" --no-retention --no-progress 2>&1 </dev/null |
        stamp "$start" >"$log"; then
      echo "FAILED: $name (log $log)" >&2
      tail -20 "$log" >&2
      return 1
    fi
    local wall rss bytes objects
    read -r wall rss <"$t"
    read -r bytes objects < <(repo_bytes)
    echo "$name $wall $rss $bytes $objects" >>"$results"
    printf '  %-8s %8.2f s  peak RSS %5d MiB  repository: %s bytes in %s objects\n' "$name" "$wall" $((rss / 1024)) "$bytes" "$objects" >&2
  }

  echo "== load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  sync
  backup first
  for run in $(seq 1 "$RUNS"); do
    sync
    backup "second$run"
  done
  if [ "${BENCH_STRACE:-0}" = 1 ]; then
    # Where an unchanged backup's system time goes; its set is left in the repository and not
    # counted in the results above.
    strace -c -f -o "$WORK/strace.txt" "$CLI" backup --repo "$REPO" --no-retention --no-progress \
      >"$WORK/logs/strace-run.log" 2>&1 </dev/null || true
  fi
  python3 - "$results" "$WORK/logs" <<'PY'
import os, re, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
first = rows[0]
first_wall, first_bytes = float(first[1]), int(first[3])
print(f"\nfirst backup: {first_wall:.2f} s, repository {first_bytes} bytes in {first[4]} objects")
prev = first_bytes
ratios_t, ratios_b = [], []
for r in rows[1:]:
    wall, after = float(r[1]), int(r[3])
    added = after - prev
    prev = after
    ratios_t.append(wall / first_wall)
    ratios_b.append(added / first_bytes)
    print(f"{r[0]:8s}: {wall:6.2f} s ({100 * wall / first_wall:5.2f} % of the first), added {added} bytes "
          f"({100 * added / first_bytes:.3f} % of the first backup's bytes), peak RSS {int(r[2]) // 1024} MiB")
t, b = statistics.median(ratios_t), statistics.median(ratios_b)
print(f"\nmedian second backup: {100 * t:.2f} % of the first's time (goal < 5 %: {'met' if t < 0.05 else 'NOT met'}), "
      f"adds {100 * b:.3f} % of its bytes (goal < 1 %: {'met' if b < 0.01 else 'NOT met'})")
# Where the time goes: the offsets of the steps in the last second backup's log.
log = os.path.join(sys.argv[2], rows[-1][0] + ".log")
marks = [("Dumping database roles", "connect, reserve the set"), ("Dumping database data", "roles and schema"),
         ("Backing up attachments", "data and migrations"), ("Uploading the backup", "list the bucket, match the previous set"),
         ("Backup completed", "upload SQL files and manifest")]
offsets = {}
for line in open(log):
    m = re.match(r"\[\s*([0-9.]+)\] (.*)", line)
    if not m:
        continue
    for mark, _ in marks:
        if mark in m.group(2) and mark not in offsets:
            offsets[mark] = float(m.group(1))
print(f"\nwhere {rows[-1][0]}'s {float(rows[-1][1]):.2f} s go (offsets in its log):")
prev = 0.0
for mark, what in marks:
    if mark in offsets:
        print(f"  {offsets[mark] - prev:6.2f} s  {what}")
        prev = offsets[mark]
print(f"  {float(rows[-1][1]) - prev:6.2f} s  report, retention, exit")
PY
  if [ -f "$WORK/strace.txt" ]; then
    echo; echo "strace -c -f of one more unchanged backup (top 12 by time):"
    sed -n '1,2p;3,14p' "$WORK/strace.txt"
  fi
  exit 0
fi

BUILD=$(realpath "${1:?usage: unchanged_bucket.sh BUILD_DIR WORK_DIR [DB_MB] [ATTACH_MB] [FILES] [RUNS]}")
WORK=${2:?work dir}
DB_MB=${3:-10} ATTACH_MB=${4:-1024} FILES=${5:-3000} RUNS=${6:-3}
[ -x "$BUILD/fixtures/crm-storage-server" ] && [ -x "$BUILD/fixtures/crm-sandbox" ] && [ -x "$BUILD/crmbackup-native" ] || { echo "error: build crmbackup-native crm-sandbox crm-storage-server in $BUILD first" >&2; exit 1; }
for tool in aws node bc; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
S3RVER=$SRC/.deps/node/node_modules/s3rver
[ -d "$S3RVER" ] || { echo "error: $S3RVER is missing: run scripts/install-deps.sh (or link .deps)" >&2; exit 1; }
mkdir -p "$WORK"; WORK=$(realpath "$WORK")
rm -rf "$WORK/s3rver" "$WORK/logs"; mkdir -m 0700 -p "$WORK/s3rver"

# Throwaway credentials, passed through the environment only (never argv, which ps shows).
export AWS_ACCESS_KEY_ID=bench$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
export AWS_SECRET_ACCESS_KEY=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
S3RVER_MODULE=$S3RVER S3RVER_DIRECTORY=$WORK/s3rver S3RVER_BUCKET=bench \
  S3RVER_ACCESS_KEY=$AWS_ACCESS_KEY_ID S3RVER_SECRET_KEY=$AWS_SECRET_ACCESS_KEY \
  node --openssl-legacy-provider "$SRC/fixtures/sandbox/s3_server_launch.js" >"$WORK/s3rver.out" 2>&1 &
s3_pid=$!
trap 'kill $s3_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^listening on' "$WORK/s3rver.out" 2>/dev/null && break; sleep 0.1; done
grep -q '^listening on' "$WORK/s3rver.out" || { echo "error: s3rver did not start:" >&2; cat "$WORK/s3rver.out" >&2; exit 1; }
export S3_URL=$(sed -n 's/^listening on //p' "$WORK/s3rver.out")

echo "unchanged_bucket: $DB_MB MB table data, $ATTACH_MB MB in $FILES attachments, 1 first + $RUNS second backups; S3 (s3rver) at $S3_URL" >&2
echo "commit $(git -C "$SRC" rev-parse --short HEAD), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$BUILD/fixtures/crm-sandbox" --scale-mb "$DB_MB" --attachments-mb "$ATTACH_MB" --files "$FILES" -- \
  "$SCRIPT" --inside-sandbox "$BUILD" "$WORK" "$RUNS"
