#!/usr/bin/env bash
# Installs what rawbackup needs from Debian's packages (apt-get update once, and only when
# something is missing), then configures and builds into ${BUILD_DIR:-build}.
# Environment: WERROR=OFF lets warnings pass (default: errors, as in CI); BUILD_TYPE (default RelWithDebInfo).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config openssl ca-certificates
  libcurl4-openssl-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libsqlite3-dev
  libspdlog-dev libcli11-dev libpugixml-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

build_dir="${BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DRAWBACKUP_WERROR="${WERROR:-ON}" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
