#!/usr/bin/env bash
# Installs what rawbackup needs from Debian's packages (apt-get update once, and only when
# something is missing) and the test S3 server from npm (integration/package-lock.json), then
# configures and builds into ${BUILD_DIR:-build}: the executable only (what the demo runs), or,
# with --test-servers, every target (the tests too).
# --test-servers also installs Ceph (mon, OSD, RADOS Gateway), PostgreSQL 15 (the shared record
# store's tests), snakemake (the workflow example's test), lintian and man-db (the package's
# test), awscli and python3-boto3 (objects uploaded by other tools), chromium (serve's pages in
# a real browser), promtool (unpacked from Debian's prometheus package) and AWS's SigV4 test
# suite (npm).
# Environment: WERROR=OFF lets warnings pass (default: errors, as in CI); BUILD_TYPE (default RelWithDebInfo).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config openssl ca-certificates
  libcurl4-openssl-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev libsqlite3-dev libpq-dev
  libspdlog-dev libcli11-dev libpugixml-dev libcpp-httplib-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  curl python3
)
test_servers=0
[ "${1:-}" = "--test-servers" ] && test_servers=1
# slurm-wlm and munge: the workflow on a one-node SLURM cluster (integration/slurm/).
# file: CPack reads the linked libraries with it; lintian and man-db check the package.
((test_servers)) && packages+=(ceph-mon ceph-osd radosgw ceph-common snakemake postgresql-15 file lintian man-db awscli python3-boto3
  bindfs bash-completion chromium slurm-wlm munge)

missing=()
command -v npm >/dev/null || missing+=(npm)
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

# npm_ci DIR: the packages of DIR's lockfile, unless already there.
npm_ci() {
  [ -d "$1/node_modules" ] && [ "$1/node_modules/.package-lock.json" -nt "$1/package-lock.json" ] && return 0
  (cd "$1" && npm ci --no-audit --no-fund --loglevel=error >&2)
}
npm_ci integration
((test_servers)) && npm_ci tests/storage/s3

build_dir="${BUILD_DIR:-build}"
# promtool checks `status --metrics` in the tests: from Debian's prometheus package, unpacked
# into the build folder, not installed (no daemon, no service user).
if ((test_servers)) && [ ! -x "$build_dir/tools/promtool" ]; then
  unpack="$(mktemp -d)"
  (cd "$unpack" && { apt-get download prometheus 2>/dev/null || { apt-get update -qq && apt-get download prometheus; }; } >&2 &&
    dpkg-deb -x prometheus_*.deb root)
  mkdir -p "$build_dir/tools" && cp "$unpack/root/usr/bin/promtool" "$build_dir/tools/"
  rm -rf "$unpack"
fi
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" \
  -DRAWBACKUP_WERROR="${WERROR:-ON}" >/dev/null
targets=(--target rawbackup)
((test_servers)) && targets=()
cmake --build "$build_dir" -j "$(nproc)" "${targets[@]}"
