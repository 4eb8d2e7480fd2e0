#!/usr/bin/env bash
# `scan` on the real file system, driven by real writers step by step (each step is an event,
# so a busy machine changes nothing): a Thermo file that grows with its mtime set an hour in
# the past (unsettled at every scan, and checksum refuses it on scan's word), then stops and
# settles; a Bruker .d whose analysis.tdf_bin appears and grows while small files appear; a
# Sciex pair whose .wiff.scan grows; a file renamed mid-acquisition; a set deleted before it
# was recorded; a recorded set left out; two acquisitions of one name in a row (the first
# purged: a collision; restored: recorded); an instrument folder on a tmpfs (mount: true) that is
# unmounted between two scans, and a folder emptied of sets seen within the day (exit 1 both,
# never "nothing new"). Needs root (mount). Usage: scan_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount -l "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work" || exit 1
mkdir -p instruments/astral1 instruments/timstof1 instruments/zeno1 instruments/shared backup
mount -t tmpfs -o size=4m tmpfs instruments/shared && mounts+=("$work/instruments/shared") ||
  { failure "set-up: mount tmpfs"; summary; exit 1; }
write_config c.yaml "{backup_type: local}" "checksum: {settle_seconds: 2}" \
  "instruments: {astral1: {type: thermo, path: instruments/astral1}, timstof1: {type: bruker, path: instruments/timstof1}, zeno1: {type: sciex, path: instruments/zeno1}, shared: {type: thermo, path: instruments/shared, mount: true}}"

scan() { "$rb" --config c.yaml --json scan "$@" >"$work/out" 2>"$work/err"; echo $? >"$work/rc"; }
# state_of NAME: the state scan gave NAME in $work/out ("none" when not listed)
state_of() {
  python3 - "$work/out" "$1" <<'PY'
import json, sys
sets = [s for s in json.load(open(sys.argv[1]))["sets"] if s["raw_file"] == sys.argv[2]]
print(sets[0]["state"] if sets else "none")
PY
}
grow() { head -c "$2" /dev/urandom >>"$1"; }

# A Thermo file that grows; its mtime is set an hour back after each write (an acquisition
# PC whose clock is behind): by mtimes alone it has long settled.
grow instruments/astral1/a_PRID1.raw 4096
echo x >instruments/shared/s_PRID1.raw
grow instruments/astral1/b_PRID1.raw 1000
grow instruments/astral1/d_PRID1.raw 1000
unsettled_rounds=0
for round in 1 2 3; do
  grow instruments/astral1/a_PRID1.raw 4096
  touch -d '1 hour ago' instruments/astral1/a_PRID1.raw
  scan
  [ "$(state_of a_PRID1.raw)" = unsettled ] && unsettled_rounds=$((unsettled_rounds + 1))
done
[ "$unsettled_rounds" = 3 ] && pass "a growing file with an mtime an hour back stays unsettled" ||
  failure "growing file" "$(cat "$work/out")"
expect_code "checksum refuses it on scan's sighting, whatever its mtime (not ready: 1)" 1 \
  "$rb" --config c.yaml checksum --instrument astral1 a_PRID1.raw
expect_match "  and says scan saw it change" "$work/err" "scan saw it change"
touch -d '1 hour ago' instruments/astral1/a_PRID1.raw  # as after its last write

# Bruker: analysis.tdf first, then analysis.tdf_bin grows while small files appear.
mkdir -p instruments/timstof1/t_PRID1.d
grow instruments/timstof1/t_PRID1.d/analysis.tdf 2000
scan
[ "$(state_of t_PRID1.d)" = unsettled ] && pass "a .d without analysis.tdf_bin is unsettled" || failure ".d" "$(cat "$work/out")"
expect_match "  naming the missing main file" "$work/out" "analysis.tdf_bin is missing"
for i in 1 2 3; do
  grow instruments/timstof1/t_PRID1.d/analysis.tdf_bin 8192
  grow "instruments/timstof1/t_PRID1.d/small_$i.txt" 10
  scan
  [ "$(state_of t_PRID1.d)" = unsettled ] || failure "  .d growing, round $i" "$(state_of t_PRID1.d)"
done
# Sciex: the .wiff.scan grows beside its .wiff.
grow instruments/zeno1/z_PRID1.wiff 3000
for i in 1 2; do
  grow instruments/zeno1/z_PRID1.wiff.scan 5000
  scan
  [ "$(state_of z_PRID1.wiff)" = unsettled ] || failure "  sciex growing, round $i" "$(state_of z_PRID1.wiff)"
done
pass "a .d whose analysis.tdf_bin grows and a Sciex pair whose .wiff.scan grows stay unsettled"

# A file renamed mid-acquisition and a set deleted before it was recorded.
mv instruments/astral1/b_PRID1.raw instruments/astral1/c_PRID1.raw
rm instruments/astral1/d_PRID1.raw
scan
[ "$(state_of b_PRID1.raw)" = renamed ] && pass "a renamed file is reported as renamed" || failure "rename" "$(cat "$work/out")"
expect_match "  to its new name" "$work/out" '"renamed_to":"c_PRID1.raw"'
[ "$(state_of d_PRID1.raw)" = vanished ] && pass "a set deleted before it was recorded is vanished" || failure "vanished" "$(cat "$work/out")"

# Nothing changes any more: every set settles (an event: the scan that says so).
all_ready() {
  scan
  [ "$(state_of a_PRID1.raw)" = ready ] && [ "$(state_of t_PRID1.d)" = ready ] &&
    [ "$(state_of z_PRID1.wiff)" = ready ] && [ "$(state_of c_PRID1.raw)" = ready ]
}
wait_until 60 all_ready && pass "once unchanged for the settle time, all four are ready" || failure "settle" "$(cat "$work/out")"
ready_list="$(python3 -c 'import json,sys; print(" ".join(r["raw_file"] for r in json.load(open(sys.argv[1]))["ready"]))' "$work/out")"
case "$ready_list" in *a_PRID1.raw*c_PRID1.raw*|*c_PRID1.raw*a_PRID1.raw*) pass "  and in the list a DAG maps over";; *) failure "ready list" "$ready_list";; esac
scan --limit 1
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if len(d["ready"])==1 and d["more_ready"]>=3 else 1)' "$work/out" &&
  pass "--limit 1 hands on one and counts the rest" || failure "--limit" "$(cat "$work/out")"

expect_code "checksum of a ready set" 0 "$rb" --config c.yaml checksum --instrument astral1 a_PRID1.raw
scan --instrument astral1
[ "$(state_of a_PRID1.raw)" = none ] && pass "a recorded set is left out" || failure "recorded" "$(cat "$work/out")"
"$rb" --config c.yaml scan --instrument astral1 --all >"$work/text" 2>&1
expect_match "  and shown with --all, in a table" "$work/text" "astral1 +recorded +a_PRID1.raw"

# Two acquisitions of one name in a row: the first recorded, backed up and purged from the
# instrument, then the instrument writes x_PRID1.raw again: a collision, never handed on; the
# first one restored to the instrument is the recorded set again.
grow instruments/astral1/x_PRID1.raw 3000
touch -d '2 hours ago' instruments/astral1/x_PRID1.raw
must "first x: checksum" "$rb" --config c.yaml checksum --settle 0 --instrument astral1 x_PRID1.raw
must "first x: copy-local" "$rb" --config c.yaml copy-local x_PRID1.raw
must "first x: purge" "$rb" --config c.yaml purge --min-age 0 x_PRID1.raw
[ ! -e instruments/astral1/x_PRID1.raw ] || failure "first x: purged" "still there"
grow instruments/astral1/x_PRID1.raw 5000
scan --instrument astral1
[ "$(state_of x_PRID1.raw)" = collision ] && pass "a second acquisition of a purged name: collision" ||
  failure "collision" "$(cat "$work/out")"
expect_match "  says it is another acquisition" "$work/out" 'another acquisition of the same name; rename it on the instrument'
! grep -q '"ready":\[[^]]*x_PRID1' "$work/out" && pass "  never handed on" || failure "  handed on" "$(cat "$work/out")"
rm instruments/astral1/x_PRID1.raw
must "restore of the first x" "$rb" --config c.yaml restore --to instruments/astral1 x_PRID1.raw
scan --instrument astral1
[ "$(state_of x_PRID1.raw)" = none ] && pass "  the first one restored: recorded again, not a collision" ||
  failure "restored" "$(cat "$work/out")"

# The tmpfs instrument folder (mount: true) is unmounted: exit 1 naming it, not "nothing new".
scan --instrument shared
[ "$(cat "$work/rc")" = 0 ] && pass "a mounted instrument folder scans" || failure "mounted" "$(cat "$work/err")"
umount "$work/instruments/shared" && mounts=()
scan
[ "$(cat "$work/rc")" = 1 ] && pass "the unmounted folder: exit 1" || failure "unmounted" "rc $(cat "$work/rc")"
expect_match "  naming it as not a mount point" "$work/out" "shared.*not a mount point"
[ "$(state_of c_PRID1.raw)" = ready ] && pass "  the other instruments are still reported" || failure "others" "$(cat "$work/out")"
# Without the mount key, an emptied folder whose sets were seen within the day is still an error.
rm -f instruments/zeno1/*
"$rb" --config c.yaml --json scan --instrument zeno1 >"$work/out" 2>"$work/err"
rc=$?
[ "$rc" = 1 ] && grep -q "is empty, but z_PRID1.wiff was seen" "$work/out" &&
  pass "a folder emptied of sets seen within the day: exit 1, not nothing new" || failure "emptied" "rc $rc $(cat "$work/out")"
expect_match "  and the error is logged on stderr" "$work/err" "is empty, but"
summary
