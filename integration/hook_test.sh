#!/usr/bin/env bash
# The acquisition PC's post-run hook (packaging/post-acquisition.sh, shown in the README and
# shipped in the package): checksum retried only while it answers 1, at most the bound; every
# other exit code passed on at once; then copy-local.
# Usage: hook_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/lib.sh"
rb="$1"
hook="$(cd "$(dirname "$0")/.." && pwd)/packaging/post-acquisition.sh"
cd "$work"
mkdir -p instruments/astral1
write_config "$work/c.yaml" '{backup_type: local}' 'checksum: {settle_seconds: 120}'
# A stand-in that counts checksum runs, then runs the real binary.
cat >"$work/counting" <<SH
#!/bin/sh
[ "\$1" = checksum ] && echo run >>"$work/checksum_runs"
exec "$rb" "\$@"
SH
chmod +x "$work/counting"
hook() { : >"$work/checksum_runs"; RAWBACKUP="$work/counting" RAWBACKUP_CONFIG="$work/c.yaml" RAWBACKUP_HOOK_WAIT=0 RAWBACKUP_HOOK_TRIES=3 sh "$hook" "$@"; }
runs() { wc -l <"$work/checksum_runs"; }

head -c 100000 /dev/urandom >instruments/astral1/fresh_PRID1.raw
expect_code "an acquisition still settling: exit 1 once the bound is reached" 1 hook fresh_PRID1.raw astral1
[ "$(runs)" -eq 3 ] && pass "  tried 3 times (RAWBACKUP_HOOK_TRIES)" || failure "  tries" "$(runs)"
expect_match "  says it gave up" "$work/err" 'fresh_PRID1.raw still not ready after 3 tries; giving up'

head -c 100000 /dev/urandom >instruments/astral1/future_PRID1.raw
touch -d '+10 days' instruments/astral1/future_PRID1.raw
expect_code "an mtime in the future: bounded too, exit 1" 1 hook future_PRID1.raw astral1
[ "$(runs)" -eq 3 ] && pass "  not forever" || failure "  tries" "$(runs)"

expect_code "a file that does not exist: exit 2 passed on at once" 2 hook missing_PRID1.raw astral1
[ "$(runs)" -eq 1 ] && pass "  not retried" || failure "  retried" "$(runs)"
expect_code "an unknown instrument: exit 2 at once" 2 hook fresh_PRID1.raw orbi9
[ "$(runs)" -eq 1 ] && pass "  not retried" || failure "  retried" "$(runs)"

head -c 100000 /dev/urandom >instruments/astral1/done_PRID1.raw
touch -d '-1 hour' instruments/astral1/done_PRID1.raw
expect_code "a finished acquisition: checksum, then copy-local" 0 hook done_PRID1.raw astral1
[ "$(runs)" -eq 1 ] && pass "  one checksum" || failure "  checksum runs" "$(runs)"
cmp -s instruments/astral1/done_PRID1.raw backup/astral1/*/done_PRID1.raw && pass "  copied to the backup" || failure "  not copied"

head -c 100000 /dev/urandom >instruments/astral1/done_PRID1.raw  # other bytes under the recorded name
touch -d '-1 hour' instruments/astral1/done_PRID1.raw
expect_code "other content under a recorded name: exit 3 passed on at once" 3 hook done_PRID1.raw astral1
[ "$(runs)" -eq 1 ] && pass "  not retried" || failure "  retried" "$(runs)"
expect_code "usage" 2 sh "$hook" only_one_argument
summary
