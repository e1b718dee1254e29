#!/usr/bin/env bash
# Issue 18's cost benchmark, side by side in one run on one machine: the same full backup
# (database + attachments) into a folder, plain and with --encrypt. Each run does both, the
# order alternating; every set is removed before the next backup, so each one is full (no
# hard-link reuse). The encrypted folder keeps its key file between runs, as a repository does
# (every encrypted backup still unwraps it with the default Argon2id cost: 3 passes, 64 MiB).
# Prints each backup's wall time, CPU and peak RSS, the medians and encrypted / plain (goal < 1.10).
# Usage: bench/crypto/encrypted_backup.sh BUILD_DIR WORK_DIR [DB_MB] [ATTACH_MB] [FILES] [RUNS]
# BENCH_STORAGE_RATE=BYTES_PER_SECOND caps the fixture Storage server (default: no cap, so the
# server shares the client's cores on loopback; a real Storage server sends 70-85 MB/s).
set -euo pipefail
SCRIPT=$(realpath "$0")
SRC=$(cd "$(dirname "$SCRIPT")/../.." && pwd)

if [ "${1:-}" = "--inside-sandbox" ]; then
  # Second stage: runs under crm-sandbox, which set SUPABASE_DB_URL / _STORAGE_URL / _SERVICE_ROLE_KEY.
  shift
  BUILD=$1 WORK=$2 RUNS=$3
  CLI=$BUILD/crmbackup-native
  results=$WORK/results.txt
  : >"$results"
  install -m 600 /dev/null "$WORK/passphrase"
  head -c 24 /dev/urandom | base64 >"$WORK/passphrase"
  export CRMBACKUP_PASSPHRASE_FILE=$WORK/passphrase
  unset CRMBACKUP_INSECURE_KDF_FOR_TESTS
  mkdir -m 0700 -p "$WORK/plain" "$WORK/encrypted" "$WORK/logs"

  timed() {  # method, command...: appends "method run wall_s peak_rss_kb cpu_s" to results
    local method=$1; shift
    local t=$WORK/time.txt log=$WORK/logs/$method-run$run.log
    if ! /usr/bin/time -f '%e %M %U %S' -o "$t" "$@" >"$log" 2>&1 </dev/null; then
      echo "FAILED: $method run $run (log $log):" >&2
      tail -20 "$log" >&2
      return 1
    fi
    local wall rss user sys
    read -r wall rss user sys <"$t"
    echo "$method $run $wall $rss $(bc <<<"$user + $sys")" >>"$results"
    printf '  %-9s %8.2f s  peak RSS %6d MiB  CPU %6.1f s\n' "$method" "$wall" $((rss / 1024)) "$(bc <<<"$user + $sys")" >&2
  }
  run_plain() {
    timed plain "$CLI" backup --backup-dir "$WORK/plain" --no-retention --no-progress
    echo "    plain set: $(du -sb "$WORK/plain" | cut -f1) bytes" >&2
    find "$WORK/plain" -mindepth 1 -delete
  }
  run_encrypted() {
    timed encrypted "$CLI" backup --backup-dir "$WORK/encrypted" --encrypt --no-retention --no-progress
    echo "    encrypted set: $(du -sb "$WORK/encrypted" | cut -f1) bytes" >&2
    find "$WORK/encrypted" -mindepth 1 ! -name crmbackup-key.json -delete
  }

  for run in $(seq 1 "$RUNS"); do
    order=(plain encrypted)
    [ $((run % 2)) = 0 ] && order=(encrypted plain)
    echo "== run $run of $RUNS: ${order[*]} (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    for m in "${order[@]}"; do
      sync
      "run_$m"
    done
  done
  python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
med = {}
print("\nmethod     runs (s)                        median (s)  median CPU (s)  peak RSS (MiB)")
for m in ("plain", "encrypted"):
    t = [float(r[2]) for r in rows if r[0] == m]
    cpu = [float(r[4]) for r in rows if r[0] == m]
    rss = max(int(r[3]) for r in rows if r[0] == m) // 1024
    med[m] = statistics.median(t)
    print(f"{m:10s} {' '.join(f'{x:7.1f}' for x in t):31s} {med[m]:10.1f}  {statistics.median(cpu):14.1f}  {rss:14d}")
r = med["encrypted"] / med["plain"]
print(f"\nencrypted / plain = {r:.3f}  (+{(r - 1) * 100:.1f} %; goal < 10 %: {'met' if r < 1.10 else 'NOT met'})")
PY
  exit 0
fi

BUILD=$(realpath "${1:?usage: encrypted_backup.sh BUILD_DIR WORK_DIR [DB_MB] [ATTACH_MB] [FILES] [RUNS]}")
WORK=${2:?work dir}
DB_MB=${3:-1024} ATTACH_MB=${4:-2048} FILES=${5:-2000} RUNS=${6:-3}
[ -x "$BUILD/fixtures/crm-storage-server" ] && [ -x "$BUILD/fixtures/crm-sandbox" ] && [ -x "$BUILD/crmbackup-native" ] || { echo "error: build crmbackup-native crm-sandbox crm-storage-server in $BUILD first" >&2; exit 1; }
mkdir -p "$WORK"; WORK=$(realpath "$WORK")
rm -rf "$WORK/plain" "$WORK/encrypted" "$WORK/logs"
echo "encrypted_backup: $DB_MB MB table data, $ATTACH_MB MB in $FILES attachments, $RUNS runs" >&2
echo "commit $(git -C "$SRC" rev-parse --short HEAD), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "storage server cap: ${BENCH_STORAGE_RATE:-0} bytes/s (0: none)" >&2
"$BUILD/fixtures/crm-sandbox" --scale-mb "$DB_MB" --attachments-mb "$ATTACH_MB" --files "$FILES" \
  --storage-max-bytes-per-second "${BENCH_STORAGE_RATE:-0}" -- \
  "$SCRIPT" --inside-sandbox "$BUILD" "$WORK" "$RUNS"
