#!/usr/bin/env bash
# copy-local end to end on the real filesystem: verified copies of Thermo and Bruker sets
# (spaces, unicode, nesting, empty folders, zero-byte files), skip on re-run, refusal and
# .bkp on overwrite, a full disk (ulimit -f), kill -9 mid-copy, two runs at once.
# Usage: copy_local_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
inst="$work/instruments"
bruker="$inst/timstof1/run 1_PRID9_ü.d"
mkdir -p "$inst/astral1" "$bruker/sub/deeper" "$bruker/empty"
head -c $((7 * 1024 * 1024 + 3)) /dev/urandom >"$inst/astral1/a.raw"
head -c 70000 /dev/urandom >"$bruker/analysis.tdf"
: >"$bruker/sub/deeper/zero.bin"
write_config "$work/c.yaml" '{backup_type: local, s3: {region: r, bucket_prefix: b, part_size_mb: 5}}' 'project_pattern:'
c=(--config "$work/c.yaml")
month="$(date -u -r "$inst/astral1/a.raw" +%Y_%m)"
dest="$work/backup/astral1/$month/a.raw"

expect_code "copy-local before checksum" 2 "$rb" "${c[@]}" copy-local a.raw
expect_match "says to run checksum" "$work/err" 'run checksum first'
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 a.raw
must "checksum" "$rb" "${c[@]}" checksum --instrument timstof1 "run 1_PRID9_ü.d"

expect_code "dry run" 0 "$rb" "${c[@]}" copy-local --dry-run a.raw
[ ! -e "$dest" ] && pass "dry run writes nothing" || failure "dry run writes nothing"
expect_code "copy thermo" 0 "$rb" "${c[@]}" --json copy-local a.raw
expect_match "result" "$work/out" '"copied":1.*"outcome":"done"'
cmp -s "$inst/astral1/a.raw" "$dest" && pass "copy is byte-identical" || failure "copy is byte-identical"
expect_code "copy bruker folder" 0 "$rb" "${c[@]}" copy-local "run 1_PRID9_ü.d"
[ -f "$work/backup/timstof1/$month/run 1_PRID9_ü.d/sub/deeper/zero.bin" ] && pass "nested zero-byte file copied" || failure "nested zero-byte file copied"
cmp -s "$bruker/analysis.tdf" "$work/backup/timstof1/$month/run 1_PRID9_ü.d/analysis.tdf" && pass "bruker file identical" || failure "bruker file identical"
# Files read at once: one per CPU of the affinity mask (taskset, a SLURM job's CPUs), capped
# by transfer.workers; the copies re-read and verified by verify all the same.
expect_code "checksum on one CPU" 0 taskset -c 0 "$rb" "${c[@]}" checksum --rehash --instrument timstof1 "run 1_PRID9_ü.d"
expect_match "one file at a time on one CPU" "$work/err" 'hashing 2 file\(s\).*, 1 at a time'
expect_code "checksum on every CPU" 0 "$rb" "${c[@]}" checksum --rehash --instrument timstof1 "run 1_PRID9_ü.d"
expect_match "two files at a time on two CPUs" "$work/err" "hashing 2 file\\(s\\).*, $(($(nproc) < 2 ? 1 : 2)) at a time"
printf 'transfer: {workers: 1}\n' >>"$work/c.yaml"
expect_code "checksum with transfer.workers: 1" 0 "$rb" "${c[@]}" checksum --rehash --instrument timstof1 "run 1_PRID9_ü.d"
expect_match "transfer.workers caps them" "$work/err" 'hashing 2 file\(s\).*, 1 at a time'
sed -i '/^transfer:/d' "$work/c.yaml"
expect_code "verify on one CPU" 0 taskset -c 0 "$rb" "${c[@]}" verify "run 1_PRID9_ü.d"
expect_code "re-run" 0 "$rb" "${c[@]}" --json copy-local a.raw
expect_match "re-run skips" "$work/out" '"outcome":"skipped"'
expect_code "status after copy" 0 "$rb" "${c[@]}" --json status a.raw
expect_match "copying_done and backup done" "$work/out" '"backup_status":"done".*"status":"copying_done"'

flip_byte "$dest" 10
before="$(md5sum <"$dest")"
expect_code "differing destination" 3 "$rb" "${c[@]}" copy-local a.raw
[ "$(md5sum <"$dest")" = "$before" ] && pass "differing destination untouched" || failure "differing destination untouched"
expect_code "--overwrite" 0 "$rb" "${c[@]}" copy-local --overwrite a.raw
[ "$(md5sum <"$dest.1.bkp")" = "$before" ] && pass "old copy kept as .1.bkp" || failure "old copy kept as .1.bkp"
cmp -s "$inst/astral1/a.raw" "$dest" && pass "new copy identical" || failure "new copy identical"

# A full disk: the file size limit stops the write; nothing under the final name, no temp.
rm -f "$dest"
(ulimit -f 2048; "$rb" "${c[@]}" copy-local a.raw >"$work/out" 2>"$work/err")
code=$?
[ "$code" -eq 1 ] && pass "file size limit: exit 1" || failure "file size limit: exit 1" "exit $code"
expect_match "says no space" "$work/err" 'no space left'
[ ! -e "$dest" ] && pass "no partial file under the final name" || failure "no partial file under the final name"
[ -z "$(find "$work/backup" -name '*rawbackup-tmp*')" ] && pass "temp file removed" || failure "temp file removed"
expect_code "status after the failure" 0 "$rb" "${c[@]}" --json status a.raw
expect_match "failure recorded" "$work/out" '"backup_status":"failed".*"error":"cannot write .*a.raw: no space left'

# kill -9 in the middle of a large copy: never a partial file under the final name.
head -c $((400 * 1024 * 1024)) /dev/zero >"$inst/astral1/big.raw"
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 big.raw
big="$work/backup/astral1/$(date -u -r "$inst/astral1/big.raw" +%Y_%m)/big.raw"
for delay in 0.05 0.2 0.4; do
  "$rb" "${c[@]}" copy-local big.raw >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  if [ -e "$big" ] && ! cmp -s "$inst/astral1/big.raw" "$big"; then failure "kill -9 after ${delay}s left a partial file"; else pass "kill -9 after ${delay}s: no partial file"; fi
done
left="$(find "$work/backup" -name '*rawbackup-tmp*' | wc -l)"
[ "$left" -ge 1 ] && pass "a kill landed mid-copy ($left temp file(s) left)" || failure "a kill landed mid-copy"
expect_code "re-run after kill -9" 0 "$rb" "${c[@]}" copy-local big.raw
cmp -s "$inst/astral1/big.raw" "$big" && pass "copy complete after re-run" || failure "copy complete after re-run"
[ -z "$(find "$work/backup" -name '*rawbackup-tmp*')" ] && pass "re-run removed temp files of killed runs" || failure "re-run removed temp files of killed runs"

# Two runs at once: one copies, the other waits for the lock and then skips.
rm -f "$dest"
"$rb" "${c[@]}" --json copy-local a.raw >"$work/p1" 2>&1 & p1=$!
"$rb" "${c[@]}" --json copy-local a.raw >"$work/p2" 2>&1 & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && pass "two concurrent runs both succeed" || failure "two concurrent runs both succeed" "$r1 $r2"
[ "$(grep -h -o '"copied":1' "$work/p1" "$work/p2" | wc -l)" -eq 1 ] && pass "exactly one copied" || failure "exactly one copied" "$(cat "$work/p1" "$work/p2")"

# The source deleted while it is being copied: the copy fails and nothing is kept.
rm -f "$big"
"$rb" "${c[@]}" copy-local big.raw >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 100); do  # until the copy has begun writing
  [ -n "$(find "$work/backup" -name '*big.raw.rawbackup-tmp*' 2>/dev/null)" ] && break
  sleep 0.02
done
mv "$inst/astral1/big.raw" "$work/big.raw.moved"
wait "$pid"
code=$?
[ "$code" -eq 1 ] && pass "source deleted mid-copy: exit 1" || failure "source deleted mid-copy: exit 1" "exit $code"
expect_match "says the source is gone" "$work/err" 'big.raw: (source .* is missing|cannot open .*No such file)'
[ ! -e "$big" ] && pass "nothing kept after the source vanished" || failure "nothing kept after the source vanished"
mv "$work/big.raw.moved" "$inst/astral1/big.raw"

# The source rewritten while it is copied (its last MiB; size and mtime restored, so only the
# bytes differ): the copy never gets its name with bytes other than the record's — it fails
# ("not kept"), or, when the copy read that part first, it holds the recorded bytes.
rm -f "$big"
want_md5="$(md5sum <"$inst/astral1/big.raw")"
cp -p "$inst/astral1/big.raw" "$work/big.raw.orig"
"$rb" "${c[@]}" copy-local big.raw >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 100); do
  [ -n "$(find "$work/backup" -name '*big.raw.rawbackup-tmp*' 2>/dev/null)" ] && break
  sleep 0.02
done
python3 -c "
import os, sys
p = sys.argv[1]; st = os.stat(p)
with open(p, 'r+b') as f: f.seek(st.st_size - (1 << 20)); f.write(os.urandom(1 << 20))
os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))" "$inst/astral1/big.raw"
wait "$pid"
code=$?
if [ "$code" -eq 0 ]; then
  [ "$(md5sum <"$big")" = "$want_md5" ] && pass "source rewritten mid-copy: the copy holds the recorded bytes" || failure "source rewritten mid-copy: copy differs from the record"
else
  [ ! -e "$big" ] && grep -q 'not kept' "$work/err" && pass "source rewritten mid-copy: failed (exit $code), nothing kept, said so"     || failure "source rewritten mid-copy" "exit $code: $(tail -c 300 "$work/err")"
fi
mv "$work/big.raw.orig" "$inst/astral1/big.raw"

# A backup location that cannot hold folders (a file is in the way): exit 1, clear message.
sed "s|backup: backup|backup: blocked|" "$work/c.yaml" >"$work/blocked.yaml"
: >"$work/blocked"
expect_code "backup location that is a file: exit 2 (no retry helps)" 2 "$rb" --config "$work/blocked.yaml" copy-local a.raw
expect_match "names the folder" "$work/err" 'cannot create folder .*blocked/astral1'

# A folder where the copy should go is refused (exit 3), even with --overwrite.
rm -f "$dest" && mkdir -p "$dest"
expect_code "destination is a folder" 3 "$rb" "${c[@]}" copy-local --overwrite a.raw
summary
