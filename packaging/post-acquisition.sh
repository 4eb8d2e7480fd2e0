#!/bin/sh
# Post-acquisition hook for an acquisition PC (or the host that mounts its share): run by the
# instrument software's post-run hook or a folder watcher after each acquisition.
#   post-acquisition.sh RAW_FILE_NAME INSTRUMENT_ID
# checksum is retried while it answers 1 (the acquisition has not settled yet, or the record
# is busy), at most RAWBACKUP_HOOK_TRIES times (default 90) every RAWBACKUP_HOOK_WAIT seconds
# (default 120: 3 hours in all); then copy-local. Every other exit code is passed on at once —
# 2 (config or name), 3 (a conflict), 4 (a backup found wrong) need a person, and retrying
# them changes nothing — and so is the last 1 when the bound is reached.
# Environment: RAWBACKUP_CONFIG (default /etc/rawbackup/config.yaml), RAWBACKUP_HOST_ID (a
# stable name for this host), RAWBACKUP (the binary, default rawbackup on PATH).
[ $# -eq 2 ] || { echo "usage: $0 RAW_FILE_NAME INSTRUMENT_ID" >&2; exit 2; }
export RAWBACKUP_CONFIG="${RAWBACKUP_CONFIG:-/etc/rawbackup/config.yaml}"
rawbackup="${RAWBACKUP:-rawbackup}"
tries=0
while :; do
  "$rawbackup" checksum --instrument "$2" "$1"
  code=$?
  [ "$code" -eq 1 ] || break
  tries=$((tries + 1))
  if [ "$tries" -ge "${RAWBACKUP_HOOK_TRIES:-90}" ]; then
    echo "post-acquisition: $1 still not ready after $tries tries; giving up (exit 1)" >&2
    break
  fi
  sleep "${RAWBACKUP_HOOK_WAIT:-120}"
done
[ "$code" -eq 0 ] || exit "$code"
exec "$rawbackup" copy-local "$1"
