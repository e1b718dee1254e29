#!/usr/bin/env bash
# The README's main job on the embedded default: installs what is missing, builds, starts a
# throw-away PostgreSQL 15 seeded with Supabase-platform and Atomic-CRM data plus a Storage
# test server with a seeded `attachments` bucket, runs a real backup into ./demo-backups,
# lists the backups, verifies the new one, then removes the throw-away services.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

echo "== building (build/)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target crmbackup-native crm-sandbox crm-storage-server >/dev/null

export BACKUP_DIR="${BACKUP_DIR:-$PWD/demo-backups}"
SCALE_MB="${SCALE_MB:-20}"
FILES="${FILES:-300}"
ATTACHMENTS_MB="${ATTACHMENTS_MB:-50}"
echo "== demo: backups go to $BACKUP_DIR"
build/fixtures/crm-sandbox --scale-mb "$SCALE_MB" --files "$FILES" --attachments-mb "$ATTACHMENTS_MB" -- \
  bash -c '
    set -e
    build/crmbackup-native backup
    echo
    build/crmbackup-native list
    echo
    prefix=$(build/crmbackup-native list --json | sed -n "s/.*\"prefix\": \"\([^\"]*\)\".*/\1/p" | head -1)
    build/crmbackup-native verify "$prefix"
  '
