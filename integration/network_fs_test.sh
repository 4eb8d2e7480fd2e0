#!/usr/bin/env bash
# Backup, instrument and restore folders on a real FUSE mount (Debian's bindfs over a local
# folder), which refuses every rename flag as Linux's NFS client does: copy-local of a Thermo
# file and of a Bruker .d of 300 files, the existing-destination refusal (exit 3) and
# --overwrite's .bkp, kill -9 between a commit's hard link and its unlink (exact, through
# integration/kill_at.c) followed by a re-run, restore onto the mount, purge of an instrument
# copy on the mount, and doctor naming the file system and committing its probe there.
# Needs root (mount) and /dev/fuse. Usage: network_fs_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
here="$(cd "$(dirname "$0")" && pwd)"
rb="$1"
mounts=()
unmount_all() {
  for m in "${mounts[@]}"; do fusermount -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap unmount_all EXIT
# on_fuse FOLDER: FOLDER becomes a bindfs view of FOLDER.real
on_fuse() {
  mkdir -p "$1.real" "$1"
  bindfs "$1.real" "$1" || { failure "set-up: bindfs $1"; summary; exit 1; }
  mounts+=("$1")
}
cc -shared -fPIC -o "$work/kill_at.so" "$here/kill_at.c" -ldl || { echo "cannot build kill_at.so"; exit 1; }

on_fuse "$work/backup"
on_fuse "$work/instruments"
on_fuse "$work/restored"
# The mechanism under test: this mount refuses RENAME_NOREPLACE (EINVAL), as NFS does.
refusal="$(python3 - "$work/backup" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = os.path.join(sys.argv[1], "probe-a"), os.path.join(sys.argv[1], "probe-b")
open(a, "w").close()
rc = libc.syscall(316, -100, a.encode(), -100, b.encode(), 1)  # renameat2(..., RENAME_NOREPLACE)
print(os.strerror(ctypes.get_errno()) if rc != 0 else "renamed")
os.unlink(a if rc != 0 else b)
EOF
)"
[ "$refusal" = "Invalid argument" ] && pass "the FUSE mount refuses RENAME_NOREPLACE (EINVAL)" ||
  failure "the FUSE mount refuses RENAME_NOREPLACE" "$refusal"

inst="$work/instruments"
mkdir -p "$inst/astral1" "$inst/timstof1/b_PRID1_x.d"
head -c $((3 * 1024 * 1024 + 7)) /dev/urandom >"$inst/astral1/a_PRID1_x.raw"
bruker="$inst/timstof1/b_PRID1_x.d"
for i in $(seq 300); do
  mkdir -p "$bruker/f$((i % 7))"
  head -c $((1000 + i)) /dev/urandom >"$bruker/f$((i % 7))/s$i.bin"
done
head -c 200000 /dev/urandom >"$bruker/analysis.tdf"
find "$inst" -exec touch -h -d '20 days ago' {} +
write_config "$work/c.yaml" '{backup_type: local}'
c=(--config "$work/c.yaml")
month="$(date -u -r "$inst/astral1/a_PRID1_x.raw" +%Y_%m)"
dest="$work/backup/astral1/$month/a_PRID1_x.raw"
dest_d="$work/backup/timstof1/$month/b_PRID1_x.d"
temps() { find "$work/backup" "$work/restored" -name '*rawbackup-tmp*' | wc -l; }

must "checksum thermo" "$rb" "${c[@]}" checksum --instrument astral1 a_PRID1_x.raw
must "checksum bruker" "$rb" "${c[@]}" checksum --instrument timstof1 b_PRID1_x.d
expect_code "copy-local of a Thermo file onto the mount" 0 "$rb" "${c[@]}" copy-local a_PRID1_x.raw
cmp -s "$inst/astral1/a_PRID1_x.raw" "$dest" && pass "the copy is byte-identical" || failure "the copy is byte-identical"
expect_code "copy-local of a .d of 301 files onto the mount" 0 "$rb" "${c[@]}" --json copy-local b_PRID1_x.d
expect_match "every file copied" "$work/out" '"copied":301'
diff -r "$bruker" "$dest_d" >/dev/null && pass "the .d is identical" || failure "the .d is identical"
[ "$(temps)" -eq 0 ] && pass "no temporary file left" || failure "no temporary file left" "$(temps)"
expect_code "status: backed up" 0 "$rb" "${c[@]}" --json status a_PRID1_x.raw
expect_match "copying_done" "$work/out" '"backup_status":"done".*"status":"copying_done"'

# A destination that differs is refused, never replaced; --overwrite keeps it as .1.bkp.
flip_byte "$dest" 10
before="$(md5sum <"$dest")"
expect_code "a differing destination is refused" 3 "$rb" "${c[@]}" copy-local a_PRID1_x.raw
[ "$(md5sum <"$dest")" = "$before" ] && pass "the differing destination is untouched" || failure "the differing destination is untouched"
expect_code "--overwrite on the mount" 0 "$rb" "${c[@]}" copy-local --overwrite a_PRID1_x.raw
[ "$(md5sum <"$dest.1.bkp")" = "$before" ] && pass "the old copy is kept as .1.bkp" || failure "the old copy is kept as .1.bkp"
cmp -s "$inst/astral1/a_PRID1_x.raw" "$dest" && pass "the new copy is identical" || failure "the new copy is identical"

# kill -9 right after a commit's hard link, before its unlink: the final name holds the
# whole file, the temporary name too; the re-run finishes and sweeps the temporary.
rm -rf "$dest_d" "$dest" "$dest.1.bkp"
for n in 1 150; do
  LD_PRELOAD="$work/kill_at.so" KILL_AT="link:$n" "$rb" "${c[@]}" copy-local b_PRID1_x.d >/dev/null 2>&1
  code=$?
  [ "$code" -eq 137 ] && pass "killed after hard link $n" || failure "killed after hard link $n" "exit $code"
  [ "$(temps)" -ge 1 ] && pass "the killed commit left its temporary name" || failure "the killed commit left its temporary name"
  bad=0
  while IFS= read -r -d '' f; do cmp -s "$f" "$bruker/${f#"$dest_d"/}" || bad=$((bad + 1)); done < <(find "$dest_d" -type f ! -name '.*' -print0)
  [ "$bad" -eq 0 ] && pass "every final name holds its whole file" || failure "every final name holds its whole file" "$bad differ"
done
LD_PRELOAD="$work/kill_at.so" KILL_AT="link:1" "$rb" "${c[@]}" copy-local a_PRID1_x.raw >/dev/null 2>&1
cmp -s "$inst/astral1/a_PRID1_x.raw" "$dest" && pass "killed after its link: the Thermo file is whole" || failure "killed after its link: the Thermo file is whole"
expect_code "re-run after the kills (.d)" 0 "$rb" "${c[@]}" copy-local b_PRID1_x.d
expect_code "re-run after the kill (Thermo)" 0 "$rb" "${c[@]}" --json copy-local a_PRID1_x.raw
expect_match "the Thermo re-run finds it copied" "$work/out" '"outcome":"(skipped|done)"'
diff -r "$bruker" "$dest_d" >/dev/null && pass "the .d is complete after the re-run" || failure "the .d is complete after the re-run"
[ "$(temps)" -eq 0 ] && pass "the re-runs removed the killed runs' temporaries" || failure "the re-runs removed the killed runs' temporaries" "$(find "$work/backup" -name '*rawbackup-tmp*' | head -3)"

# restore onto the mount; an existing differing file there is refused (exit 3).
expect_code "restore from the local backup onto the mount" 0 "$rb" "${c[@]}" restore --from local --to "$work/restored" b_PRID1_x.d a_PRID1_x.raw
diff -r "$bruker" "$work/restored/b_PRID1_x.d" >/dev/null && pass "the restored .d is identical" || failure "the restored .d is identical"
cmp -s "$inst/astral1/a_PRID1_x.raw" "$work/restored/a_PRID1_x.raw" && pass "the restored file is identical" || failure "the restored file is identical"
flip_byte "$work/restored/a_PRID1_x.raw" 3
expect_code "restore over a differing file on the mount is refused" 3 "$rb" "${c[@]}" restore --from local --to "$work/restored" a_PRID1_x.raw
[ "$(temps)" -eq 0 ] && pass "restore left no temporary file" || failure "restore left no temporary file"

# purge of the instrument copies, which sit on the mount too.
expect_code "purge on the mount" 0 "$rb" "${c[@]}" purge --min-age 1 a_PRID1_x.raw b_PRID1_x.d
[ ! -e "$inst/astral1/a_PRID1_x.raw" ] && [ ! -e "$bruker" ] && pass "both instrument copies are gone" || failure "both instrument copies are gone" "$(ls -R "$inst" | head)"

# doctor: the file system and its options, and the probe committed the way copy-local does.
expect_code "doctor --write-probe on the mount" 0 "$rb" "${c[@]}" doctor --write-probe
expect_match "names the backup folder's file system" "$work/out" "backup folder .* on fuse \(rw,.*\) at $work/backup"
expect_match "the probe was committed and removed" "$work/out" 'a probe file committed and removed'
expect_match "names the instrument folder's file system" "$work/out" "instrument astral1 .* on fuse \("
[ -z "$(find "$work/backup" -name '.rawbackup-doctor*')" ] && pass "the probe is gone" || failure "the probe is gone"
summary
