#!/usr/bin/env bash
# Full disks and read-only mounts for real (no ulimit, no fake): a backup folder on a small
# tmpfs that fills mid-copy (exit 1, nothing under the final name, no temporary file, the
# failure recorded), --overwrite on that full disk (the old copy stays under its name), the
# SQLite store on a full tmpfs (the task does not end as if its record was written), and a
# backup folder on a read-only bind mount (exit 2; doctor says so). Needs root (mount).
# Usage: full_disk_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
mounts=()
unmount_all() {
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null; done
  rm -rf "$work"
}
trap unmount_all EXIT
# tmpfs FOLDER SIZE
tmpfs() { mkdir -p "$1" && mount -t tmpfs -o "size=$2" tmpfs "$1" && mounts+=("$1") || { failure "set-up: mount tmpfs $1"; summary; exit 1; }; }

inst="$work/instruments/astral1"
mkdir -p "$inst"
head -c $((6 * 1024 * 1024)) /dev/urandom >"$inst/f_PRID1_big.raw"
head -c $((512 * 1024)) /dev/urandom >"$inst/f_PRID1_small.raw"
tmpfs "$work/backup" 4m
write_config "$work/c.yaml" '{backup_type: local}'
c=(--config "$work/c.yaml")
month="$(date -u -r "$inst/f_PRID1_big.raw" +%Y_%m)"
dest="$work/backup/astral1/$month"
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 f_PRID1_big.raw
must "checksum" "$rb" "${c[@]}" checksum --instrument astral1 f_PRID1_small.raw

expect_code "a 6 MiB copy onto a 4 MiB tmpfs" 1 "$rb" "${c[@]}" copy-local f_PRID1_big.raw
expect_match "says the disk is full" "$work/err" 'no space left'
[ ! -e "$dest/f_PRID1_big.raw" ] && pass "nothing under the final name" || failure "nothing under the final name"
[ -z "$(find "$work/backup" -name '*rawbackup-tmp*')" ] && pass "no temporary file left" || failure "no temporary file left"
expect_code "status" 0 "$rb" "${c[@]}" --json status f_PRID1_big.raw
expect_match "the failure is recorded" "$work/out" '"backup_status":"failed".*"error":"cannot write .*no space left'

# --overwrite on the full disk: the old (differing) copy must stay under its name.
mkdir -p "$dest"
head -c 3000 /dev/urandom >"$dest/f_PRID1_big.raw"
old="$(md5sum <"$dest/f_PRID1_big.raw")"
expect_code "--overwrite onto the full disk" 1 "$rb" "${c[@]}" copy-local --overwrite f_PRID1_big.raw
[ "$(md5sum <"$dest/f_PRID1_big.raw")" = "$old" ] && pass "the old copy is still under its name" || failure "the old copy is still under its name"
[ -z "$(find "$work/backup" -name '*.bkp')" ] && pass "nothing moved aside" || failure "nothing moved aside"
rm -f "$dest/f_PRID1_big.raw"

# The SQLite store on a tmpfs that is full: the copy succeeds, its record cannot be written.
tmpfs "$work/storefs" 2m
cp "$work/store.sqlite" "$work/storefs/"
write_config "$work/c2.yaml" '{backup_type: local}' "store: {path: storefs/store.sqlite}"
dd if=/dev/zero of="$work/storefs/filler" bs=64k 2>/dev/null
expect_code "copy-local with the store on a full disk" 1 "$rb" --config "$work/c2.yaml" copy-local f_PRID1_small.raw
expect_match "says the store could not be written" "$work/err" '(full|no space|disk I/O error)'
! grep -q '"outcome":"done"' "$work/out" && pass "no result claims the record was written" || failure "no result claims the record was written"
rm -f "$work/storefs/filler"
expect_code "status after space was freed" 0 "$rb" --config "$work/c2.yaml" --json status f_PRID1_small.raw
! grep -q '"status":"copying_done"' "$work/out" && pass "the record does not say copying_done" || failure "the record does not say copying_done"
expect_code "the re-run with space" 0 "$rb" --config "$work/c2.yaml" copy-local f_PRID1_small.raw

# A backup folder on a read-only bind mount.
mkdir -p "$work/ro.real" "$work/ro"
mount --bind "$work/ro.real" "$work/ro" && mounts+=("$work/ro") && mount -o remount,bind,ro "$work/ro" ||
  { failure "set-up: read-only bind mount"; summary; exit 1; }
write_config "$work/c3.yaml" '{backup_type: local}' "locations: {backup: ro}"
expect_code "copy-local onto a read-only mount" 2 "$rb" --config "$work/c3.yaml" copy-local f_PRID1_small.raw
expect_match "says it is read-only" "$work/err" 'Read-only file system'
expect_code "doctor on a read-only backup folder" 1 "$rb" --config "$work/c3.yaml" doctor
expect_match "doctor names it" "$work/out" 'fail backup folder .*Read-only file system'
summary
