#!/usr/bin/env bash
# Monitoring: `status --metrics` on a store with records in every state (backed up, not yet,
# failed, verified) is valid per promtool (Debian's prometheus package) and says what the
# store says: records per instrument × status × backup_status, bytes, the oldest record not
# backed up (its acquisition two hours ago), the last verify, failures in 24 h; every
# configured instrument has its series. --metrics-file writes a run's metrics atomically (no
# temporary left beside it), also for a failed run, and a later run replaces them.
# Usage: metrics_test.sh PATH/TO/rawbackup PATH/TO/promtool
source "$(dirname "$0")/lib.sh"
rb="$1" promtool="$2"
[ -x "$promtool" ] || { failure "promtool at $promtool (scripts/setup.sh --test-servers)"; summary; exit 1; }

mkdir -p "$work/instruments/astral1" "$work/backup" "$work/textfile"
for n in 1 2 3; do head -c 300000 /dev/urandom >"$work/instruments/astral1/r${n}_PRID1_x.raw"; done
touch -d '2 hours ago' "$work/instruments/astral1/r3_PRID1_x.raw"
write_config "$work/c.yaml" '{backup_type: local}'
c=(--config "$work/c.yaml")
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 r1_PRID1_x.raw r2_PRID1_x.raw r3_PRID1_x.raw
expect_code "copy-local with --metrics-file" 0 "$rb" "${c[@]}" --metrics-file "$work/textfile/copy.prom" copy-local r1_PRID1_x.raw
must "verify" "$rb" "${c[@]}" --metrics-file "$work/textfile/verify.prom" verify r1_PRID1_x.raw
# r2's copy fails: a file where its backup folder should be (status error, backup failed).
mv "$work/backup" "$work/backup.ok" && echo "not a folder" >"$work/backup"
"$rb" "${c[@]}" copy-local r2_PRID1_x.raw >/dev/null 2>&1
rm "$work/backup" && mv "$work/backup.ok" "$work/backup"

expect_code "status --metrics" 0 "$rb" "${c[@]}" status --metrics
cp "$work/out" "$work/metrics"
"$promtool" check metrics <"$work/metrics" >"$work/promtool.out" 2>&1 && pass "  promtool check metrics: valid" ||
  failure "  promtool" "$(head -c 400 "$work/promtool.out")"
expect_match "  records by instrument × status × backup_status" "$work/metrics" '^rawbackup_records\{instrument="astral1",status="copying_done",backup_status="done"\} 1$'
expect_match "  bytes backed up locally" "$work/metrics" '^rawbackup_backed_up_bytes\{instrument="astral1",target="local"\} 300000$'
expect_match "  the oldest not backed up: two hours" "$work/metrics" '^rawbackup_oldest_unbacked_age_seconds\{instrument="astral1"\} 7[12][0-9][0-9]$'
expect_match "  the last verify: seconds ago" "$work/metrics" '^rawbackup_last_verify_age_seconds\{instrument="astral1"\} [0-9]$'
expect_match "  failures in the last 24 h: the one failed run" "$work/metrics" '^rawbackup_failures_24h\{instrument="astral1"\} 1$'
expect_match "  an instrument without records has its series" "$work/metrics" '^rawbackup_oldest_unbacked_age_seconds\{instrument="timstof1"\} 0$'

expect_match "--metrics-file: the run's outcome" "$work/textfile/copy.prom" '^rawbackup_run_outcome\{task="copy-local",outcome="done"\} 1$'
expect_match "  its bytes" "$work/textfile/copy.prom" '^rawbackup_run_bytes\{task="copy-local"\} 300000$'
expect_match "  its exit code" "$work/textfile/copy.prom" '^rawbackup_run_exit_code\{task="copy-local"\} 0$'
"$promtool" check metrics <"$work/textfile/copy.prom" >"$work/promtool.out" 2>&1 && pass "  valid per promtool" ||
  failure "  promtool" "$(head -c 400 "$work/promtool.out")"
expect_match "verify's bytes: the local copy it re-read" "$work/textfile/verify.prom" '^rawbackup_run_bytes\{task="verify"\} 300000$'
rm -f "$work/textfile/verify.prom"
expect_code "a failed run (unknown id): exit 2" 2 "$rb" "${c[@]}" --metrics-file "$work/textfile/copy.prom" copy-local nope.raw
expect_match "  replaces the file: exit code 2" "$work/textfile/copy.prom" '^rawbackup_run_exit_code\{task="copy-local"\} 2$'
expect_match "  outcome failed" "$work/textfile/copy.prom" '^rawbackup_run_outcome\{task="copy-local",outcome="failed"\} 1$'
[ "$(ls -A "$work/textfile")" = "copy.prom" ] && pass "  no temporary file left beside it" || failure "  temporaries" "$(ls -A "$work/textfile")"
expect_code "a metrics file that cannot be written: the run's own exit code stands" 0 \
  "$rb" "${c[@]}" --metrics-file "$work/no-such-folder/x.prom" status
expect_match "  a warning says why" "$work/err" 'metrics-file: cannot create'
summary
