#!/usr/bin/env bash
# Bad input, one table: config files, arguments, paths, store problems and S3 server replies.
# Each case must end with its stable exit code and exactly one error line on stderr (JSON-lines
# logs, or rawbackup's one line for argument errors), and write nothing: the record store, the
# backup folder and the bucket are compared before and after (server-reply cases may record
# the failure in the store, as designed, but write no data).
# Server: s3rver behind integration/s3/fault_proxy.py, which answers the bad replies itself.
# Usage: bad_input_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=s3rver rb="$1"
source "$here/s3/harness.sh"
export RAWBACKUP_LOG_FORMAT=json

inst="$work/instruments/astral1"
mkdir -p "$inst" "$work/instruments/timstof1/empty_PRID1.d" "$work/cfg"
head -c 1000 /dev/urandom >"$inst/ok_PRID1_a.raw"
head -c $((6 * 1024 * 1024)) /dev/urandom >"$inst/big_PRID1_b.raw"  # 2 parts of 5 MiB
head -c 100 /dev/urandom >"$work/instruments/timstof1/file_PRID1.d"
ln -s /etc/hostname "$inst/leak_PRID1.raw"
head -c 10 /dev/urandom >"$inst/wrong_PRID1.wiff"
printf 'x' >"$inst/$(printf 'nl\nx_PRID1.raw')"
base() {  # base BACKUP_TYPE [EXTRA S3 KEYS]: a valid config
  cat <<YAML
store: {path: $work/store.sqlite}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments:
  astral1: {type: thermo, path: $work/instruments/astral1}
  timstof1: {type: bruker, path: $work/instruments/timstof1}
locations: {backup: $work/backup}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: ${1:-s3}, s3: {region: us-east-1, bucket_prefix: rb-bad, endpoint_url: "$proxy", part_size_mb: 5${2:+, $2}}}
YAML
}
base >"$work/c.yaml"
c=(--config "$work/c.yaml")
s3 PUT /rb-bad-prid1 -o /dev/null
for id in ok_PRID1_a.raw big_PRID1_b.raw; do
  must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 "$id"
  must "copy-local" "$rb" "${c[@]}" copy-local "$id"
done

# What "nothing written" compares: every store row, the backup tree, the bucket's keys.
snapshot() {
  python3 - "$work/store.sqlite" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for table in ("raw_files", "events"):
    for row in db.execute(f"SELECT * FROM {table} ORDER BY 1"):
        print(table, row)
PY
  find "$work/backup" -printf '%P %s %T@\n' | sort
  s3 GET "/rb-bad-prid1?list-type=2" | grep -o '<Key>[^<]*</Key>' | sort
}
snapshot_data() { snapshot | grep -v '^raw_files\|^events'; }

cases=0
# bad NAME CODE [data] -- COMMAND...: one case ("data": only data must stay unchanged)
bad() {
  local name="$1" want="$2" scope=all
  shift 2
  [ "$1" = data ] && { scope=data; shift; }
  [ "$1" = -- ] && shift
  cases=$((cases + 1))
  local before after got lines
  if [ $scope = all ]; then before="$(snapshot)"; else before="$(snapshot_data)"; fi
  "$@" >"$work/out" 2>"$work/err"
  got=$?
  if [ $scope = all ]; then after="$(snapshot)"; else after="$(snapshot_data)"; fi
  lines="$(grep -c '"level":"error"\|^rawbackup: ' "$work/err")"
  if [ "$got" -ne "$want" ]; then
    failure "$name" "exit $got, wanted $want: $(tail -c 300 "$work/err")"
  elif [ "$lines" -ne 1 ]; then
    failure "$name" "$lines error lines: $(head -c 600 "$work/err")"
  elif [ "$before" != "$after" ]; then
    failure "$name" "something was written: $(diff <(echo "$before") <(echo "$after") | head -5)"
  else
    pass "$name (exit $want): $(grep -m1 -o '"msg":"[^"]*"\|^rawbackup: .*' "$work/err" | head -c 110)"
  fi
}
cfg() { printf '%s\n' "$2" >"$work/cfg/$1.yaml"; echo "$work/cfg/$1.yaml"; }
with() { local file="$1"; shift; "$rb" --config "$file" "$@"; }

# --- config files ---
bad "config: missing file" 2 -- with "$work/cfg/nope.yaml" status
bad "config: a directory" 2 -- with "$work/cfg" status
bad "config: empty" 2 -- with "$(cfg empty '')" status
bad "config: invalid YAML" 2 -- with "$(cfg invalid 'store: {path: [x')" status
head -c 300 /dev/urandom >"$work/cfg/garbage.yaml"
bad "config: binary garbage" 2 -- with "$work/cfg/garbage.yaml" status
bad "config: unknown key" 2 -- with "$(cfg typo "$(base; echo 'stroe: 1')")" status
bad "config: no store.path" 2 -- with "$(cfg nostore "$(base | sed 's/^store: .*/store: {}/')")" status
bad "config: instruments not a mapping" 2 -- with "$(cfg inst "$(base | sed '/^  astral1\|^  timstof1/d; s/^instruments:/instruments: [a, b]/')")" status
bad "config: unknown vendor" 2 -- with "$(cfg vendor "$(base | sed 's/type: thermo/type: waters/')")" status
bad "config: unknown backup_type" 2 -- with "$(cfg btype "$(base tape)")" status
bad "config: s3 without its section" 2 -- with "$(cfg nos3 "$(base | sed 's/backup: .*/backup: {backup_type: s3}/')")" status
bad "config: part_size_mb 0" 2 -- with "$(cfg ps0 "$(base | sed 's/part_size_mb: 5/part_size_mb: 0/')")" status
bad "config: part_size_mb beyond 5 GiB" 2 -- with "$(cfg psbig "$(base | sed 's/part_size_mb: 5/part_size_mb: 6000/')")" status
bad "config: concurrency 0" 2 -- with "$(cfg conc "$(base s3 'concurrency: 0')")" status
bad "config: max_bandwidth unreadable" 2 -- with "$(cfg bw "$(base s3 'max_bandwidth: fast')")" status
bad "config: project_pattern not a regex" 2 -- with "$(cfg re "$(base | sed 's/project_pattern: .*/project_pattern: "(PRID"/')")" status
bad "config: endpoint not http(s)" 2 -- with "$(cfg ep "$(base | sed "s|endpoint_url: \"$proxy\"|endpoint_url: \"ftp://x\"|")")" status
bad "config: control character in a value" 2 -- with "$(cfg ctl "$(base | sed 's/type: thermo/type: "th\\nermo"/')")" status

# --- arguments ---
bad "args: no task" 2 -- "$rb" "${c[@]}"
bad "args: unknown task" 2 -- "$rb" "${c[@]}" backup-everything
bad "args: unknown option" 2 -- "$rb" "${c[@]}" copy-local --bogus ok_PRID1_a.raw
bad "args: checksum NAME without --instrument" 2 -- "$rb" "${c[@]}" checksum ok_PRID1_a.raw
bad "args: checksum without NAME or selection" 2 -- "$rb" "${c[@]}" checksum
bad "args: negative --lock-wait" 2 -- "$rb" "${c[@]}" --lock-wait -1 status
bad "args: unknown --log-level" 2 -- "$rb" "${c[@]}" --log-level loud status
bad "args: unknown --log-format" 2 -- "$rb" "${c[@]}" --log-format xml status
bad "args: unreadable --since" 2 -- "$rb" "${c[@]}" copy-local --since someday
bad "args: unknown --all-status" 2 -- "$rb" "${c[@]}" upload-s3 --all-status lost
bad "args: ids and a selection" 2 -- "$rb" "${c[@]}" copy-local --instrument astral1 ok_PRID1_a.raw
bad "args: --concurrency 0" 2 -- "$rb" "${c[@]}" upload-s3 --concurrency 0 ok_PRID1_a.raw
bad "args: unreadable --max-bandwidth" 2 -- "$rb" "${c[@]}" upload-s3 --max-bandwidth lots ok_PRID1_a.raw
bad "args: restore without --to" 2 -- "$rb" "${c[@]}" restore ok_PRID1_a.raw
bad "args: restore --from tape" 2 -- "$rb" "${c[@]}" restore --from tape --to "$work/r" ok_PRID1_a.raw
bad "args: --skip-exit-code 300" 2 -- "$rb" "${c[@]}" upload-s3 --skip-exit-code 300 ok_PRID1_a.raw
bad "args: copy-local of an unknown id" 2 -- "$rb" "${c[@]}" copy-local never_PRID1.raw
bad "args: status of an unknown id" 2 -- "$rb" "${c[@]}" status never_PRID1.raw

# --- raw-file names and paths ---
bad "path: '..' in the name" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 ../x_PRID1.raw
bad "path: '/' in the name" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 sub/x_PRID1.raw
bad "path: an absolute path" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 /etc/passwd.raw
bad "path: symlink out of the folder" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 leak_PRID1.raw
bad "path: a 300-character name" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 "$(printf 'a%.0s' $(seq 296)).raw"
bad "path: wrong extension for the vendor" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 wrong_PRID1.wiff
bad "path: a bare extension" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 .raw
bad "path: missing file" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 gone_PRID1.raw
bad "path: a newline in the name" 2 -- "$rb" "${c[@]}" checksum --instrument astral1 "$(printf 'nl\nx_PRID1.raw')"
bad "path: a .d that is a file" 2 -- "$rb" "${c[@]}" checksum --instrument timstof1 file_PRID1.d
bad "path: an empty .d folder" 2 -- "$rb" "${c[@]}" checksum --instrument timstof1 empty_PRID1.d
bad "path: instrument folder missing" 2 -- with "$(cfg noinst "$(base | sed "s|$work/instruments/astral1|$work/instruments/nowhere|")")" checksum --instrument astral1 ok_PRID1_a.raw

# --- the record store ---
touch "$work/cfg/afile"
bad "store: parent is a file" 2 -- with "$(cfg sfile "$(base | sed "s|store: {path: .*}|store: {path: $work/cfg/afile/s.sqlite}|")")" checksum --instrument astral1 ok_PRID1_a.raw
bad "store: path is a folder" 2 -- with "$(cfg sdir "$(base | sed "s|store: {path: .*}|store: {path: $work/cfg}|")")" status
head -c 5000 /dev/urandom >"$work/cfg/garbage.sqlite"
bad "store: not a database" 2 -- with "$(cfg sgarbage "$(base | sed "s|store: {path: .*}|store: {path: $work/cfg/garbage.sqlite}|")")" status
bad "store: read-only location" 2 -- with "$(cfg sro "$(base | sed "s|store: {path: .*}|store: {path: /proc/1/rawbackup.sqlite}|")")" checksum --instrument astral1 ok_PRID1_a.raw
cp "$work/store.sqlite" "$work/cfg/newer.sqlite"
python3 -c "import sqlite3,sys; sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version = 99')" "$work/cfg/newer.sqlite"
bad "store: newer schema" 2 -- with "$(cfg snewer "$(base | sed "s|store: {path: .*}|store: {path: $work/cfg/newer.sqlite}|")")" status
python3 -c "
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute('BEGIN EXCLUSIVE'); open(sys.argv[2], 'w').close(); time.sleep(14)" "$work/store.sqlite" "$work/locked" &
locker=$!
for _ in $(seq 50); do [ -f "$work/locked" ] && break; sleep 0.1; done
bad "store: locked by another process (busy)" 1 -- "$rb" "${c[@]}" copy-local ok_PRID1_a.raw
wait $locker

# --- S3 server replies (answered by the proxy) ---
reply() { rules "[{\"method\": \"$1\", \"query\": \"$2\", \"fault\": \"reply\", \"status\": $3, \"body\": $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$4"), \"content_type\": \"${5:-application/xml}\", \"times\": 100}]"; }
html='<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>
<hr><center>nginx</center></body></html>'
up() { "$rb" "${c[@]}" upload-s3 "$@"; }
reply HEAD "" 502 "$html" text/html
bad "s3: HTML 502 pages (retried, then failed)" 1 data -- up ok_PRID1_a.raw
reply POST uploads 200 '<InitiateMultipartUploadResult><Bucket>x</'
bad "s3: garbage XML for an upload ID" 1 data -- up big_PRID1_b.raw
reply POST uploads 200 ''
bad "s3: empty body for an upload ID" 1 data -- up big_PRID1_b.raw
reply PUT "" 400 "$html" text/html
bad "s3: HTML 400 page for a PUT" 1 data -- up ok_PRID1_a.raw
reply POST uploadId 200 '<?xml version="1.0"?><Error><Code>InternalError</Code><Message>boom</Message></Error>'
bad "s3: Complete answers 200 with <Error> every time" 1 data -- up big_PRID1_b.raw
reply HEAD "" 403 ''
bad "s3: 403 without a body" 1 data -- up ok_PRID1_a.raw
reply POST uploads 200 "$(printf '<Error><Code>Weird\nCode</Code><Message>line1\nline2\r\x01</Message></Error>')"
bad "s3: error reply with control characters" 1 data -- up big_PRID1_b.raw
rules '[{"method": "POST", "query": "uploads", "fault": "truncate", "times": 100}]'
bad "s3: truncated replies (retried, then failed)" 1 data -- up big_PRID1_b.raw
rules '[]'
[ "$cases" -ge 50 ] && pass "$cases bad-input cases" || failure "at least 50 cases" "$cases"
summary
