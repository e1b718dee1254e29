#!/usr/bin/env bash
# Installs every Debian package the build, the tests, the benchmarks and the demo need.
# Safe to run again: it only calls apt-get when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libpq-dev libcurl4-openssl-dev libsimdjson-dev libxxhash-dev libzstd-dev zstd
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libfmt-dev libcpp-httplib-dev libssl-dev
  postgresql-15 postgresql-client-15 postgresql-contrib curl util-linux procps ccache
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

# The Debian package starts a cluster of its own on port 5432; the tests never use it, and
# it is not stopped here either, so a developer's running cluster is left alone.
echo "All build and test dependencies are installed."
