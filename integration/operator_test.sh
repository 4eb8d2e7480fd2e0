#!/usr/bin/env bash
# The command line as an operator meets it: --json gives one JSON object for every failure
# (argument errors too); permission and path problems are exit 2 (no retry helps); status
# works for a user who may only read the store; a path given for an id is recognised; the
# lock-wait line is a sentence; times in the table say they are UTC.
# Runs the unprivileged cases as "nobody" (setpriv) when run as root.
# Usage: operator_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
chmod 755 "$work"
cp "$rb" "$work/rawbackup"  # reachable by another user wherever the build is
rb="$work/rawbackup"
inst="$work/instruments/astral1"
mkdir -p "$inst"
head -c 300000 /dev/urandom >"$inst/a_PRID1.raw"
head -c 300000 /dev/urandom >"$inst/locked_PRID1.raw"
head -c $((300 * 1024 * 1024)) /dev/zero >"$inst/big_PRID1.raw"
cat >"$work/c.yaml" <<YAML
store: {path: store/store.sqlite}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {astral1: {type: thermo, path: instruments/astral1}}
locations: {backup: backup}
YAML
c=(--config "$work/c.yaml")
json_line() {  # json_line NAME: stdout is exactly one JSON object with the usage failure
  python3 - "$work/out" <<'PY' && pass "$1" || failure "$1" "$(head -c 300 "$work/out")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
r = json.loads(lines[0])
assert r["outcome"] == "failed" and r["kind"] == "usage" and r["exit_code"] == 2, r
PY
}

# --- --json and argument errors ---
expect_code "--json copy-local --frobnicate x" 2 "$rb" "${c[@]}" --json copy-local --frobnicate x
json_line "  one JSON object on stdout"
expect_match "  names the task" "$work/out" '"task":"copy-local"'
[ "$(wc -l <"$work/err")" -eq 1 ] && pass "  one stderr line" || failure "  stderr lines" "$(cat "$work/err")"
expect_code "--json frob (no such task)" 2 "$rb" "${c[@]}" --json frob
json_line "  one JSON object on stdout"
expect_match "  task null" "$work/out" '"task":null'
expect_code "--json --log-format xml status" 2 "$rb" "${c[@]}" --json --log-format xml status
json_line "  one JSON object on stdout"
expect_code "no --json: nothing on stdout" 2 "$rb" "${c[@]}" copy-local --frobnicate x
[ ! -s "$work/out" ] && pass "  stdout empty" || failure "  stdout" "$(cat "$work/out")"

# --- a path for an id ---
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 a_PRID1.raw
expect_code "copy-local instruments/astral1/a_PRID1.raw" 2 "$rb" "${c[@]}" copy-local instruments/astral1/a_PRID1.raw
expect_match "  says it looks like a path and shows the id" "$work/err" "looks like a path: tasks take the raw file's id, its name \(a_PRID1.raw\)"

# --- the lock-wait line ---
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 big_PRID1.raw
"$rb" "${c[@]}" copy-local big_PRID1.raw >/dev/null 2>&1 &
holder=$!
for _ in $(seq 100); do
  python3 -c "import sqlite3,sys; sys.exit(0 if sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM record_locks').fetchone()[0] else 1)" \
    "$work/store/store.sqlite" 2>/dev/null && break
  sleep 0.02
done
kill -STOP "$holder"  # holds the lock, however fast its copy would be
expect_code "a second run on a held id: busy after --lock-wait" 1 "$rb" "${c[@]}" --lock-wait 0.3 --log-format text copy-local big_PRID1.raw
kill -CONT "$holder"
expect_match "  a sentence: who holds it, how long we wait" "$work/err" 'big_PRID1.raw is held by copy-local on [^ ]+ pid [0-9]+ since 20[0-9T:.-]+Z; waiting up to 0.3 s for it to finish'
expect_match "  then busy" "$work/err" 'busy: big_PRID1.raw is held by copy-local'
wait "$holder"

# --- times in the table are marked UTC ---
expect_code "status table" 0 "$rb" "${c[@]}" status
expect_match "  header says UTC" "$work/out" 'CREATED \(UTC\)'
expect_match "  times end in Z" "$work/out" 'a_PRID1.raw .* 20[0-9-]+T[0-9:]{5}Z'

# --- permissions and paths: exit 2 ---
mkdir -p "$work/plain"
: >"$work/plain/backup"
sed "s|backup: backup|backup: plain/backup|" "$work/c.yaml" >"$work/file.yaml"
expect_code "backup root that is a file: exit 2" 2 "$rb" --config "$work/file.yaml" copy-local a_PRID1.raw
if [ "$(id -u)" -eq 0 ]; then
  as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
  mkdir -p "$work/nb/store" "$work/nb/inst"
  cp "$inst/a_PRID1.raw" "$work/nb/inst/"
  head -c 1000 /dev/urandom >"$work/nb/inst/secret_PRID1.raw"
  chmod 000 "$work/nb/inst/secret_PRID1.raw"
  mkdir -p "$work/nb/root-backup"
  chown -R nobody "$work/nb/store" "$work/nb/inst"
  cat >"$work/nb/c.yaml" <<YAML
store: {path: store/s.sqlite}
checksum: {settle_seconds: 0}
instruments: {astral1: {type: thermo, path: inst}}
locations: {backup: root-backup}
YAML
  as_nobody_code() { local name=$1 want=$2; shift 2; expect_code "$name" "$want" as_nobody "$rb" --config "$work/nb/c.yaml" "$@"; }
  as_nobody_code "unreadable raw file: exit 2" 2 checksum --instrument astral1 secret_PRID1.raw
  expect_match "  says permission denied" "$work/err" 'secret_PRID1.raw: Permission denied'
  as_nobody_code "checksum as nobody" 0 checksum --instrument astral1 a_PRID1.raw
  as_nobody_code "unwritable backup root: exit 2" 2 copy-local a_PRID1.raw
  expect_match "  says permission denied" "$work/err" 'root-backup.*Permission denied'

  # A store written by root, read by nobody: status opens it read-only.
  chmod 755 "$work/store"
  expect_code "status as a read-only user" 0 as_nobody "$rb" "${c[@]}" status
  expect_match "  the records" "$work/out" 'a_PRID1.raw'
  expect_code "status --summary as a read-only user" 0 as_nobody "$rb" "${c[@]}" --json status --summary
  expect_match "  counted" "$work/out" '"records":2'
  expect_code "status ID --history as a read-only user" 0 as_nobody "$rb" "${c[@]}" status --history a_PRID1.raw
  ! grep -q 'readonly database' "$work/err" && pass "  no write attempted" || failure "  tried to write"
  expect_code "a writing task as that user: exit 2" 2 as_nobody "$rb" "${c[@]}" copy-local a_PRID1.raw
else
  echo "skip unprivileged cases: not root"
fi
summary
