#!/usr/bin/env bash
# A paused holder never overwrites the work of the host that took over (fencing). The first
# run (host-a) stops itself with SIGSTOP at an exact phase (integration/kill_at.c with
# KILL_SIGNAL=STOP), as a frozen VM would; a second host (host-b) waits until host-a's lease
# expired (store.lease_seconds: 5), takes the record over and finishes; then host-a gets
# SIGCONT. It must exit 1 naming the run that took over, and the record, the objects (no
# request after the resume, at the proxy) and the files stay exactly host-b's. Phases:
# copy-local before its rename, a single PUT, a multipart upload before its last parts and
# Complete, purge between two deletions. Against s3rver, on the SQLite or PostgreSQL store.
# Usage: pause_test.sh sqlite|postgresql PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
backend="$1" server=s3rver rb="$2"
source "$here/s3/harness.sh"
if [ "$backend" = postgresql ]; then
  source "$here/store/harness.sh"
  store="store: {url: \"$pg_url\", lease_seconds: 5}"
else
  store="store: {path: store.sqlite, lease_seconds: 5}"
fi
cc -shared -fPIC -o "$work/kill_at.so" "$here/kill_at.c" -ldl || { echo "cannot build kill_at.so"; exit 1; }

inst="$work/instruments"
mkdir -p "$inst/astral1" "$inst/timstof1/p_PRID1_x.d/sub"
head -c $((3 * 1024 * 1024 + 1)) /dev/urandom >"$inst/astral1/s_PRID1_x.raw"        # one PUT
head -c $((12 * 1024 * 1024 + 5)) /dev/urandom >"$inst/astral1/m_PRID1_x.raw"       # 3 parts of 5 MiB
for i in 1 2 3 4 5; do head -c $((20000 + i)) /dev/urandom >"$inst/timstof1/p_PRID1_x.d/sub/f$i.bin"; done
find "$inst" -exec touch -h -d '20 days ago' {} +
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-pause, endpoint_url: \"$proxy\", part_size_mb: 5, concurrency: 1}}" "$store"
c=(--config "$work/c.yaml")
s3 PUT /rb-pause-prid1 -o /dev/null
month="$(date -u -r "$inst/astral1/s_PRID1_x.raw" +%Y_%m)"

on() { local host=$1; shift; RAWBACKUP_HOST_ID=$host "$rb" "${c[@]}" "$@"; }
stopped() { [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = T ]; }
# pause_a NAME KILL_AT COUNT ARGS...: host-a runs ARGS and stops itself at KILL_AT (the COUNTth
# time); the test goes on once the process is stopped.
pause_a() {
  local name=$1 at=$2 count=$3
  shift 3
  LD_PRELOAD="$work/kill_at.so" KILL_SIGNAL=STOP KILL_AT="$at" KILL_AT_COUNT="$count" RAWBACKUP_HOST_ID=host-a \
    "$rb" "${c[@]}" "$@" >"$work/a.out" 2>"$work/a.err" &
  a_pid=$!
  if wait_until 120 stopped "$a_pid"; then pass "$name: host-a paused at $at"; else
    failure "$name: host-a paused at $at" "$(tail -c 300 "$work/a.err")"; kill -9 "$a_pid" 2>/dev/null; summary; exit 1
  fi
}
# take_over NAME ARGS...: host-b runs ARGS; it waits for host-a's lease to expire, then works.
take_over() {
  local name=$1
  shift
  for _ in 1 2 3 4 5 6; do  # a busy machine may need more than one lock wait (10 s) for 5 s of silence
    RAWBACKUP_HOST_ID=host-b expect_code "$name: host-b takes over and finishes" 0 "$rb" "${c[@]}" "$@" 2>/dev/null
    grep -q 'busy: .* is held by' "$work/err" || break
    failed=$((failed - 1))
  done
  expect_match "$name: host-b took over the expired lock" "$work/err" 'took over the lock on .* left by .* on host-a'
}
# resume_a NAME: SIGCONT; host-a must exit 1 naming host-b, and send nothing to S3 after it.
resume_a() {
  local name=$1
  : >"$log"
  kill -CONT "$a_pid"
  wait "$a_pid"
  local code=$?
  [ "$code" -eq 1 ] && pass "$name: the resumed host-a exits 1" || failure "$name: the resumed host-a exits 1" "exit $code: $(tail -c 400 "$work/a.err")"
  expect_match "$name: host-a names the run that took over" "$work/a.err" 'the lock on .* was taken over by (another run, which has finished since \(last change: )?[a-z0-9-]+ on host-b pid'
  [ ! -s "$log" ] || ! grep -Eq '^(PUT|POST|DELETE) ' "$log" && pass "$name: host-a sends no change to S3 after its resume" ||
    failure "$name: host-a sends no change to S3 after its resume" "$(grep -E '^(PUT|POST|DELETE) ' "$log" | head -3)"
}
# record_of ID: the fields another host's work sets (status, backup status, error, where,
# files, last change), to compare before and after host-a's resume.
record_of() {
  on host-c --json status "$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)["records"][0]
print(json.dumps({k: r[k] for k in ("status", "backup_status", "error", "s3_upload_path", "backup_base_path", "updated_at", "purged_at")}, sort_keys=True))'
}
events_of() { on host-c status --history "$1" | wc -l; }

for set in astral1:s_PRID1_x.raw astral1:m_PRID1_x.raw timstof1:p_PRID1_x.d; do
  must "checksum ${set#*:}" on host-a checksum --instrument "${set%%:*}" "${set#*:}"
done

# --- copy-local, paused after creating its temporary file (before the rename) ---
pause_a "copy-local" "open:rawbackup-tmp" 1 copy-local s_PRID1_x.raw
take_over "copy-local" copy-local s_PRID1_x.raw
dest="$work/backup/astral1/$month/s_PRID1_x.raw"
before="$(record_of s_PRID1_x.raw) $(events_of s_PRID1_x.raw) $(stat -c '%i %Y' "$dest")"
[[ "$before" == *'"status": "copying_done"'* ]] && pass "copy-local: host-b's record says copying_done" ||
  failure "copy-local: host-b's record says copying_done" "$before"
resume_a "copy-local"
[ "$(record_of s_PRID1_x.raw) $(events_of s_PRID1_x.raw) $(stat -c '%i %Y' "$dest")" = "$before" ] &&
  pass "copy-local: record, history and backup file are host-b's" || failure "copy-local: record, history and backup file are host-b's" "$(record_of s_PRID1_x.raw)"
cmp -s "$inst/astral1/s_PRID1_x.raw" "$dest" && pass "copy-local: the backup is whole" || failure "copy-local: the backup is whole"
[ -z "$(find "$work/backup" -name '*rawbackup-tmp*')" ] && pass "copy-local: host-a's temporary file is gone" || failure "copy-local: host-a's temporary file is gone"
must "copy-local the others" on host-b copy-local m_PRID1_x.raw p_PRID1_x.d

# upload_paused NAME FILE COUNT: host-a's upload-s3 of FILE paused at the COUNTth open of it,
# host-b's upload, host-a resumed: the record, its history and the object stay host-b's.
upload_paused() {
  local name=$1 file=$2 before etag
  pause_a "$name" "open:$file" "$3" upload-s3 "$file"
  take_over "$name" upload-s3 "$file"
  etag="$(etag_of "rb-pause-prid1/$file")"
  before="$(record_of "$file") $(events_of "$file")"
  [[ "$before" == *'"backup_status": "done"'* ]] && pass "$name: host-b's record says done" ||
    failure "$name: host-b's record says done" "$before"
  resume_a "$name"
  [ "$(record_of "$file") $(events_of "$file")" = "$before" ] && pass "$name: record and history are host-b's" ||
    failure "$name: record and history are host-b's" "$(record_of "$file")"
  [ "$(etag_of "rb-pause-prid1/$file")" = "$etag" ] && pass "$name: the object is host-b's" || failure "$name: the object is host-b's"
}
# One PUT, paused as it opens the file to send.
upload_paused "single PUT" s_PRID1_x.raw 1
# Multipart, paused before its second part: host-b uploads the file (s3rver has no ListParts,
# so a new upload; on Ceph it would resume host-a's) and completes it.
upload_paused "multipart" m_PRID1_x.raw 2
must "get the object" s3_ok GET /rb-pause-prid1/m_PRID1_x.raw -o "$work/object"
cmp -s "$work/object" "$inst/astral1/m_PRID1_x.raw" && pass "multipart: the object holds the file" || failure "multipart: the object holds the file"

# --- purge, paused after its first deletion; an operator puts the files back meanwhile ---
must "upload-s3 the Bruker set" on host-b upload-s3 p_PRID1_x.d
pause_a "purge" "unlinkat:1" 1 purge --require local p_PRID1_x.d
take_over "purge" purge --require local p_PRID1_x.d
[ ! -e "$inst/timstof1/p_PRID1_x.d" ] && pass "purge: host-b finished the purge" || failure "purge: host-b finished the purge"
cp -rp "$work/backup/timstof1/$month/p_PRID1_x.d" "$inst/timstof1/"  # an operator puts it back
before="$(record_of p_PRID1_x.d) $(events_of p_PRID1_x.d)"
[[ "$before" == *'"purged_at": "20'* ]] && pass "purge: host-b's record says purged" || failure "purge: host-b's record says purged" "$before"
resume_a "purge"
[ "$(find "$inst/timstof1/p_PRID1_x.d" -type f | wc -l)" -eq 5 ] && pass "purge: the files put back are all there" ||
  failure "purge: the files put back are all there" "$(find "$inst/timstof1/p_PRID1_x.d" -type f | wc -l) left"
[ "$(record_of p_PRID1_x.d) $(events_of p_PRID1_x.d)" = "$before" ] && pass "purge: record and history are host-b's (one purge)" ||
  failure "purge: record and history are host-b's (one purge)"
summary
