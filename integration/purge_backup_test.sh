#!/usr/bin/env bash
# purge --target backup end to end on the real filesystem and s3rver (through the fault
# proxy): a clean purge of the local backup (the instrument folder untouched, the S3 objects
# read back in the same run, every later task on S3 alone); each refusal provoked — too
# young, upload not finished, an S3 object gone, an extra file in the backup folder, not
# backup_type s3 — with the backup tree compared before and after; .bkp copies kept until
# their own minimum age; --dry-run; kill -9 at each phase (reading S3, between two
# deletions, after the last deletion before recording), each finished by a re-run that does
# not read S3 again once the purge was recorded.
# Usage: purge_backup_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=s3rver rb="$1"
source "$here/s3/harness.sh"

cc -shared -fPIC -o "$work/kill_at.so" "$here/kill_at.c" -ldl || { echo "cannot build kill_at.so"; exit 1; }
inst="$work/instruments"
mkdir -p "$inst/astral1" "$inst/timstof1"
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-bpurge, endpoint_url: \"$proxy\", part_size_mb: 5}}"
write_config "$work/local.yaml" "{backup_type: local}"
c=(--config "$work/c.yaml")
s3 PUT /rb-bpurge-prid1 -o /dev/null

old() { find "$@" -exec touch -h -d '100 days ago' {} +; }  # acquired 100 days ago
thermo() { head -c "$2" /dev/urandom >"$inst/astral1/$1"; old "$inst/astral1/$1"; }
bruker() {
  local d="$inst/timstof1/$1"
  mkdir -p "$d/sub"
  head -c 7000 /dev/urandom >"$d/analysis.tdf"
  for i in $(seq "${2:-3}"); do head -c $((1000 + i)) /dev/urandom >"$d/sub/f$i.bin"; done
  old "$d"
}
backed_up() {  # SET: instrument:name
  must "checksum ${1#*:}" "$rb" "${c[@]}" checksum --instrument "${1%%:*}" "${1#*:}"
  must "copy-local ${1#*:}" "$rb" "${c[@]}" copy-local "${1#*:}"
  must "upload-s3 ${1#*:}" "$rb" "${c[@]}" upload-s3 "${1#*:}"
}
# Every entry of the backup and instrument folders with type, size and mtime, and each MD5.
tree() { (cd "$work" && find backup instruments -printf '%p %y %s %T@\n' | sort && find backup instruments -type f -exec md5sum {} + | sort); }
# refused NAME CODE ARGS...: purge --target backup ARGS exits CODE and nothing changed
refused() {
  local name="$1" code="$2" before
  shift 2
  before="$(tree)"
  expect_code "$name" "$code" "$rb" "${c[@]}" purge --target backup "$@"
  [ "$before" = "$(tree)" ] && pass "$name: nothing deleted" || failure "$name: the tree changed" "$(diff <(echo "$before") <(tree) | head -5)"
}
field() { "$rb" "${c[@]}" --json status "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['records'][0]['$2'])"; }
backup_of() { find "$work/backup" -mindepth 3 -maxdepth 3 -name "$1"; }

thermo ok_PRID1_a.raw $((6 * 1024 * 1024 + 17))
thermo young_PRID1_b.raw 1000
touch "$inst/astral1/young_PRID1_b.raw"
thermo noup_PRID1_c.raw 1000
for name in nos3_PRID1_d k1_PRID1_e bkp_PRID1_f; do thermo "$name.raw" 3000; done
for name in b_PRID1_extra b_PRID1_dry b_PRID1_k2; do bruker "$name.d"; done
bruker b_PRID1_k3.d 40
for set in astral1:ok_PRID1_a.raw astral1:young_PRID1_b.raw astral1:nos3_PRID1_d.raw astral1:k1_PRID1_e.raw \
  astral1:bkp_PRID1_f.raw timstof1:b_PRID1_extra.d timstof1:b_PRID1_dry.d timstof1:b_PRID1_k2.d timstof1:b_PRID1_k3.d; do
  backed_up "$set"
done
must "checksum noup" "$rb" "${c[@]}" checksum --instrument astral1 noup_PRID1_c.raw
must "copy-local noup" "$rb" "${c[@]}" copy-local noup_PRID1_c.raw

# --- a clean purge ---
folder="$(dirname "$(backup_of ok_PRID1_a.raw)")"
instrument_before="$(cd "$work" && find instruments -printf '%p %s %T@\n' | sort && find instruments -type f -exec md5sum {} + | sort)"
rules '[]'
expect_code "clean purge" 0 "$rb" "${c[@]}" purge --target backup ok_PRID1_a.raw
expect_match "says what it freed" "$work/out" '^purge --target backup ok_PRID1_a.raw: purged: 1 file\(s\), 6.0 MiB freed from .*/backup/astral1/'
expect_match "every check listed" "$work/out" 'checks: s3 backup recorded ok .*age ok \(acquired 100.0 day\(s\) ago, minimum 90.0\); backup copy ok .*s3 backup ok \(verified now \(deep'
[ ! -e "$folder/ok_PRID1_a.raw" ] && pass "the local backup is gone" || failure "the local backup is still there"
[ "$instrument_before" = "$(cd "$work" && find instruments -printf '%p %s %T@\n' | sort && find instruments -type f -exec md5sum {} + | sort)" ] \
  && pass "the instrument folder is untouched" || failure "the instrument folder changed"
grep -q '^GET /rb-bpurge-prid1/ok_PRID1_a.raw' "$log" && pass "the S3 object was read back in this run" || failure "no GET of the object" "$(cat "$log")"
[ "$(field ok_PRID1_a.raw backup_purged_at)" = "$(field ok_PRID1_a.raw last_verified_at)" ] && pass "backup_purged_at = last_verified_at" || failure "backup_purged_at"
expect_code "status of the record" 0 "$rb" "${c[@]}" status ok_PRID1_a.raw
expect_match "  shows the purge" "$work/out" 'backup_purged_at: +20[0-9-]+T'
expect_code "status table" 0 "$rb" "${c[@]}" status
expect_match "  shows it" "$work/out" 'ok_PRID1_a.raw .*local purged'
expect_code "purge again" 0 "$rb" "${c[@]}" --json purge --target backup ok_PRID1_a.raw
expect_match "  unchanged" "$work/out" '"outcome":"unchanged"'
expect_code "copy-local skips it" 0 "$rb" "${c[@]}" copy-local ok_PRID1_a.raw
expect_match "  saying why" "$work/out" 'local backup was purged at'
[ ! -e "$folder/ok_PRID1_a.raw" ] && pass "  and copies nothing" || failure "copy-local copied the set again"
expect_code "verify checks S3" 0 "$rb" "${c[@]}" verify ok_PRID1_a.raw
expect_match "  S3 only" "$work/out" 'ok \(s3;'
expect_code "verify --local names the purge" 4 "$rb" "${c[@]}" verify --local ok_PRID1_a.raw
expect_match "  why" "$work/out" 'the local backup was purged at'
expect_code "restore --from local is refused" 2 "$rb" "${c[@]}" restore --from local --to "$work/r" ok_PRID1_a.raw
expect_match "  pointing to S3" "$work/err" 'from s3'
expect_code "restore --from s3" 0 "$rb" "${c[@]}" restore --from s3 --to "$work/r" ok_PRID1_a.raw
cmp -s "$inst/astral1/ok_PRID1_a.raw" "$work/r/ok_PRID1_a.raw" && pass "  byte-identical" || failure "restored file differs"
expect_code "an instrument purge now proves S3 alone, deep" 0 "$rb" "${c[@]}" --json purge --dry-run ok_PRID1_a.raw
expect_match "  says so" "$work/out" '"check":"s3 \(deep\) backup","detail":"verified now","state":"ok"'
! grep -q '"check":"local' "$work/out" && pass "  without the local backup" || failure "  checked the local backup" "$(cat "$work/out")"

# --- each refusal: nothing deleted ---
refused "too young: kept" 0 young_PRID1_b.raw
expect_match "  kept, saying why" "$work/out" 'kept: too young: acquired 0.0 day\(s\) ago, minimum 90.0'
refused "too young with --skip-exit-code 99" 99 --skip-exit-code 99 young_PRID1_b.raw
refused "upload not finished" 4 noup_PRID1_c.raw
expect_match "  names it" "$work/out" 'no finished S3 backup recorded \(backup_status pending\)'
s3 DELETE /rb-bpurge-prid1/nos3_PRID1_d.raw -o /dev/null
refused "S3 object missing" 4 nos3_PRID1_d.raw
expect_match "  names the object" "$work/out" 'verify failed: s3 nos3_PRID1_d.raw'
[ "$(field nos3_PRID1_d.raw backup_status)" = attention ] && pass "  the record needs a person (attention)" || failure "  backup_status" "$(field nos3_PRID1_d.raw backup_status)"
echo new >"$(backup_of b_PRID1_extra.d)/sub/new.tdf"
refused "an extra file in the backup folder" 3 b_PRID1_extra.d
expect_match "  lists it" "$work/out" 'b_PRID1_extra.d/sub/new.tdf: not a file of the record'
expect_code "not backup_type s3: a usage error" 2 "$rb" --config "$work/local.yaml" purge --target backup b_PRID1_dry.d
expect_match "  one line" "$work/err" 'needs backup_type: s3'

# --- .bkp copies: kept until their own minimum age ---
bkp_folder="$(dirname "$(backup_of bkp_PRID1_f.raw)")"
echo older >"$bkp_folder/bkp_PRID1_f.raw.1.bkp"
expect_code "a .bkp copy younger than purge.bkp_min_age_days" 0 "$rb" "${c[@]}" purge --target backup bkp_PRID1_f.raw
expect_match "  is kept" "$work/out" 'kept 1 .bkp cop\(ies\) younger than their minimum age'
[ -e "$bkp_folder/bkp_PRID1_f.raw.1.bkp" ] && pass "  still there" || failure "  the .bkp copy is gone"
echo older >"$folder/ok_PRID1_a.raw.1.bkp"
expect_code "after a purge, --bkp-min-age 0" 0 "$rb" "${c[@]}" purge --target backup --bkp-min-age 0 ok_PRID1_a.raw bkp_PRID1_f.raw
[ ! -e "$folder/ok_PRID1_a.raw.1.bkp" ] && [ ! -e "$bkp_folder/bkp_PRID1_f.raw.1.bkp" ] && pass "  takes them" || failure "  .bkp copies left" "$(ls "$folder" "$bkp_folder")"

# --- dry run ---
"$rb" "${c[@]}" status --history b_PRID1_dry.d >"$work/hist.before" 2>&1
refused "dry run" 0 --dry-run b_PRID1_dry.d
expect_match "  files and size" "$work/out" '^purge --target backup b_PRID1_dry.d \(dry run\): would delete 4 file\(s\), '
"$rb" "${c[@]}" status --history b_PRID1_dry.d >"$work/hist" 2>&1
cmp -s "$work/hist" "$work/hist.before" && pass "  records nothing" || failure "  dry run recorded" "$(diff "$work/hist.before" "$work/hist")"
# A selection (the daily purge) visits sets purged within purge.bkp_min_age_days (their .bkp
# copies age), and leaves out those purged before.
"$rb" "${c[@]}" purge --target backup --dry-run --all-status done --instrument astral1 >"$work/out" 2>"$work/err"
expect_match "a selection visits a set purged within the .bkp age" "$work/out" '^purge --target backup ok_PRID1_a.raw \(dry run\): would be unchanged'
"$rb" "${c[@]}" purge --target backup --dry-run --bkp-min-age 0 --all-status done --instrument astral1 >"$work/out" 2>"$work/err"
! grep -q '^purge --target backup ok_PRID1_a.raw' "$work/out" && pass "  and leaves it out past that age" || failure "  purged set selected" "$(grep ok_PRID1_a "$work/out")"
expect_match "  the others still in it" "$work/out" '^purge --target backup young_PRID1_b.raw'

# --- kill -9 at each phase, then a re-run ---
# killed NAME ID KILL_AT GONE RECORDED: killed at KILL_AT; GONE files of the backup must be
# gone, backup_purged_at set when RECORDED is yes; the re-run purges (or finishes) the set,
# reading S3 only when the purge was not recorded yet.
killed() {
  local name="$1" id="$2" at="$3" gone="$4" recorded="$5" set_path before after
  set_path="$(backup_of "$id")"
  before="$(find "$set_path" -type f | wc -l)"
  KILL_AT="$at" LD_PRELOAD="$work/kill_at.so" "$rb" "${c[@]}" purge --target backup "$id" >/dev/null 2>&1
  local code=$?
  [ "$code" = 137 ] && pass "$name: killed ($at)" || failure "$name: not killed at $at" "exit $code"
  after="$(find "$set_path" -type f 2>/dev/null | wc -l)"
  [ $((before - after)) = "$gone" ] && pass "$name: $gone file(s) gone by then" || failure "$name: $((before - after)) file(s) gone, expected $gone"
  if [ "$recorded" = yes ]; then
    [ "$(field "$id" backup_purged_at)" != None ] && pass "$name: recorded before the first unlink" || failure "$name: not recorded"
  else
    [ "$(field "$id" backup_purged_at)" = None ] && pass "$name: not recorded as purged" || failure "$name: recorded as purged"
  fi
  rules '[]'
  expect_code "$name: re-run" 0 "$rb" "${c[@]}" --json purge --target backup "$id"
  expect_match "$name: re-run purges" "$work/out" '"outcome":"purged"'
  [ ! -e "$set_path" ] && pass "$name: backup of the set gone" || failure "$name: still there" "$(find "$set_path")"
  if [ "$recorded" = yes ]; then
    ! grep -q '^GET ' "$log" && pass "$name: the re-run finishes without reading S3 again" || failure "$name: S3 read again" "$(head -3 "$log")"
  fi
  "$rb" "${c[@]}" status --history "$id" >"$work/hist" 2>&1
  [ "$recorded" = no ] || expect_match "$name: the finish recorded" "$work/hist" 'local backup purge finished'
}
killed "reading S3 back" k1_PRID1_e.raw connect:1 0 no
killed "between two deletions" b_PRID1_k2.d unlinkat:2 2 yes
killed "after the last deletion, before recording" b_PRID1_k3.d unlinkat:41 41 yes

summary
