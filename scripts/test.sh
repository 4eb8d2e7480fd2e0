#!/usr/bin/env bash
# The README test command: installs and builds (warnings as errors), then runs every test
# (unit tests and the binary's integration tests) through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
ctest --test-dir build --output-on-failure -j "$(nproc)" "$@"
