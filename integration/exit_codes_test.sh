#!/usr/bin/env bash
# The exit-code contract: the README's table and `--help` (global and every task) list the
# same codes, and each code is provoked here by what the table says causes it, including a
# batch whose exit code is its worst outcome. Usage: exit_codes_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
readme="$(dirname "$0")/../README.md"

# The codes of README's "## Exit codes" table and of a --help text ("N" for the skip code).
readme_codes() { sed -n '/^## Exit codes/,/^## /p' "$readme" | sed -n 's/^| \([0-9N]\{1,3\}\) |.*/\1/p' | sort | tr '\n' ' '; }
help_codes() { sed -n '/^Exit codes:/,$p' | sed -n 's/^  \([0-9N]\{1,3\}\) .*/\1/p' | sort | tr '\n' ' '; }
want="$(readme_codes)"
[ "$want" = "0 1 130 2 3 4 N " ] && pass "README table lists 0 1 2 3 4 130 N" || failure "README table" "$want"
got="$("$rb" --help | help_codes)"
[ "$got" = "$want" ] && pass "rawbackup --help lists the README's codes" || failure "rawbackup --help" "$got"
for task in checksum copy-local upload-s3 verify restore status; do
  got="$("$rb" "$task" --help | help_codes)"
  [ "$got" = "$want" ] && pass "$task --help lists the README's codes" || failure "$task --help" "$got"
done

inst="$work/instruments/astral1"
mkdir -p "$inst"
for n in a b c; do head -c $((1024 * 1024)) /dev/urandom >"$inst/${n}_PRID1.raw"; done
write_config "$work/c.yaml" '{backup_type: local}' 'instruments: {astral1: {type: thermo, path: instruments/astral1}}' 'project_pattern:'
c=(--config "$work/c.yaml")
for n in a b c; do "$rb" "${c[@]}" checksum --instrument astral1 "${n}_PRID1.raw" >/dev/null 2>&1; done

expect_code "0: success" 0 "$rb" "${c[@]}" copy-local a_PRID1.raw
expect_code "0: nothing to do (re-run)" 0 "$rb" "${c[@]}" copy-local a_PRID1.raw
expect_code "2: unknown option" 2 "$rb" "${c[@]}" copy-local --bogus a_PRID1.raw
expect_code "2: no checksum yet" 2 "$rb" "${c[@]}" copy-local never_PRID1.raw
expect_code "2: bad --since" 2 "$rb" "${c[@]}" copy-local --since "next week"
dest="$(dirname "$(find "$work/backup" -name a_PRID1.raw)")"
mv "$inst/b_PRID1.raw" "$work/b.saved"
expect_code "1: source gone since checksum (I/O)" 1 "$rb" "${c[@]}" copy-local b_PRID1.raw
head -c 1000 /dev/urandom >"$dest/c_PRID1.raw"
expect_code "3: differing destination (conflict)" 3 "$rb" "${c[@]}" copy-local c_PRID1.raw

# A batch runs every selected id and exits with the worst outcome (3 beats 1 beats 0).
expect_code "batch: worst of skipped (a), failed (b), conflict (c) is 3" 3 "$rb" "${c[@]}" --json copy-local --instrument astral1
expect_match "batch: summary counts each outcome" "$work/out" '"counts":\{"conflict":1,"failed":1,"skipped":1\}'
mv "$work/b.saved" "$inst/b_PRID1.raw"
expect_code "batch: re-run of the failed one only" 0 "$rb" "${c[@]}" --json copy-local --all-status failed
expect_match "batch: selected b only" "$work/out" '"id":"b_PRID1.raw".*"selected":1'

flip_byte "$dest/a_PRID1.raw" 100
expect_code "4: verify finds the local copy differs" 4 "$rb" "${c[@]}" verify a_PRID1.raw
expect_code "99: upload-s3 --skip-exit-code 99 with backup_type local" 99 "$rb" "${c[@]}" upload-s3 --skip-exit-code 99 a_PRID1.raw

# 130: SIGTERM while hashing a large (sparse) file.
truncate -s 8G "$inst/big_PRID1.raw"
in_background "$work/out" "$work/err" "$rb" "${c[@]}" checksum --instrument astral1 big_PRID1.raw
wait_for "$work/err" 'hashing 1 file'
kill -TERM "$pid"
wait "$pid"
code=$?
[ "$code" -eq 130 ] && pass "130: SIGTERM" || failure "130: SIGTERM" "exit $code; $(tail -c 300 "$work/err")"
rm -f "$inst/big_PRID1.raw"
summary
