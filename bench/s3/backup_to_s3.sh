#!/usr/bin/env bash
# Issue 17's off-site benchmark, in one run on one machine against one S3 server (s3rver):
#   direct: crmbackup-native backup --repo s3://bench/direct
#   rclone: crmbackup-native backup into a folder, then rclone copy --transfers 16 of that set
#   awscli: crmbackup-native backup into a folder, then aws s3 cp --recursive of that set
# Each method runs RUNS times, the order rotated per run; every S3 prefix and local folder is
# emptied between methods, so every backup is a full one (no blob or hard-link reuse).
# Prints each step's wall time and peak RSS, the medians and (local+rclone) / direct (goal >= 1.5x).
# Usage: bench/s3/backup_to_s3.sh BUILD_DIR WORK_DIR [DB_MB] [ATTACH_MB] [FILES] [RUNS]
#   BENCH_METHODS="direct" (any of direct rclone awscli) runs only those, e.g. for a big set's peak RSS.
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
  # rclone reads a remote named BENCHS3 from these, so no config file holds the secret.
  export RCLONE_CONFIG_BENCHS3_TYPE=s3 RCLONE_CONFIG_BENCHS3_PROVIDER=Other
  export RCLONE_CONFIG_BENCHS3_ENDPOINT=$S3_URL RCLONE_CONFIG_BENCHS3_FORCE_PATH_STYLE=true
  export RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID
  export RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY
  export RCLONE_CONFIG_BENCHS3_REGION=us-east-1 RCLONE_CONFIG=/dev/null
  results=$WORK/results.txt
  : >"$results"

  timed() {  # method, step, command...: appends "method run step wall_s peak_rss_kb" to results
    local method=$1 step=$2; shift 2
    local t=$WORK/time.txt log=$WORK/logs/$method-run$run-$step.log
    # Each output line gets its offset from the step's start, so the log shows where the time goes.
    local start=$EPOCHREALTIME server_cpu0
    server_cpu0=$(server_cpu)
    if ! /usr/bin/time -f '%e %M %U %S' -o "$t" "$@" 2>&1 </dev/null | stamp "$start" >"$log"; then
      echo "FAILED: $method run $run step $step (exit status in $t; log $log):" >&2
      tail -20 "$log" >&2
      cat "$t" >&2
      return 1
    fi
    local wall rss user sys server
    read -r wall rss user sys <"$t"
    server=$(bc <<<"$(server_cpu) - $server_cpu0")
    echo "$method $run $step $wall $rss $(bc <<<"$user + $sys") $server" >>"$results"
    printf '  %-7s %-7s %8.2f s  peak RSS %6d MiB  CPU %6.1f s  S3 server CPU %6.1f s\n' "$method" "$step" "$wall" $((rss / 1024)) "$(bc <<<"$user + $sys")" "$server" >&2
  }
  server_cpu() {  # CPU seconds the S3 server (s3rver, one node process) used so far
    local f
    read -r -a f <"/proc/$S3_SERVER_PID/stat"
    bc <<<"scale=2; (${f[13]} + ${f[14]}) / $(getconf CLK_TCK)"
  }
  stamp() {  # start: prefixes each line of stdin with the seconds since start
    local line
    while IFS= read -r line; do
      printf '[%7.1f] %s\n' "$(bc <<<"${EPOCHREALTIME} - $1")" "$line"
    done
  }
  empty_s3() {  # not timed: the next method starts from an empty bucket
    aws s3 rm --recursive --quiet --endpoint-url "$S3_URL" s3://bench/ >/dev/null
    local left
    left=$(aws s3 ls --recursive --endpoint-url "$S3_URL" s3://bench/ | wc -l)
    [ "$left" = 0 ] || { echo "error: $left objects left in s3://bench after emptying" >&2; return 1; }
  }
  s3_bytes() {  # prefix: total bytes and objects under it, as the S3 server lists them
    aws s3 ls --recursive --endpoint-url "$S3_URL" "s3://bench/$1/" | awk '{s+=$3; n++} END {printf "%.0f bytes in %d objects", s, n}'
  }
  local_backup() {  # method: a full backup into an empty folder; prints the set's folder
    rm -rf "$WORK/local"; mkdir -m 0700 "$WORK/local"
    BACKUP_DIR=$WORK/local timed "$1" backup "$CLI" backup --no-retention --no-progress
  }
  run_direct() {
    timed direct backup "$CLI" backup --repo s3://bench/direct --no-retention --no-progress
    echo "    direct wrote $(s3_bytes direct)" >&2
  }
  run_rclone() {
    local_backup rclone
    echo "    local set: $(find "$WORK/local" -type f -printf "%s\n" | awk "{s+=\$1; n++} END {printf \"%.0f bytes in %d files\", s, n}")" >&2
    # rclone's S3 backend refuses AWS_CA_BUNDLE with its own HTTP transport; the endpoint is plain http.
    timed rclone upload env -u AWS_CA_BUNDLE rclone copy --transfers 16 "$WORK/local" BENCHS3:bench/rclone
    echo "    rclone wrote $(s3_bytes rclone)" >&2
  }
  run_awscli() {
    local_backup awscli
    timed awscli upload aws s3 cp --recursive --quiet --endpoint-url "$S3_URL" "$WORK/local" s3://bench/awscli/
    echo "    aws s3 cp wrote $(s3_bytes awscli)" >&2
  }

  mkdir -p "$WORK/logs"
  read -r -a methods <<<"${BENCH_METHODS:-direct rclone awscli}"
  empty_s3
  for run in $(seq 1 "$RUNS"); do
    # Rotate the order so no method always runs first (cold caches) or last.
    shift_by=$(( (run - 1) % ${#methods[@]} ))
    order=("${methods[@]:$shift_by}" "${methods[@]:0:$shift_by}")
    echo "== run $run of $RUNS: ${order[*]} (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    for m in "${order[@]}"; do
      sync
      "run_$m"
      empty_s3
      rm -rf "$WORK/local"
    done
  done
  python3 - "$results" "$WORK/logs" <<'PY'
import glob, os, re, statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
runs = sorted({int(r[1]) for r in rows})
def total(method, run):
    return sum(float(r[3]) for r in rows if r[0] == method and int(r[1]) == run)
def step_median(method, step):
    v = [float(r[3]) for r in rows if r[0] == method and r[2] == step]
    return statistics.median(v) if v else 0.0
def cpu_median(method, step):
    v = [float(r[5]) for r in rows if r[0] == method and r[2] == step]
    return statistics.median(v) if v else 0.0
def rss_max(method, step):
    return max(int(r[4]) for r in rows if r[0] == method and r[2] == step) // 1024
print("\nmethod  runs(s)                      median(s)  backup(s)  upload(s)  CPU backup / upload (s)  peak RSS backup / upload (MiB)")
med = {}
ran = [m for m in ("direct", "rclone", "awscli") if any(r[0] == m for r in rows)]
for m in ran:
    t = [total(m, r) for r in runs]
    med[m] = statistics.median(t)
    up = f"{step_median(m, 'upload'):9.1f}" if m != "direct" else "        -"
    rss = f"{rss_max(m, 'backup')}" + (f" / {rss_max(m, 'upload')}" if m != "direct" else "")
    cpu = f"{cpu_median(m, 'backup'):.1f}" + (f" / {cpu_median(m, 'upload'):.1f}" if m != "direct" else "")
    print(f"{m:7s} {' '.join(f'{x:7.1f}' for x in t):28s} {med[m]:9.1f}  {step_median(m, 'backup'):9.1f} {up}  {cpu:23s}  {rss}")
if "rclone" in med and "direct" in med:
    r = med["rclone"] / med["direct"]
    print(f"\n(local + rclone) / direct = {r:.2f}x  (goal >= 1.5x: {'met' if r >= 1.5 else 'NOT met'})")
if "awscli" in med and "direct" in med:
    print(f"(local + aws s3 cp) / direct = {med['awscli'] / med['direct']:.2f}x")
if "direct" not in med:
    sys.exit(0)
print(f"peak RSS of backup --repo s3:// (largest of {len(runs)} runs): {rss_max('direct', 'backup')} MiB")
# Where the direct backup's time goes: its log's offset of the upload step's first line.
dumps = []
for log in sorted(glob.glob(os.path.join(sys.argv[2], "direct-run*-backup.log"))):
    for line in open(log):
        m = re.match(r"\[\s*([0-9.]+)\] Uploading the backup to", line)
        if m:
            dumps.append(float(m.group(1)))
if dumps:
    d = statistics.median(dumps)
    print(f"direct, median: {d:.1f} s dumping into its local temporary folder, {med['direct'] - d:.1f} s uploading")
PY
  exit 0
fi

BUILD=$(realpath "${1:?usage: backup_to_s3.sh BUILD_DIR WORK_DIR [DB_MB] [ATTACH_MB] [FILES] [RUNS]}")
WORK=${2:?work dir}
DB_MB=${3:-200} ATTACH_MB=${4:-1024} FILES=${5:-2000} RUNS=${6:-3}
[ -x "$BUILD/fixtures/crm-storage-server" ] && [ -x "$BUILD/fixtures/crm-sandbox" ] && [ -x "$BUILD/crmbackup-native" ] || { echo "error: build crmbackup-native crm-sandbox crm-storage-server in $BUILD first" >&2; exit 1; }
for tool in rclone aws node; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed (scripts/install-deps.sh)" >&2; exit 1; }
done
S3RVER=$SRC/.deps/node/node_modules/s3rver
[ -d "$S3RVER" ] || { echo "error: $S3RVER is missing: run scripts/install-deps.sh (or link .deps)" >&2; exit 1; }
mkdir -p "$WORK"; WORK=$(realpath "$WORK")
rm -rf "$WORK/s3rver" "$WORK/local" "$WORK/logs"; mkdir -m 0700 -p "$WORK/s3rver"

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
export S3_SERVER_PID=$s3_pid

echo "backup_to_s3: $DB_MB MB table data, $ATTACH_MB MB in $FILES attachments, $RUNS runs; S3 (s3rver) at $S3_URL" >&2
echo "commit $(git -C "$SRC" rev-parse --short HEAD), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "rclone $(rclone version | head -1 | awk '{print $2}'), $(aws --version 2>&1 | cut -d' ' -f1), node $(node --version)" >&2
"$BUILD/fixtures/crm-sandbox" --scale-mb "$DB_MB" --attachments-mb "$ATTACH_MB" --files "$FILES" -- \
  "$SCRIPT" --inside-sandbox "$BUILD" "$WORK" "$RUNS"
