#!/usr/bin/env bash
# restore and verify --deep of a set of many small files side by side with Debian's awscli v2
# (`aws s3 cp --recursive`, its default 10 requests at once), same Ceph gateway (bluestore on
# a sparse file, started here on 127.0.0.1), in one run:
#   F  restore --from s3 of a Bruker-like .d of $FILES files of 1-64 KiB: files/s, median of
#      $RUNS, against awscli's download of the same prefix (target >= 1.5x awscli's files/s)
#   S  the same restore with backup.s3.concurrency 1: one file at a time, as restore fetched
#      before issue 21.7 (less the 40 ms delayed ACK it then paid per GET)
#   D  verify --s3 --deep of the set (fetched and hashed, nothing written): files/s
# Needs: scripts/setup.sh --test-servers; installs awscli and time from Debian when missing.
# Usage: bench/restore_vs_awscli.sh   (BENCH_DIR=var/bench, RUNS=3, FILES=1500, CONCURRENCY=4)
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib=0
source bench/lib.sh
runs=${RUNS:-3}
files=${FILES:-1500}

with_ceph_and_awscli
config() {  # config CONCURRENCY
  cat >"$work/restore.yaml" <<YAML
store: {path: restore.sqlite}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {tims: {type: bruker, path: tims, required_members: []}}
locations: {backup: backup}
project_pattern: "_(P\\\\d+)_"
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rbbench, endpoint_url: "$S3_ENDPOINT", concurrency: $1}}
YAML
}
set_name=restore_P1_run.d
folder="$work/tims/$set_name"
if [ "$(find "$folder" -type f 2>/dev/null | wc -l)" -ne "$files" ]; then
  rm -rf "$folder"
  python3 bench/make_frames.py "$folder" "$files"
fi
c=(--config "$work/restore.yaml")
config "${CONCURRENCY:-4}"
rm -f "$work/restore.sqlite"
s3 PUT /rbbench-p1 -o /dev/null
"$rb" "${c[@]}" checksum --instrument tims "$set_name" >/dev/null 2>&1
"$rb" "${c[@]}" upload-s3 "$set_name" >/dev/null 2>&1
source_url="$("$rb" "${c[@]}" --json status "$set_name" | python3 -c 'import json,sys; print(json.load(sys.stdin)["records"][0]["s3_upload_path"])')"
echo "F/S/D: $files files from $source_url, $runs runs each" >&2
rb_restore=("$rb" "${c[@]}" restore --from s3 --to "$work/to_rb" "$set_name")
aws_restore=("$aws" --endpoint-url "$S3_ENDPOINT" s3 cp --recursive --quiet "$source_url$set_name" "$work/to_aws/$set_name")
"${rb_restore[@]}" >/dev/null 2>&1  # warm-up (untimed): the OSD's first reads
for _ in $(seq "$runs"); do
  rm -rf "$work/to_rb" "$work/to_aws"
  timed rb_many "${rb_restore[@]}"
  timed aws_many "${aws_restore[@]}"
  timed rb_deep "$rb" "${c[@]}" verify --s3 --deep "$set_name"
done
[ "$(find "$work/to_rb" -type f | wc -l)" -eq "$files" ] || echo "restore left $(find "$work/to_rb" -type f | wc -l) files" >&2
diff -r "$folder" "$work/to_rb/$set_name" >/dev/null || echo "restored files differ from the set" >&2
diff -r "$folder" "$work/to_aws/$set_name" >/dev/null || echo "awscli's files differ from the set" >&2
config 1
rm -rf "$work/to_rb"
timed rb_serial "${rb_restore[@]}"

rb_s=$(seconds_of rb_many) aws_s=$(seconds_of aws_many) serial=$(seconds_of rb_serial) deep=$(seconds_of rb_deep)
awk -v rb="$rb_s" -v aws="$aws_s" -v n="$files" 'BEGIN {printf "F  restore of %d files: rawbackup %.2f s (%.0f files/s), aws s3 cp --recursive %.2f s (%.0f files/s): ratio %.2fx (target >= 1.5)\n", n, rb, n/rb, aws, n/aws, aws/rb}'
awk -v s="$serial" -v rb="$rb_s" -v n="$files" 'BEGIN {printf "S  one file at a time (concurrency 1): %.2f s (%.0f files/s); side by side is %.1fx faster\n", s, n/s, s/rb}'
awk -v d="$deep" -v n="$files" 'BEGIN {printf "D  verify --s3 --deep: %.2f s (%.0f files/s)\n", d, n/d}'
echo "CPU (user+sys): rawbackup restore $(cpu_of rb_many) s, awscli $(cpu_of aws_many) s, verify --deep $(cpu_of rb_deep) s"
echo "peak RSS: rawbackup restore $(peak_rss_mib_of rb_many) MiB, awscli $(peak_rss_mib_of aws_many) MiB, verify --deep $(peak_rss_mib_of rb_deep) MiB"
