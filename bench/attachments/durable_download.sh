#!/usr/bin/env bash
# Attachments download with durability against the curl baselines, side by side in one run
# (issue 16, item 15): the same bucket on the fixture Storage server, served twice:
#   fast          loopback, no cap (the network is not the limit)
#   server-bound  --max-bytes-per-second CAP over all connections (a real Storage server
#                 delivers 70-85 MB/s)
# Methods, each run in turn (the order rotates from run to run), `sync` untimed between them:
#   dump attachments        crmbackup-native: every file fdatasynced and every folder fsynced
#                           before it returns (writeback started as each file completes)
#   dump attachments (OLD)  only when OLD_CLI is set: another build, e.g. main's (one syncfs at the end)
#   curl --parallel 16      one curl, --parallel --parallel-max 16, no sync
#   xargs -P 8 curl         one curl per file, 8 at a time, no sync
# Prints medians (min-max) of RUNS runs and the two goals: no slower than curl --parallel 16 on
# the server-bound peer; at least 2x xargs -P 8 curl on the fast one.
# Usage: bench/attachments/durable_download.sh BUILD_DIR WORK_DIR [FILES] [TOTAL_MB] [RUNS] [CAP_MB_PER_S]
set -euo pipefail
BUILD=$(realpath "${1:?build dir}")
WORK=$(realpath -m "${2:?work dir}")
FILES=${3:-1000}
TOTAL_MB=${4:-1024}
RUNS=${5:-3}
CAP_MB=${6:-80}
SERVER=$BUILD/fixtures/crm-storage-server
CLI=$BUILD/crmbackup-native
OLD_CLI=${OLD_CLI:-}
KEY="durable-download-bench-key"
mkdir -p "$WORK"
ROOT=$WORK/server
RESULTS=$WORK/samples.txt
: >"$RESULTS"

rm -rf "$ROOT"
"$SERVER" generate --root "$ROOT" --bucket attachments --files "$FILES" --total-mb "$TOTAL_MB" --seed 42 >/dev/null
BYTES=$(find "$ROOT/attachments" -type f ! -name '*.meta.json' -printf '%s\n' | awk '{s+=$1} END {print s}')
find "$ROOT/attachments" -type f -exec cat {} + >/dev/null  # warm the page cache for every method alike

start_server() {  # extra args...; sets URL and SERVER_PID
  "$SERVER" --root "$ROOT" --service-key "$KEY" --threads 64 "$@" >"$WORK/server.out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(head -1 "$WORK/server.out" | sed 's/^listening on //')
}

measure() {  # case, method, command...: appends "case|method|wall|cpu" to RESULTS
  local case=$1 method=$2; shift 2
  local t=$WORK/time.txt
  sync
  if ! /usr/bin/time -f "%e %U %S" -o "$t" "$@" >/dev/null 2>"$WORK/err.txt"; then
    echo "$case / $method failed:" >&2
    tail -5 "$WORK/err.txt" >&2
    exit 1
  fi
  read -r wall user sys <"$t"
  echo "$case|$method|$wall|$(echo "$user + $sys" | bc)" >>"$RESULTS"
  printf '  %-14s %-26s %7.2f s\n' "$case" "$method" "$wall" >&2
}

# The URL lists, from the engine's own listing (percent-encoded as it does).
start_server
SUPABASE_STORAGE_URL=$URL SUPABASE_SERVICE_ROLE_KEY=$KEY "$CLI" dump attachments --output "$WORK/probe" --json \
  >"$WORK/objects.jsonl" 2>/dev/null
rm -rf "$WORK/probe"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true

run_case() {  # case, server args...
  local case=$1; shift
  start_server "$@"
  trap "kill $SERVER_PID 2>/dev/null || true" EXIT
  python3 - "$WORK/objects.jsonl" "$URL" "$WORK" <<'PY'
import json, sys, urllib.parse
objects, url, work = sys.argv[1], sys.argv[2], sys.argv[3]
with open(work + "/xargs-args.txt", "w") as xa, open(work + "/curl-parallel.cfg", "w") as cfg:
    for line in open(objects):
        o = json.loads(line)
        enc = "/".join(urllib.parse.quote(s, safe="") for s in o["path"].split("/"))
        u = url + "/object/authenticated/attachments/" + enc
        xa.write(f"-o\n{work}/out-xargs/{o['path']}\n{u}\n")
        q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
        cfg.write(f"url = {q(u)}\noutput = {q(work + '/out-parallel/' + o['path'])}\n")
PY
  local methods=(native parallel xargs)
  [ -n "$OLD_CLI" ] && methods+=(old)
  local n=${#methods[@]}
  for run in $(seq "$RUNS"); do
    for k in $(seq 0 $((n - 1))); do
      local m=${methods[$(((k + run) % n))]}
      rm -rf "$WORK/out-$m"
      case $m in
        native) SUPABASE_STORAGE_URL=$URL SUPABASE_SERVICE_ROLE_KEY=$KEY \
                  measure "$case" "dump attachments" "$CLI" dump attachments --output "$WORK/out-native" --transfers 16 ;;
        old) SUPABASE_STORAGE_URL=$URL SUPABASE_SERVICE_ROLE_KEY=$KEY \
               measure "$case" "dump attachments (OLD_CLI)" "$OLD_CLI" dump attachments --output "$WORK/out-old" --transfers 16 ;;
        parallel) measure "$case" "curl --parallel 16" curl --parallel --parallel-max 16 -sS --fail --create-dirs \
                    -H "Authorization: Bearer $KEY" -K "$WORK/curl-parallel.cfg" ;;
        xargs) measure "$case" "xargs -P 8 curl" xargs -d '\n' -P 8 -n 3 curl -sS --fail --create-dirs \
                 -H "Authorization: Bearer $KEY" <"$WORK/xargs-args.txt" ;;
      esac
      rm -rf "$WORK/out-$m"
    done
  done
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  trap - EXIT
}

echo "== $FILES files, $((BYTES / 1048576)) MiB; $RUNS runs; server-bound cap $CAP_MB MB/s" >&2
run_case fast
run_case server-bound --max-bytes-per-second $((CAP_MB * 1000000))

python3 - "$RESULTS" "$BYTES" "$FILES" "$CAP_MB" <<'PY'
import statistics, sys
rows = [l.strip().split("|") for l in open(sys.argv[1]) if l.strip()]
b, files, cap = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
walls, cpus = {}, {}
for case, method, wall, cpu in rows:
    walls.setdefault((case, method), []).append(float(wall))
    cpus.setdefault((case, method), []).append(float(cpu))
print(f"{files} files, {b / 2**20:.0f} MiB; medians (min-max) of {len(next(iter(walls.values())))} runs\n")
print("| peer | method | wall s | MiB/s | CPU s |")
print("|---|---|---:|---:|---:|")
med = {}
for (case, method), w in walls.items():
    m = statistics.median(w)
    med[(case, method)] = m
    print(f"| {case} | {method} | {m:.2f} ({min(w):.2f}-{max(w):.2f}) | {b / 2**20 / m:.1f} | {statistics.median(cpus[(case, method)]):.2f} |")
def ratio(case, base):
    return med[(case, base)] / med[(case, "dump attachments")]
r1 = ratio("server-bound", "curl --parallel 16")
r2 = ratio("fast", "xargs -P 8 curl")
print()
print(f"- server-bound ({cap} MB/s cap): curl --parallel 16 wall / dump attachments wall = {r1:.2f}x (goal >= 1.00x: {'met' if r1 >= 1 else 'MISSED'})")
print(f"- fast: xargs -P 8 curl wall / dump attachments wall = {r2:.2f}x (goal >= 2.00x: {'met' if r2 >= 2 else 'MISSED'})")
for case in ("fast", "server-bound"):
    if (case, "dump attachments (OLD_CLI)") in med:
        print(f"- {case}: OLD_CLI wall / dump attachments wall = {ratio(case, 'dump attachments (OLD_CLI)'):.2f}x")
PY
rm -rf "$ROOT"
