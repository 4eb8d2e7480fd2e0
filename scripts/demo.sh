#!/usr/bin/env bash
# The README demo: installs and builds, generates sample instrument folders under var/demo/,
# then runs checksum → copy-local → status end to end on embedded defaults (SQLite store,
# backup folder and samples all in var/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
mapfile -t samples < <(scripts/make_sample.sh var/demo/instruments)
thermo="$(basename "${samples[0]}")"
bruker="$(basename "${samples[1]}")"
sciex="$(basename "${samples[2]}")"

step() { printf '\n\033[1m$ rawbackup %s\033[0m\n' "$*"; build/rawbackup --config envs/demo.yaml --log-format text "$@"; }

step checksum --instrument astral1 "$thermo"
step checksum --instrument timstof1 "$bruker"
step checksum --instrument zenotof1 "$sciex"
echo; echo "# a re-run finds nothing changed and hashes nothing:"
step --json checksum --instrument astral1 "$thermo"
step copy-local --dry-run "$thermo"
step copy-local "$thermo"
step copy-local "$bruker"
step copy-local "$sciex"
echo; echo "# a re-run finds identical copies and skips them:"
step --json copy-local "$bruker"
step status
step status --history "$bruker"
echo; echo "demo done: store var/demo/rawbackup.sqlite, samples var/demo/instruments/, backup var/demo/backup/"
