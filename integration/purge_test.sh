#!/usr/bin/env bash
# purge end to end on the real filesystem and Ceph's RADOS Gateway (through the fault proxy):
# a clean purge (status shows it, verify still checks the backups, restore brings it back);
# each refusal provoked — backup missing (local, S3), S3 object replaced, not backed up,
# instrument file changed (and, with --deep, changed behind its mtime), too young, an extra
# file in the .d folder, a symlink out of it — with the instrument tree (names, types, sizes,
# mtimes, MD5s, link targets) compared before and after; --dry-run; kill -9 at each phase
# (reading the local backup, the first S3 request, re-reading the instrument copy, between
# two deletions, after the last deletion before recording), each finished by a re-run; and
# 8 processes purging one set at once.
# Ceph proves the S3 side as a real gateway answers it (HEAD ETags, ranged GETs); the kills
# are exact (integration/kill_at.c, LD_PRELOAD), not timed.
# Usage: purge_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=ceph rb="$1"
source "$here/s3/harness.sh"

cc -shared -fPIC -o "$work/kill_at.so" "$here/kill_at.c" -ldl || { echo "cannot build kill_at.so"; exit 1; }
inst="$work/instruments"
mkdir -p "$inst/astral1" "$inst/timstof1" "$work/outside"
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-purge, endpoint_url: \"$proxy\", part_size_mb: 5}}"
c=(--config "$work/c.yaml")
s3 PUT /rb-purge-prid1 -o /dev/null

old() { find "$@" -exec touch -h -d '20 days ago' {} +; }  # acquired 20 days ago (created_at: newest mtime)
thermo() { head -c "$2" /dev/urandom >"$inst/astral1/$1"; old "$inst/astral1/$1"; }
bruker() {
  local d="$inst/timstof1/$1"
  mkdir -p "$d/sub/deeper"
  head -c 7000 /dev/urandom >"$d/analysis.tdf"
  for i in $(seq "${2:-3}"); do head -c $((100000 + i)) /dev/urandom >"$d/sub/f$i.bin"; done
  echo method >"$d/sub/deeper/m.method"
  old "$d"
}
# backed_up SET: checksum, copy-local and upload-s3 (SET: instrument:name)
backed_up() {
  must "checksum ${1#*:}" "$rb" "${c[@]}" checksum --instrument "${1%%:*}" "${1#*:}"
  must "copy-local ${1#*:}" "$rb" "${c[@]}" copy-local "${1#*:}"
  must "upload-s3 ${1#*:}" "$rb" "${c[@]}" upload-s3 "${1#*:}"
}
# The tree purge must not touch: every entry with its type, size, mtime and link target, and
# every file's MD5.
tree() {
  (cd "$work" && find instruments outside -printf '%p %y %s %T@ %l\n' | sort && find instruments outside -type f -exec md5sum {} + | sort)
}
# refused NAME CODE ARGS...: purge ARGS exits CODE and the tree is as it was
refused() {
  local name="$1" code="$2" before
  shift 2
  before="$(tree)"
  expect_code "$name" "$code" "$rb" "${c[@]}" purge "$@"
  [ "$before" = "$(tree)" ] && pass "$name: nothing deleted" || failure "$name: the tree changed" "$(diff <(echo "$before") <(tree) | head -5)"
}
field() { "$rb" "${c[@]}" --json status "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['records'][0]['$2'])"; }
events_of() { "$rb" "${c[@]}" status --history "$1" >"$work/hist" 2>&1; }

thermo ok_PRID1_a.raw $((7 * 1024 * 1024))
thermo young_PRID1_b.raw 1000
touch "$inst/astral1/young_PRID1_b.raw"
for name in nolocal_PRID1_c nos3_PRID1_d replaced_PRID1_e changed_PRID1_f deep_PRID1_g k1_PRID1_h k2_PRID1_i k3_PRID1_j; do
  thermo "$name.raw" 300000
done
thermo pending_PRID1_k.raw 1000
for name in b_PRID1_extra b_PRID1_link b_PRID1_dry b_PRID1_k4 race_PRID1_r; do bruker "$name.d"; done
bruker b_PRID1_k5.d 400
for set in astral1:ok_PRID1_a.raw astral1:young_PRID1_b.raw astral1:nolocal_PRID1_c.raw astral1:nos3_PRID1_d.raw \
  astral1:replaced_PRID1_e.raw astral1:changed_PRID1_f.raw astral1:deep_PRID1_g.raw astral1:k1_PRID1_h.raw \
  astral1:k2_PRID1_i.raw astral1:k3_PRID1_j.raw timstof1:b_PRID1_extra.d timstof1:b_PRID1_link.d \
  timstof1:b_PRID1_dry.d timstof1:b_PRID1_k4.d timstof1:b_PRID1_k5.d timstof1:race_PRID1_r.d; do
  backed_up "$set"
done
must "checksum pending" "$rb" "${c[@]}" checksum --instrument astral1 pending_PRID1_k.raw
month="$(date -u -d '20 days ago' +%Y_%m)"

# --- a clean purge ---
cp "$inst/astral1/ok_PRID1_a.raw" "$work/saved"
rules '[]'
expect_code "clean purge" 0 "$rb" "${c[@]}" purge ok_PRID1_a.raw
expect_match "says what it freed" "$work/out" 'purged: 1 file\(s\), 7.0 MiB freed from .*/instruments/astral1'
expect_match "every check listed" "$work/out" 'checks: backed up ok .*age ok \(acquired 20.0 day\(s\) ago, minimum 14.0\); instrument copy ok .*local backup ok .*s3 backup ok'
[ ! -e "$inst/astral1/ok_PRID1_a.raw" ] && pass "the instrument file is gone" || failure "the instrument file is still there"
[ -s "$work/backup/astral1/$month/ok_PRID1_a.raw" ] && pass "the local backup stays" || failure "the local backup is gone"
grep -q '^HEAD /rb-purge-prid1/ok_PRID1_a.raw' "$log" && pass "the S3 object was checked in this run" || failure "no HEAD of the object" "$(cat "$log")"
expect_code "status of the record" 0 "$rb" "${c[@]}" status ok_PRID1_a.raw
expect_match "shows purged_at" "$work/out" 'purged_at: +20[0-9-]+T'
expect_code "status table" 0 "$rb" "${c[@]}" status
expect_match "shows it done, purged" "$work/out" 'ok_PRID1_a.raw .* done, purged '
[ "$(field ok_PRID1_a.raw purged_at)" = "$(field ok_PRID1_a.raw last_verified_at)" ] && pass "purged_at = last_verified_at" || failure "purged_at"
expect_code "purge again" 0 "$rb" "${c[@]}" --json purge ok_PRID1_a.raw
expect_match "unchanged" "$work/out" '"outcome":"unchanged"'
expect_code "verify still checks the backups" 0 "$rb" "${c[@]}" verify ok_PRID1_a.raw
expect_code "restore is the way back" 0 "$rb" "${c[@]}" restore --to "$inst/astral1" ok_PRID1_a.raw
cmp -s "$work/saved" "$inst/astral1/ok_PRID1_a.raw" && pass "restored byte-identical" || failure "restored file differs"
rm -f "$inst/astral1/ok_PRID1_a.raw"

# --- each refusal: nothing deleted ---
refused "too young: kept" 0 young_PRID1_b.raw
expect_match "kept, saying why" "$work/out" 'kept: too young: acquired 0.0 day\(s\) ago, minimum 14.0'
refused "too young with --skip-exit-code 99" 99 --skip-exit-code 99 young_PRID1_b.raw
refused "not backed up" 4 pending_PRID1_k.raw
expect_match "backup_status named" "$work/out" 'refused: backup_status is pending'
rm "$work/backup/astral1/$month/nolocal_PRID1_c.raw"
refused "local backup missing" 4 nolocal_PRID1_c.raw
expect_match "names the missing copy" "$work/out" 'refused: verify failed: local nolocal_PRID1_c.raw: .* is missing'
events_of nolocal_PRID1_c.raw
expect_match "recorded as a failed verify" "$work/hist" 'purge refused: verify failed: local'
s3 DELETE /rb-purge-prid1/nos3_PRID1_d.raw -o /dev/null
refused "S3 object missing" 4 nos3_PRID1_d.raw
expect_match "names the missing object" "$work/out" 'verify failed: s3 nos3_PRID1_d.raw'
head -c 300000 /dev/urandom >"$work/other"
must "replace the object" s3_ok PUT /rb-purge-prid1/replaced_PRID1_e.raw --data-binary @"$work/other" -o /dev/null
refused "S3 object replaced (same size)" 4 replaced_PRID1_e.raw
expect_match "ETag differs" "$work/out" 'verify failed: s3 replaced_PRID1_e.raw: ETag'
refused "--require local: only the local copy is verified (dry run)" 0 --dry-run --require local replaced_PRID1_e.raw
flip_byte "$inst/astral1/changed_PRID1_f.raw" 100
refused "instrument file changed" 3 changed_PRID1_f.raw
expect_match "stale record, the way out named" "$work/out" 'refused: 1 file\(s\) differ from the record \(changed_PRID1_f.raw: modified since checksum.*checksum --rehash'
touch -r "$inst/astral1/deep_PRID1_g.raw" "$work/stamp"
flip_byte "$inst/astral1/deep_PRID1_g.raw" 100
touch -r "$work/stamp" "$inst/astral1/deep_PRID1_g.raw"
refused "changed behind its mtime: shallow cannot tell (dry run)" 0 --dry-run deep_PRID1_g.raw
refused "changed behind its mtime: --deep re-reads it" 3 --deep deep_PRID1_g.raw
expect_match "MD5 named" "$work/out" "content differs from the record \(deep_PRID1_g.raw: MD5"
echo new >"$inst/timstof1/b_PRID1_extra.d/sub/new.tdf"
old "$inst/timstof1/b_PRID1_extra.d/sub/new.tdf"
refused "an extra file in the .d folder" 3 b_PRID1_extra.d
expect_match "lists it" "$work/out" 'extra   b_PRID1_extra.d/sub/new.tdf'
mv "$inst/timstof1/b_PRID1_link.d/sub" "$work/outside/sub"
ln -s "$work/outside/sub" "$inst/timstof1/b_PRID1_link.d/sub"
refused "a symlink out of the .d folder" 3 b_PRID1_link.d
expect_match "the link named, never followed" "$work/out" 'extra   b_PRID1_link.d/sub \(a symlink\)'
[ -s "$work/outside/sub/f1.bin" ] && pass "the files behind the link stay" || failure "files behind the link removed"

# --- dry run ---
events_of b_PRID1_dry.d && cp "$work/hist" "$work/hist.before"
refused "dry run" 0 --dry-run b_PRID1_dry.d
expect_code "  as text: one line for the set" 0 "$rb" "${c[@]}" purge --dry-run b_PRID1_dry.d
expect_match "  files and size" "$work/out" '^purge b_PRID1_dry.d \(dry run\): would delete 5 file\(s\), '
! grep -q '  delete ' "$work/out" && pass "  no line per file" || failure "  a line per file" "$(head -5 "$work/out")"
expect_code "  --verbose" 0 "$rb" "${c[@]}" purge --dry-run --verbose b_PRID1_dry.d
expect_match "  lists each file" "$work/out" 'delete b_PRID1_dry.d/sub/deeper/m.method'
events_of b_PRID1_dry.d
cmp -s "$work/hist" "$work/hist.before" && pass "dry run records nothing" || failure "dry run recorded" "$(diff "$work/hist.before" "$work/hist")"
expect_code "then the purge" 0 "$rb" "${c[@]}" --json purge b_PRID1_dry.d
expect_match "5 files, 3 folders" "$work/out" '"deleted":\{"bytes":[0-9]+,"files":5,"folders":3\}'
# A selection (the daily purge) leaves out what was purged before; --include-purged takes it.
"$rb" "${c[@]}" purge --dry-run --all-status done --instrument timstof1 >"$work/out" 2>"$work/err"
! grep -q '^purge b_PRID1_dry.d' "$work/out" && pass "a selection leaves out sets purged before" || failure "purged set selected" "$(grep b_PRID1_dry.d "$work/out")"
expect_match "  the batch line counts what a run would do" "$work/out" '^purge: [0-9]+ raw file\(s\): .*would be (purged|refused|kept)'
"$rb" "${c[@]}" purge --dry-run --include-purged --all-status done --instrument timstof1 >"$work/out" 2>"$work/err"
expect_match "  --include-purged takes them" "$work/out" '^purge b_PRID1_dry.d \(dry run\)'
[ ! -e "$inst/timstof1/b_PRID1_dry.d" ] && [ -d "$inst/timstof1" ] && pass "the .d folder is gone, the instrument folder stays" || failure ".d folder"

# --- kill -9 at each phase, then a re-run ---
# killed NAME ID KILL_AT GONE [ARGS...]: purge ARGS ID killed at KILL_AT; GONE files must be
# gone after it (the rest still there), the record not purged; the re-run purges the set.
killed() {
  local name="$1" id="$2" at="$3" gone="$4" set_path before after
  shift 4
  set_path="$(find "$inst" -maxdepth 2 -name "$id")"
  before="$(find "$set_path" -type f | wc -l)"
  KILL_AT="$at" LD_PRELOAD="$work/kill_at.so" "$rb" "${c[@]}" purge "$@" "$id" >/dev/null 2>&1
  local code=$?
  [ "$code" = 137 ] && pass "$name: killed ($at)" || failure "$name: not killed at $at" "exit $code"
  after="$(find "$set_path" -type f 2>/dev/null | wc -l)"
  [ $((before - after)) = "$gone" ] && pass "$name: $gone file(s) gone by then" || failure "$name: $((before - after)) file(s) gone, expected $gone"
  [ "$(field "$id" purged_at)" = None ] && pass "$name: not recorded as purged" || failure "$name: recorded as purged"
  expect_code "$name: re-run" 0 "$rb" "${c[@]}" --json purge "$id"
  expect_match "$name: re-run purges" "$work/out" '"outcome":"purged"'
  [ ! -e "$set_path" ] && pass "$name: set gone" || failure "$name: set still there"
}
killed "reading the local backup" k1_PRID1_h.raw "open:backup/astral1/$month/k1_PRID1_h.raw" 0
killed "first S3 request" k2_PRID1_i.raw connect:1 0
killed "re-reading the instrument copy (--deep)" k3_PRID1_j.raw "open:instruments/astral1/k3_PRID1_j.raw" 0 --deep
killed "between two deletions" b_PRID1_k4.d unlinkat:2 2
killed "after the last deletion, before recording" b_PRID1_k5.d unlinkat:402 402

# --- 8 processes at once on one set ---
: >"$work/codes"
pids=()
for i in 1 2 3 4 5 6 7 8; do
  ("$rb" "${c[@]}" --lock-wait 120 --json purge race_PRID1_r.d >"$work/race.$i" 2>"$work/race.$i.err"; echo $? >>"$work/codes") &
  pids+=($!)
done
wait "${pids[@]}"
[ "$(sort -u "$work/codes")" = 0 ] && pass "race: all 8 exit 0" || failure "race: exit codes" "$(sort "$work/codes" | tr '\n' ' ')"
[ "$(cat "$work"/race.[1-8] | grep -c '"outcome":"purged"')" = 1 ] && [ "$(cat "$work"/race.[1-8] | grep -c '"outcome":"unchanged"')" = 7 ] \
  && pass "race: one purged, seven found it done" || failure "race: outcomes" "$(cat "$work"/race.[1-8])"
events_of race_PRID1_r.d
[ "$(grep -c 'purged: ' "$work/hist")" = 1 ] && pass "race: one purge recorded" || failure "race: purge events" "$(cat "$work/hist")"
[ ! -e "$inst/timstof1/race_PRID1_r.d" ] && pass "race: set gone" || failure "race: set still there"

summary
