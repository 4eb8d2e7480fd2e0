#!/usr/bin/env bash
# The binary end to end on real files: exit codes, --json, logs on stderr only, status views,
# re-runs and concurrent runs. Usage: cli_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
inst="$work/instruments"
mkdir -p "$inst/astral1" "$inst/timstof1/run 1_PRID9_ü.d/sub/deeper" "$inst/timstof1/run 1_PRID9_ü.d/empty"
head -c $((11 * 1024 * 1024)) /dev/urandom >"$inst/astral1/a_PRID1_x.raw"
echo tdf >"$inst/timstof1/run 1_PRID9_ü.d/analysis.tdf"
: >"$inst/timstof1/run 1_PRID9_ü.d/sub/deeper/zero.bin"
ln -s /etc/hostname "$inst/astral1/leak.raw"
write_config "$work/c.yaml" '{backup_type: local, s3: {region: r, bucket_prefix: b, part_size_mb: 5}}' 'store: {path: var/store.sqlite}'
c=(--config "$work/c.yaml")

expect_code "--version" 0 "$rb" --version
expect_match "--version prints the version and commit" "$work/out" '^rawbackup [0-9]+\.[0-9]+\.[0-9]+ \(git ([0-9a-f]+(-dirty)?|unknown)\)$'
expect_code "checksum --help" 0 "$rb" checksum --help
expect_match "help shows an example" "$work/out" 'Example:'
expect_match "help shows the exit codes" "$work/out" '130 +interrupted'
expect_code "no task is a usage error" 2 "$rb"
expect_code "unknown option is a usage error" 2 "$rb" "${c[@]}" checksum --bogus
env -u RAWBACKUP_CONFIG "$rb" status >"$work/out" 2>"$work/err"
[ $? -eq 2 ] && pass "no config: exit 2" || failure "no config: exit 2"
expect_match "no config names both ways" "$work/err" '--config FILE or set RAWBACKUP_CONFIG'
RAWBACKUP_CONFIG="$work/c.yaml" expect_code "config from RAWBACKUP_CONFIG" 0 "$rb" status

expect_code "checksum thermo" 0 "$rb" "${c[@]}" --json checksum --instrument astral1 a_PRID1_x.raw
[ "$(wc -l <"$work/out")" -eq 1 ] && pass "--json prints one line" || failure "--json prints one line"
expect_match "--json result" "$work/out" '"outcome":"done".*"task":"checksum"'
expect_match "logs go to stderr as JSON lines when not a TTY" "$work/err" '^\{"id":"a_PRID1_x.raw","level":"info"'
md5="$(md5sum "$inst/astral1/a_PRID1_x.raw" | cut -d' ' -f1)"
expect_code "status of one record" 0 "$rb" "${c[@]}" --json status a_PRID1_x.raw
expect_match "recorded MD5 equals md5sum" "$work/out" "\"md5\":\"$md5\""
expect_match "multipart ETag recorded" "$work/out" '"etag":"[0-9a-f]{32}-3"'
expect_match "project from pattern" "$work/out" '"project_id":"PRID1"'

expect_code "re-run is unchanged" 0 "$rb" "${c[@]}" --json checksum --instrument astral1 a_PRID1_x.raw
expect_match "re-run outcome" "$work/out" '"outcome":"unchanged"'

expect_code "bruker folder with spaces, unicode, nesting" 0 "$rb" "${c[@]}" checksum --instrument timstof1 "run 1_PRID9_ü.d"
expect_code "status table" 0 "$rb" "${c[@]}" status
expect_match "table lists both" "$work/out" 'run 1_PRID9_ü.d +timstof1 +PRID9 +checksummed'
expect_code "history" 0 "$rb" "${c[@]}" status --history "run 1_PRID9_ü.d"
expect_match "history shows the transition" "$work/out" 'status: checksumming -> checksummed'

expect_code "symlink out of the folder" 2 "$rb" "${c[@]}" checksum --instrument astral1 leak.raw
expect_code "wrong extension" 2 "$rb" "${c[@]}" checksum --instrument astral1 a.d
expect_code "unknown instrument" 2 "$rb" "${c[@]}" checksum --instrument nope a.raw
expect_code "missing file" 2 "$rb" "${c[@]}" --json checksum --instrument astral1 gone.raw
expect_match "--json error object" "$work/out" '"exit_code":2.*"outcome":"failed"'
expect_code "unknown id" 2 "$rb" "${c[@]}" status nope.raw

flip_byte "$inst/astral1/a_PRID1_x.raw" 100
expect_code "changed content is a conflict" 3 "$rb" "${c[@]}" checksum --instrument astral1 a_PRID1_x.raw
expect_match "conflict names the file" "$work/err" 'a_PRID1_x.raw \(md5'
expect_code "--overwrite accepts it" 0 "$rb" "${c[@]}" checksum --overwrite --instrument astral1 a_PRID1_x.raw

sed 's/part_size_mb: 5}/part_size_mb: 4}/' "$work/c.yaml" >"$work/bad.yaml"
expect_code "bad config" 2 "$rb" --config "$work/bad.yaml" status
expect_match "bad config names file and key" "$work/err" 'bad.yaml: backup.s3.part_size_mb: must be between 5 and 5120'

# Four runs at once on the same new file: all succeed, one record, store intact.
head -c $((6 * 1024 * 1024)) /dev/urandom >"$inst/astral1/b.raw"
pids=()
for i in 1 2 3 4; do "$rb" "${c[@]}" --json checksum --instrument astral1 b.raw >"$work/par$i" 2>&1 & pids+=($!); done
ok=0
for p in "${pids[@]}"; do wait "$p" && ok=$((ok + 1)); done
[ "$ok" -eq 4 ] && pass "4 concurrent checksums succeed" || failure "4 concurrent checksums succeed" "$ok of 4; $(cat "$work"/par*)"
expect_code "store after concurrent runs" 0 "$rb" "${c[@]}" --json status b.raw
expect_match "concurrent result is checksummed" "$work/out" '"status":"checksummed"'

# Names up to the filesystem's limit work (temporary names are shortened to fit).
long="$(printf 'L%.0s' $(seq 1 250)).raw"
head -c 1000 /dev/urandom >"$inst/astral1/$long"
expect_code "checksum of a 254-character name" 0 "$rb" "${c[@]}" checksum --instrument astral1 "$long"
expect_code "copy-local of a 254-character name" 0 "$rb" "${c[@]}" copy-local "$long"

summary
