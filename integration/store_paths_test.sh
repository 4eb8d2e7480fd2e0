#!/usr/bin/env bash
# Paths read from the store are not trusted: a record whose file keys were edited in the store
# (`../../x`, an absolute path, `a//b`) is refused by every task that turns keys into paths
# (copy-local, upload-s3, verify, restore, purge) with exit 2 naming the record and the key,
# and nothing is written outside the folders; restore never writes through a symlinked folder
# beneath --to. Against s3rver on 127.0.0.1; the store edited with Python's sqlite3.
# Usage: store_paths_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
server=s3rver rb="$1"
source "$here/s3/harness.sh"

inst="$work/instruments"
bruker="$inst/timstof1/b_PRID1_x.d"
mkdir -p "$inst/astral1" "$bruker/sub" "$work/outside"
head -c 70000 /dev/urandom >"$inst/astral1/a_PRID1_x.raw"
head -c 9000 /dev/urandom >"$bruker/analysis.tdf"
head -c 5000 /dev/urandom >"$bruker/sub/f.bin"
find "$inst" -exec touch -h -d '20 days ago' {} +
write_config "$work/c.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-paths, endpoint_url: \"$proxy\", part_size_mb: 5}}"
c=(--config "$work/c.yaml")
s3 PUT /rb-paths-prid1 -o /dev/null
for set in astral1:a_PRID1_x.raw timstof1:b_PRID1_x.d; do
  must "checksum ${set#*:}" "$rb" "${c[@]}" checksum --instrument "${set%%:*}" "${set#*:}"
  must "copy-local ${set#*:}" "$rb" "${c[@]}" copy-local "${set#*:}"
  must "upload-s3 ${set#*:}" "$rb" "${c[@]}" upload-s3 "${set#*:}"
done

# edit_key ID OLD NEW: the record's file key OLD becomes NEW, as someone with write access to
# the shared store could make it.
edit_key() {
  python3 - "$work/store.sqlite" "$@" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
n = db.execute("UPDATE raw_file_files SET path = ? WHERE raw_file_id = ? AND path = ?", (sys.argv[4], sys.argv[2], sys.argv[3])).rowcount
db.commit()
sys.exit(0 if n == 1 else 1)
EOF
}
: >"$work/out"
: >"$work/err"
: >"$work/both"
outside_before="$(find "$work" -path "$work/server" -prune -o -print | sort)"
prev_key=b_PRID1_x.d/sub/f.bin
for key in '../../outside/x' "$work/outside/x" 'b_PRID1_x.d//sub/f.bin' 'b_PRID1_x.d/./sub/f.bin' 'other.d/f.bin'; do
  must "edit the key to $key" edit_key b_PRID1_x.d "$prev_key" "$key"
  prev_key="$key"
  rm -rf "$work/backup/timstof1"  # copy-local would have to write again
  for task in "copy-local" "upload-s3" "verify" "verify --deep --s3" "restore --to $work/restored" "purge --min-age 1"; do
    # shellcheck disable=SC2086 # the task's words
    expect_code "'$key': $task is refused" 2 "$rb" "${c[@]}" $task b_PRID1_x.d
    cat "$work/out" "$work/err" >"$work/both"  # verify reports per id in its result
    expect_match "'$key': $task names the record and the key" "$work/both" "record of b_PRID1_x.d is refused: its file key '$(printf '%s' "$key" | sed 's/[.[\*^$/]/\\&/g')'"
  done
done
[ "$(find "$work" -path "$work/server" -prune -o -print | sort)" = "$(printf '%s\n' "$outside_before" | grep -v "^$work/backup/timstof1")" ] &&
  pass "nothing written anywhere by the refused tasks" || failure "nothing written anywhere by the refused tasks" \
  "$(diff <(printf '%s\n' "$outside_before") <(find "$work" -path "$work/server" -prune -o -print | sort) | head -5)"
[ -e "$bruker/sub/f.bin" ] && pass "purge deleted nothing" || failure "purge deleted nothing"
must "put the key back" edit_key b_PRID1_x.d "$prev_key" b_PRID1_x.d/sub/f.bin
expect_code "the repaired record restores" 0 "$rb" "${c[@]}" restore --to "$work/restored" b_PRID1_x.d
diff -r "$bruker" "$work/restored/b_PRID1_x.d" >/dev/null && pass "restored identical" || failure "restored identical"
[ "$(stat -c %Y "$bruker/sub/f.bin")" = "$(stat -c %Y "$work/restored/b_PRID1_x.d/sub/f.bin")" ] &&
  pass "  with the recorded mtime" || failure "  mtime" "$(stat -c %y "$bruker/sub/f.bin" "$work/restored/b_PRID1_x.d/sub/f.bin")"

# A worker that reaches the same backup at another path (issue 31.2): the record holds the
# folder relative to locations.backup, each host resolves it with its own config.
expect_match "the record's backup folder is relative" <("$rb" "${c[@]}" --json status a_PRID1_x.raw) '"backup_base_path":"astral1/[0-9]{4}_[0-9]{2}"'
mv "$work/backup" "$work/nas-elsewhere"  # the worker's mount point; the acquisition host's path is gone
write_config "$work/worker.yaml" "{backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-paths, endpoint_url: \"$proxy\", part_size_mb: 5}}" "locations: {backup: nas-elsewhere}"
w=(--config "$work/worker.yaml")
expect_code "worker: verify --local finds the backup under its own path" 0 "$rb" "${w[@]}" verify --local a_PRID1_x.raw
expect_match "  reads it there" <("$rb" "${w[@]}" verify --dry-run --local a_PRID1_x.raw) "from $work/nas-elsewhere/astral1/"
expect_code "  the acquisition host (its path gone) finds it missing" 4 "$rb" "${c[@]}" verify --local a_PRID1_x.raw
expect_code "  the worker's verify clears that" 0 "$rb" "${w[@]}" verify a_PRID1_x.raw
expect_match "  the record is done again" <("$rb" "${w[@]}" --json status a_PRID1_x.raw) '"backup_status":"done"'

# A symlinked folder beneath --to is not written through.
mkdir -p "$work/to2/b_PRID1_x.d"
ln -s "$work/outside" "$work/to2/b_PRID1_x.d/sub"
expect_code "restore through a symlinked folder is refused" 3 "$rb" "${c[@]}" restore --to "$work/to2" b_PRID1_x.d
expect_match "names the link" "$work/err" "$work/to2/b_PRID1_x.d/sub is a symlink"
[ -z "$(ls -A "$work/outside")" ] && pass "nothing written through the link" || failure "nothing written through the link" "$(ls -A "$work/outside")"
summary
