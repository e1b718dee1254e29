#!/usr/bin/env bash
# Attachments download throughput against the fixture Storage server, in one run:
#   crmbackup-native dump attachments  vs  xargs -P 8 curl (one process per file)  vs  cp -r
# of the server's bucket folder (the old system's method).
# Usage: bench/attachments/throughput.sh BUILD_DIR WORK_DIR [mixed|small|both]
#   mixed: ~2 GB in 3,000 files of mixed sizes   small: 20,000 files of 10 KB
set -euo pipefail
BUILD=$(realpath "${1:?build dir}")
WORK=${2:?work dir}
WHICH=${3:-both}
SERVER=$BUILD/fixtures/crm-storage-server
CLI=$BUILD/crmbackup-native
KEY="eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.YmVuY2gta2V5"
mkdir -p "$WORK"

measure() {  # label, command...: prints seconds, CPU seconds, peak RSS MB
  local label=$1; shift
  local t=$WORK/time.txt
  /usr/bin/time -f "%e %U %S %M" -o "$t" "$@" >/dev/null 2>"$WORK/err.txt" || { echo "$label failed:"; tail -5 "$WORK/err.txt"; return 1; }
  read -r wall user sys rss <"$t"
  echo "$label $wall $(echo "$user + $sys" | bc) $((rss / 1024))"
}

run_case() {
  local name=$1; shift
  local root=$WORK/server-$name
  rm -rf "$root"
  "$SERVER" generate --root "$root" --bucket attachments --seed 42 "$@" >/dev/null
  local bytes files
  bytes=$(find "$root/attachments" -type f ! -name '*.meta.json' -printf '%s\n' | awk '{s+=$1} END {print s}')
  files=$(find "$root/attachments" -type f ! -name '*.meta.json' | wc -l)
  "$SERVER" --root "$root" --service-key "$KEY" --threads 64 >"$WORK/server.out" 2>&1 &
  local pid=$!
  trap "kill $pid 2>/dev/null || true" RETURN
  for _ in $(seq 50); do grep -q listening "$WORK/server.out" 2>/dev/null && break; sleep 0.1; done
  local url
  url=$(head -1 "$WORK/server.out" | sed 's/^listening on //')
  cat "$root"/attachments/*/* >/dev/null 2>&1 || true  # warm the page cache for every method alike
  find "$root/attachments" -type f -exec cat {} + >/dev/null

  # The URL list for curl, from the engine's own listing (percent-encoded as it does).
  rm -rf "$WORK/out-native"
  SUPABASE_STORAGE_URL=$url SUPABASE_SERVICE_ROLE_KEY=$KEY "$CLI" dump attachments --output "$WORK/list-probe" --json >"$WORK/objects.json" 2>/dev/null
  rm -rf "$WORK/list-probe"
  python3 - "$WORK/objects.json" "$url" "$WORK/out-curl" >"$WORK/curl-args.txt" <<'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1]):
    o = json.loads(line)
    enc = "/".join(urllib.parse.quote(s, safe="") for s in o["path"].split("/"))
    print("-o"); print(sys.argv[3] + "/" + o["path"]); print(sys.argv[2] + "/object/authenticated/attachments/" + enc)
PY
  echo "== $name: $files files, $((bytes / 1048576)) MB"
  echo "method seconds cpu_seconds peak_rss_mb"
  sync
  local native curl cp
  native=$(SUPABASE_STORAGE_URL=$url SUPABASE_SERVICE_ROLE_KEY=$KEY measure native "$CLI" dump attachments --output "$WORK/out-native" --transfers 16)
  echo "$native"
  rm -rf "$WORK/out-native"; sync
  curl=$(measure curl-xargs-P8 xargs -d '\n' -P 8 -n 3 curl -sS --fail --create-dirs -H "Authorization: Bearer $KEY" <"$WORK/curl-args.txt")
  echo "$curl"
  rm -rf "$WORK/out-curl"; sync
  cp=$(measure cp-r cp -r "$root/attachments" "$WORK/out-cp")
  echo "$cp"
  rm -rf "$WORK/out-cp"; sync
  python3 - "$bytes" "$files" "$native" "$curl" "$cp" <<'PY'
import sys
b, f = int(sys.argv[1]), int(sys.argv[2])
rows = [r.split() for r in sys.argv[3:]]
for label, wall, cpu, rss in rows:
    wall, cpu = float(wall), float(cpu)
    print(f"{label}: {b/1048576/wall:.1f} MB/s, {f/wall:.0f} files/s, {cpu/(b/2**30):.2f} CPU s/GB, peak RSS {rss} MB")
n, c, p = (float(r[1]) for r in rows)
print(f"native vs curl: {c/n:.2f}x faster; native vs cp -r: {p/n*100:.0f}% of cp's rate")
PY
  kill "$pid" 2>/dev/null || true
  rm -rf "$root"
}

case $WHICH in
  tiny) run_case tiny --files 300 --total-mb 50 ;;
  mixed) run_case mixed --files 3000 --total-mb 2048 ;;
  small) run_case small --files 20000 --file-size 10240 ;;
  both) run_case mixed --files 3000 --total-mb 2048; run_case small --files 20000 --file-size 10240 ;;
esac
