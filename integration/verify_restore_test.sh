#!/usr/bin/env bash
# verify and restore end to end against a real S3 server on 127.0.0.1 (see upload_s3_test.sh
# for what each server proves), through the counting, fault-injecting proxy: a clean verify,
# a corrupted local copy, an S3 object replaced by other bytes of the same size (shallow sees
# the ETag change, deep the content), a missing object, restores of a Thermo file and a
# Bruker folder, and a restore killed mid-way and resumed.
# Usage: verify_restore_test.sh ceph|s3rver PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server="$1" rb="$2"
source "$here/s3/harness.sh"

inst="$work/instruments"
bruker="$inst/timstof1/b_PRID2_x.d"
mkdir -p "$inst/astral1" "$bruker/sub"
head -c $((12 * 1024 * 1024 + 5)) /dev/urandom >"$inst/astral1/t_PRID1_a.raw"  # 3 parts of 5 MiB
for i in 1 2 3 4; do head -c $((2 * 1024 * 1024 + i)) /dev/urandom >"$bruker/sub/f$i.bin"; done
head -c 7000 /dev/urandom >"$bruker/analysis.tdf"
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-vr, endpoint_url: \"$proxy\", part_size_mb: 5}}"
c=(--config "$work/c.yaml")
s3 PUT /rb-vr-prid1 -o /dev/null
s3 PUT /rb-vr-prid2 -o /dev/null
for set in astral1:t_PRID1_a.raw timstof1:b_PRID2_x.d; do
  must "checksum" "$rb" "${c[@]}" checksum --instrument "${set%%:*}" "${set#*:}"
  must "copy-local" "$rb" "${c[@]}" copy-local "${set#*:}"
  "$rb" "${c[@]}" upload-s3 "${set#*:}" >/dev/null 2>&1 || echo "set-up upload of ${set#*:} failed"
done
month="$(date -u -r "$inst/astral1/t_PRID1_a.raw" +%Y_%m)"
local_copy="$work/backup/astral1/$month/t_PRID1_a.raw"

# --- verify ---
rules '[]'
expect_code "clean verify of two ids" 0 "$rb" "${c[@]}" --json verify t_PRID1_a.raw b_PRID2_x.d
expect_match "both checked local and s3" "$work/out" '"checked":\["local","s3"\].*"checked":\["local","s3"\]'
[ "$(grep -vc '^HEAD ' "$log")" -eq 0 ] && pass "shallow verify: HEAD requests only" || failure "shallow verify: HEAD requests only" "$(cat "$log")"
expect_code "status shows last_verified_at" 0 "$rb" "${c[@]}" --json status t_PRID1_a.raw
expect_match "last_verified_at set" "$work/out" '"last_verified_at":"20'
rules '[]'
expect_code "deep verify" 0 "$rb" "${c[@]}" verify --deep --s3 t_PRID1_a.raw
[ "$(grep -c '^GET /rb-vr-prid1/t_PRID1_a.raw' "$log")" -eq 3 ] && pass "deep: one ranged GET per part" || failure "deep: one ranged GET per part" "$(cat "$log")"
[ ! -e "$work/t_PRID1_a.raw" ] && pass "deep writes nothing" || failure "deep writes nothing"

cp "$local_copy" "$work/saved"
flip_byte "$local_copy" 1000
expect_code "corrupted local copy" 4 "$rb" "${c[@]}" --json verify t_PRID1_a.raw
expect_match "names the file and both MD5s" "$work/out" '"backup":"local","detail":"MD5 [0-9a-f]{32}, record [0-9a-f]{32}","path":"t_PRID1_a.raw","state":"differs"'
expect_match "S3 still fine" "$work/out" '"backup":"s3","detail":"","path":"t_PRID1_a.raw","state":"ok"'
expect_code "history has the failure" 0 "$rb" "${c[@]}" status --history t_PRID1_a.raw
expect_match "verify failed event" "$work/out" 'verify failed: local t_PRID1_a.raw: MD5'
cp "$work/saved" "$local_copy"

must "fetch the object" s3_ok GET /rb-vr-prid1/t_PRID1_a.raw -o "$work/object"
flip_byte "$work/object" $((6 * 1024 * 1024))
must "replace it with other bytes of its size" s3_ok PUT /rb-vr-prid1/t_PRID1_a.raw --data-binary @"$work/object" -o /dev/null
expect_code "same-size replacement: shallow" 4 "$rb" "${c[@]}" --json verify --s3 t_PRID1_a.raw
expect_match "ETag differs" "$work/out" '"detail":"ETag [0-9a-f]{32}, record [0-9a-f]{32}-3'
expect_code "same-size replacement: deep" 4 "$rb" "${c[@]}" --json verify --s3 --deep t_PRID1_a.raw
expect_match "content differs, naming the part" "$work/out" 'content differs: part 2 \(bytes 5242880–10485759\) differs from the record \(its bytes give ETag'
"$rb" "${c[@]}" upload-s3 t_PRID1_a.raw >/dev/null 2>&1  # puts the right bytes back

s3 DELETE /rb-vr-prid2/b_PRID2_x.d/sub/f3.bin -o /dev/null
expect_code "missing object" 4 "$rb" "${c[@]}" --json verify b_PRID2_x.d
expect_match "f3 missing" "$work/out" '"path":"b_PRID2_x.d/sub/f3.bin","state":"missing"'
expect_code "unknown id" 2 "$rb" "${c[@]}" verify no_such.raw
rules '[{"method": "HEAD", "fault": "503", "times": 20}]'
expect_code "S3 unreachable: could not check" 1 "$rb" "${c[@]}" verify --s3 t_PRID1_a.raw
rules '[]'
"$rb" "${c[@]}" upload-s3 b_PRID2_x.d >/dev/null 2>&1  # puts f3 back

# --- restore ---
expect_code "restore thermo from s3" 0 "$rb" "${c[@]}" --json restore --to "$work/r1" t_PRID1_a.raw
expect_match "from s3" "$work/out" '"from":"s3".*"restored":1'
cmp -s "$inst/astral1/t_PRID1_a.raw" "$work/r1/t_PRID1_a.raw" && pass "thermo restored byte-identical" || failure "thermo restored byte-identical"
[ "$(grep -c '^GET /rb-vr-prid1/t_PRID1_a.raw' "$log")" -eq 3 ] && pass "ranged GETs per part" || failure "ranged GETs per part"
expect_code "restore again: skipped" 0 "$rb" "${c[@]}" --json restore --to "$work/r1" t_PRID1_a.raw
expect_match "skipped" "$work/out" '"outcome":"skipped"'
expect_code "restore from the local backup" 0 "$rb" "${c[@]}" --json restore --from local --to "$work/r2" b_PRID2_x.d
diff -r "$bruker" "$work/r2/b_PRID2_x.d" >/dev/null && pass "bruker from local identical" || failure "bruker from local identical"

# Interrupted: the GET of the third file stalls, the restore is killed; a re-run keeps the
# finished files (no GET for them) and redoes the rest.
# The files are fetched side by side: wait for every other one to be committed (events, not
# seconds: the stall lasts until the killed client hangs up).
rules '[{"method": "GET", "path": "sub/f3.bin", "fault": "stall", "seconds": 600}]'
"$rb" "${c[@]}" restore --from s3 --to "$work/r3" b_PRID2_x.d >/dev/null 2>&1 & pid=$!
finished_but_f3() {
  grep -q 'f3.bin - stalling' "$log" && for f in "$bruker"/analysis.tdf "$bruker"/sub/f1.bin "$bruker"/sub/f2.bin "$bruker"/sub/f4.bin; do
    [ -f "$work/r3/b_PRID2_x.d/${f#"$bruker"/}" ] || return 1
  done
}
wait_until 300 finished_but_f3 || failure "  the other files restored while f3 stalls" "$(ls -R "$work/r3")"
kill -9 $pid; wait $pid 2>/dev/null
[ -f "$work/r3/b_PRID2_x.d/sub/f1.bin" ] && pass "files before the kill are there" || failure "files before the kill are there"
[ ! -e "$work/r3/b_PRID2_x.d/sub/f3.bin" ] && pass "no partial file under its name" || failure "no partial file under its name"
rules '[]'
expect_code "resumed restore" 0 "$rb" "${c[@]}" --json restore --from s3 --to "$work/r3" b_PRID2_x.d
expect_match "restores only the rest" "$work/out" '"restored":[1-3],.*"skipped":[2-4]'
! grep -q 'f1.bin' "$log" && pass "finished files not fetched again" || failure "finished files not fetched again"
diff -r "$bruker" "$work/r3/b_PRID2_x.d" >/dev/null && pass "bruker restored identical" || failure "bruker restored identical"
[ -z "$(find "$work/r3" -name '*rawbackup-tmp*')" ] && pass "temp files of the killed run removed" || failure "temp files of the killed run removed"
echo "other" >"$work/r3/b_PRID2_x.d/analysis.tdf"
expect_code "differing file refused" 3 "$rb" "${c[@]}" restore --to "$work/r3" b_PRID2_x.d
[ "$(cat "$work/r3/b_PRID2_x.d/analysis.tdf")" = other ] && pass "differing file untouched" || failure "differing file untouched"

# Objects gone, shorter, empty or longer than recorded: exit 4 before anything is written, as
# verify says (S3's 416 and 404 on a GET used to make these exit 1).
must "fetch the object" s3_ok GET /rb-vr-prid1/t_PRID1_a.raw -o "$work/object"
for bad in shorter empty longer missing; do
  case $bad in
    shorter) head -c 1000 "$work/object" >"$work/bad" ;;
    empty) : >"$work/bad" ;;
    longer) cat "$work/object" <(printf 'more') >"$work/bad" ;;
  esac
  if [ $bad = missing ]; then s3 DELETE /rb-vr-prid1/t_PRID1_a.raw -o /dev/null; else must "replace the object" s3_ok PUT /rb-vr-prid1/t_PRID1_a.raw --data-binary @"$work/bad" -o /dev/null; fi
  expect_code "restore from an object $bad" 4 "$rb" "${c[@]}" restore --to "$work/r4" t_PRID1_a.raw
  expect_match "  says it is $bad" "$work/err" "t_PRID1_a.raw is $( [ $bad = empty ] && echo shorter || echo $bad)"
  [ ! -e "$work/r4/t_PRID1_a.raw" ] && pass "  nothing written" || failure "  a file was written"
done
summary
