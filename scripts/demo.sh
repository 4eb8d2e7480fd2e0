#!/usr/bin/env bash
# The README demo: installs and builds, generates sample instrument folders under var/demo/,
# starts a loopback S3 server (s3rver, npm) with the demo's buckets, then runs
# checksum → copy-local → upload-s3 → verify → doctor → restore → purge → status end to end on embedded defaults (SQLite store,
# backup folder, samples and S3 data all in var/demo/). The S3 server is stopped at the end.
# Environment (for tests): DEMO_ROOT (instead of var/demo), RAWBACKUP (a built binary: no
# set-up), RAWBACKUP_LOG_LEVEL, RAWBACKUP_LOG_FORMAT (default text).
set -euo pipefail
cd "$(dirname "$0")/.."
# Its own build, quick to compile (CMake build type Demo: -O1, no debug information); the
# package and the tests build RelWithDebInfo into build/.
rb="${RAWBACKUP:-build-demo/rawbackup}"
[ -n "${RAWBACKUP:-}" ] || BUILD_DIR=build-demo BUILD_TYPE=Demo scripts/setup.sh >/dev/null
root="${DEMO_ROOT:-var/demo}"
config=envs/demo.yaml
if [ "$root" != var/demo ]; then
  mkdir -p "$root"
  root="$(cd "$root" && pwd)"
  sed "s|\.\./var/demo|$root|g" envs/demo.yaml >"$root/demo.yaml"
  config="$root/demo.yaml"
fi
mapfile -t samples < <(scripts/make_sample.sh "$root/instruments")
thermo="$(basename "${samples[0]}")"
bruker="$(basename "${samples[1]}")"
sciex="$(basename "${samples[2]}")"

integration/s3/s3rver.sh start "$root/s3" rawbackup-demo-prid001 rawbackup-demo-prid002 rawbackup-demo-prid003
trap 'integration/s3/s3rver.sh stop "$root/s3"' EXIT
source "$root/s3/env"  # a fresh key pair for this server, never written to the config
export AWS_ENDPOINT_URL="$S3_ENDPOINT"
echo "loopback S3 (s3rver) at $AWS_ENDPOINT_URL"

step() { printf '\n\033[1m$ rawbackup %s\033[0m\n' "$*"; "$rb" --config "$config" --log-format "${RAWBACKUP_LOG_FORMAT:-text}" "$@"; }

step checksum --instrument astral1 "$thermo"
echo; echo "# an acquisition still being written is refused until none of its files changed for"
echo "# checksum.settle_seconds (120 s): exit 1, a DAG's retry picks it up later"
running="${thermo%_HeLa_01.raw}_HeLa_02.raw"
head -c $((1024 * 1024)) /dev/urandom >"$root/instruments/astral1/$running"
step checksum --instrument astral1 "$running" || echo "(exit $?)"
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
step upload-s3 --dry-run "$thermo"
step upload-s3 "$thermo"
step upload-s3 "$bruker"
step upload-s3 "$sciex"
echo; echo "# a re-run finds every object with the recorded ETag (HEAD requests only):"
step --json upload-s3 "$thermo"
step verify "$thermo" "$bruker" "$sciex"
step verify --s3 --deep "$thermo"
echo; echo "# the set-up checked in one run: config, store, folders, credentials, endpoint, clock, buckets"
step doctor --write-probe
rm -rf "$root/restore"
step restore --to "$root/restore" "$bruker"
echo; echo "# purge deletes an instrument copy only when every rule holds; the samples are minutes old,"
echo "# so they are kept (purge.min_age_days: 14); the dry run still makes every check:"
step purge "$sciex"
step purge --dry-run --min-age 0 "$bruker"
echo; echo "# every record, then one line to re-run whatever failed since Monday:"
step status
step status --summary
echo; echo "# the same for Prometheus (node_exporter's textfile collector):"
step status --metrics
step --json upload-s3 --all-status failed --since monday
step status --history "$bruker"
echo; echo "demo done: store $root/rawbackup.sqlite, samples $root/instruments/, backup $root/backup/, S3 data $root/s3/, restored $root/restore/"
