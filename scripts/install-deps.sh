#!/usr/bin/env bash
# Installs every Debian package the build, the tests, the benchmarks and the demo need.
# Safe to run again: it only calls apt-get when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpq-dev libcurl4-openssl-dev libsimdjson-dev libxxhash-dev libzstd-dev zstd
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev libcpp-httplib-dev libssl-dev
  postgresql-15 postgresql-client-15 postgresql-contrib curl util-linux procps ccache awscli
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

# The Debian package starts a cluster of its own on port 5432; the tests never use it, and
# it is not stopped here either, so a developer's running cluster is left alone.
echo "All build and test dependencies are installed."
