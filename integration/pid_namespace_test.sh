#!/usr/bin/env bash
# Containers that share a RAWBACKUP_HOST_ID, each in a pid namespace of its own (unshare --pid
# --fork, util-linux; the first as pid 4, the others as pid 1): exactly one holds a record's
# lease, the other waits, and takes over only after the first ends; a run in another
# namespace does not sweep the first's temporary file as a dead run's. The first run is held
# (only its copying thread; its heartbeat goes on) right after it created its temporary file
# (integration/kill_at.c, KILL_SIGNAL=HOLD). Needs root.
# Usage: pid_namespace_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
rb="$1"
cc -shared -fPIC -o "$work/kill_at.so" "$here/kill_at.c" -ldl || { echo "cannot build kill_at.so"; exit 1; }
mkdir -p "$work/instruments/astral1"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$work/instruments/astral1/n_PRID1_x.raw"
head -c 1000 /dev/urandom >"$work/instruments/astral1/n_PRID1_y.raw"
touch -r "$work/instruments/astral1/n_PRID1_x.raw" "$work/instruments/astral1/n_PRID1_y.raw"  # one month folder
write_config "$work/c.yaml" '{backup_type: local}' "store: {path: store.sqlite, lease_seconds: 5}"
c=(--config "$work/c.yaml")
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 n_PRID1_x.raw
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 n_PRID1_y.raw
# in_container ARGS...: rawbackup as pid 1 of a new pid namespace, with the shared host id
in_container() { RAWBACKUP_HOST_ID=shared unshare --pid --fork "$@"; }
in_container true || { failure "set-up: unshare --pid --fork" "needs root"; summary; exit 1; }

# The first runs as pid 4 of its namespace (two processes before it), so a run in another
# namespace, where pid 4 does not exist, would once have swept its temporary file as left
# by a dead run.
in_container env LD_PRELOAD="$work/kill_at.so" KILL_SIGNAL=HOLD KILL_AT=open:rawbackup-tmp \
  HOLD_MARK="$work/held" HOLD_UNTIL="$work/go" bash -c '/bin/true; /bin/true; "$@"; exit $?' - \
  "$rb" "${c[@]}" --json copy-local n_PRID1_x.raw >"$work/a.out" 2>"$work/a.err" &
a_pid=$!
wait_until 60 test -e "$work/held" && pass "the first container holds the lease, mid-copy" ||
  failure "the first container holds the lease, mid-copy" "$(tail -c 300 "$work/a.err")"
in_container "$rb" "${c[@]}" --json copy-local n_PRID1_x.raw >"$work/b.out" 2>"$work/b.err" &
b_pid=$!
wait_for "$work/b.err" 'n_PRID1_x.raw is held by copy-local on shared pid 4' 60 &&
  pass "the second container (same host id; no pid 4 in its namespace) waits for it" ||
  failure "the second container (same host id; no pid 4 in its namespace) waits for it" "$(tail -c 400 "$work/b.err")"
kill -0 "$b_pid" 2>/dev/null && pass "the second is still waiting" || failure "the second is still waiting" "$(cat "$work/b.out")"
# A third container copies another set into the same backup folder meanwhile: it sweeps the
# folder for temporary files of stopped runs, and must leave the first's alone.
in_container "$rb" "${c[@]}" copy-local n_PRID1_y.raw >"$work/c.out" 2>"$work/c.err" &&
  pass "a third container copies another set beside it" || failure "a third container copies another set beside it" "$(tail -c 300 "$work/c.err")"
[ "$(find "$work/backup" -name '*rawbackup-tmp*' | wc -l)" -eq 1 ] && pass "the first's temporary file is still there" ||
  failure "the first's temporary file is still there"
touch "$work/go"
wait "$a_pid"
a_code=$?
wait "$b_pid"
b_code=$?
[ "$a_code" -eq 0 ] && pass "the first finishes its copy" || failure "the first finishes its copy" "exit $a_code: $(tail -c 300 "$work/a.err")"
expect_match "the first copied" "$work/a.out" '"copied":1.*"outcome":"done"'
[ "$b_code" -eq 0 ] && pass "the second takes the lease once the first ended" || failure "the second takes the lease once the first ended" "exit $b_code"
expect_match "and finds the copy done" "$work/b.out" '"outcome":"skipped"'
cmp -s "$work/instruments/astral1/n_PRID1_x.raw" "$work/backup/astral1/$(date -u -r "$work/instruments/astral1/n_PRID1_x.raw" +%Y_%m)/n_PRID1_x.raw" &&
  pass "the backup is whole" || failure "the backup is whole"
summary
