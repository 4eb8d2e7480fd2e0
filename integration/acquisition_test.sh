#!/usr/bin/env bash
# Acquisitions in progress, on the real filesystem: a raw file still being written is never
# recorded as backed up. checksum refuses a set while a file changed within the settle time
# (exit 1, "not ready", when to retry) and when a file changes while it is read; a source
# changed after checksum is a conflict for copy-local (exit 3) naming the way out, without
# --overwrite while it is still changing; the Bruker case (a new file in the .d folder) both
# while hashing and after checksum. Usage: acquisition_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
inst="$work/instruments"
mkdir -p "$inst/astral1" "$inst/timstof1" "$inst/zenotof1"
# The vendors' required members (no required_members key): a timsTOF .d needs analysis.tdf
# and analysis.tdf_bin, a Sciex set its .wiff.scan.
write_config "$work/c.yaml" '{backup_type: local, s3: {region: r, bucket_prefix: b, part_size_mb: 64}}' 'checksum:' 'project_pattern:' \
  "instruments: {astral1: {type: thermo, path: instruments/astral1}, timstof1: {type: bruker, path: instruments/timstof1}, zenotof1: {type: sciex, path: instruments/zenotof1}}"
c=(--config "$work/c.yaml")
finished() { touch -d "@$(($(date +%s) - 600))" "$@"; }  # a finished acquisition: 10 min old
# wait_for FILE REGEX: until a run's log says it got that far (at most 20 s).

# --- the issue's case: a 4 MiB .raw growing by 1 MiB a second ---
grow="$inst/astral1/growing.raw"
head -c $((4 << 20)) /dev/urandom >"$grow"
( for _ in 1 2 3 4 5 6; do sleep 1; head -c $((1 << 20)) /dev/urandom >>"$grow"; done ) &
writer=$!
expect_code "growing file: not ready (exit 1)" 1 "$rb" "${c[@]}" --json checksum --instrument astral1 growing.raw
expect_match "outcome not-ready" "$work/out" '"outcome":"not-ready"'
expect_match "names the file, its age, when to retry" "$work/err" 'not ready: growing.raw was modified [0-9.]+ s ago, within the settle time of 120 s .*retry after 20[0-9-]+T'
[ "$(grep -c 'not ready' "$work/err")" -eq 1 ] && pass "one line" || failure "one line" "$(cat "$work/err")"
! grep -q -- '--overwrite' "$work/err" && pass "no --overwrite advice" || failure "no --overwrite advice"
expect_code "nothing recorded" 2 "$rb" "${c[@]}" status growing.raw
expect_code "dry run says not ready, with the real run's exit code" 1 "$rb" "${c[@]}" checksum --dry-run --instrument astral1 growing.raw
expect_match "dry run: not ready" "$work/out" 'not ready: growing.raw'
wait "$writer"
sleep 1.5
expect_code "--settle 1 once it stopped growing" 0 "$rb" "${c[@]}" --json checksum --settle 1 --instrument astral1 growing.raw
expect_match "the whole file" "$work/out" "\"bytes\":$((10 << 20))"

# --- a writer appending while checksum reads ---
big="$inst/astral1/appended.raw"
head -c $((768 << 20)) /dev/zero >"$big"
finished "$big"
in_background "$work/out" "$work/err" "$rb" "${c[@]}" --json checksum --instrument astral1 appended.raw
wait_for "$work/err" 'hashing 1 file' && head -c $((1 << 20)) /dev/zero >>"$big"
wait "$pid"
code=$?
[ "$code" -eq 1 ] && pass "appended while read: exit 1" || failure "appended while read: exit 1" "exit $code $(cat "$work/err")"
expect_match "changed while it was read, with advice" "$work/err" 'not ready: appended.raw changed while it was read \(size [0-9]+ → [0-9]+; .*retry after'
[ "$(grep -c "$inst" "$work/err")" -eq 0 ] && pass "the path is not printed twice" || failure "path printed" "$(cat "$work/err")"
expect_code "status: not done" 0 "$rb" "${c[@]}" --json status appended.raw
expect_match "first checksum failed: status error, no files" "$work/out" '"file_info":\{\}.*"status":"error"'

# --- after checksum, before copy-local ---
late="$inst/astral1/late.raw"
head -c $((3 << 20)) /dev/urandom >"$late"
finished "$late"
expect_code "checksum of a finished file" 0 "$rb" "${c[@]}" checksum --instrument astral1 late.raw
head -c 1000 /dev/urandom >>"$late"
expect_code "copy-local: source written again, still changing: conflict" 3 "$rb" "${c[@]}" copy-local late.raw
expect_match "says to wait, then rehash" "$work/err" 'may still be running; once nothing has changed for 120 s, run `rawbackup checksum --rehash --instrument astral1 late.raw`'
! grep -q -- '--overwrite' "$work/err" && pass "no --overwrite while it changes" || failure "no --overwrite while it changes"
expect_code "checksum --rehash while it changes: not ready" 1 "$rb" "${c[@]}" checksum --rehash --instrument astral1 late.raw
finished "$late"
expect_code "dry run" 0 "$rb" "${c[@]}" copy-local --dry-run late.raw
expect_match "dry run: refuse (source changed)" "$work/out" 'refuse \(source changed\)  late.raw'
expect_code "copy-local once it settled: conflict" 3 "$rb" "${c[@]}" copy-local late.raw
expect_match "names the way out" "$work/err" 'run `rawbackup checksum --rehash --instrument astral1 late.raw` .*only if the new content is wanted, again with --overwrite'
expect_code "checksum --rehash: content differs" 3 "$rb" "${c[@]}" checksum --rehash --instrument astral1 late.raw
expect_code "checksum --rehash --overwrite accepts it" 0 "$rb" "${c[@]}" checksum --rehash --overwrite --instrument astral1 late.raw
expect_code "copy-local then copies the new content" 0 "$rb" "${c[@]}" copy-local late.raw
cmp -s "$late" "$(find "$work/backup" -name late.raw)" && pass "backup is the whole file" || failure "backup is the whole file"

# --- incomplete sets: a required member missing or empty is not ready, and named ---
d="$inst/timstof1/only_tdf.d"
mkdir -p "$d" && echo tdf >"$d/analysis.tdf" && finished "$d"/*
expect_code "bruker: a .d with only analysis.tdf: not ready" 1 "$rb" "${c[@]}" checksum --instrument timstof1 only_tdf.d
expect_match "  names the missing member" "$work/err" 'only_tdf.d is not complete: only_tdf.d/analysis.tdf_bin is missing \(required for timstof1: analysis.tdf, analysis.tdf_bin; instruments.timstof1.required_members\)'
expect_code "  nothing recorded" 2 "$rb" "${c[@]}" status only_tdf.d
: >"$d/analysis.tdf_bin" && finished "$d"/*
expect_code "  an empty analysis.tdf_bin: not ready" 1 "$rb" "${c[@]}" checksum --instrument timstof1 only_tdf.d
expect_match "  says it is empty" "$work/err" 'analysis.tdf_bin is empty'
echo data >"$d/analysis.tdf_bin" && finished "$d"/*
expect_code "  once written: checksummed" 0 "$rb" "${c[@]}" checksum --instrument timstof1 only_tdf.d
echo wiff >"$inst/zenotof1/pair.wiff" && finished "$inst/zenotof1/pair.wiff"
expect_code "sciex: a .wiff without its .wiff.scan: not ready" 1 "$rb" "${c[@]}" checksum --instrument zenotof1 pair.wiff
expect_match "  names it" "$work/err" 'pair.wiff is not complete: pair.wiff.scan is missing'
expect_code "  the dry run too, with the real run's exit code" 1 "$rb" "${c[@]}" checksum --dry-run --instrument zenotof1 pair.wiff
echo scan >"$inst/zenotof1/pair.wiff.scan" && finished "$inst/zenotof1/pair.wiff.scan"
expect_code "  with it: checksummed" 0 "$rb" "${c[@]}" checksum --instrument zenotof1 pair.wiff

# --- Bruker: a new file in the .d folder ---
d="$inst/timstof1/run_x.d"
mkdir -p "$d"
head -c $((700 << 20)) /dev/zero >"$d/analysis.tdf_bin"
echo tdf >"$d/analysis.tdf"
finished "$d"/*
in_background "$work/out" "$work/err" "$rb" "${c[@]}" checksum --instrument timstof1 run_x.d
wait_for "$work/err" 'hashing 2 file' && echo more >"$d/zz_new.tdf"
wait "$pid"
code=$?
[ "$code" -eq 1 ] && pass "bruker: file added while hashing: exit 1" || failure "bruker: file added while hashing" "exit $code $(cat "$work/err")"
expect_match "names the new file" "$work/err" 'not ready: run_x.d changed while it was read \(run_x.d/zz_new.tdf appeared'
expect_code "bruker: while the new file is young: not ready" 1 "$rb" "${c[@]}" checksum --instrument timstof1 run_x.d
finished "$d"/*
expect_code "bruker: settled set checksummed" 0 "$rb" "${c[@]}" checksum --instrument timstof1 run_x.d
expect_code "bruker: copied" 0 "$rb" "${c[@]}" copy-local run_x.d
echo later >"$d/zz_later.tdf"
expect_code "bruker: file added after the copy: conflict" 3 "$rb" "${c[@]}" copy-local run_x.d
expect_match "names the new file" "$work/err" 'source changed since checksum \(run_x.d/zz_later.tdf appeared\)'
expect_code "verify still finds the recorded copies good" 0 "$rb" "${c[@]}" verify run_x.d
summary
