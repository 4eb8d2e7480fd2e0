#!/usr/bin/env bash
# upload-s3 side by side with Debian's awscli v2 (`aws s3 cp`), same Ceph gateway (bluestore
# on a sparse file, started here on 127.0.0.1), same part size, in one run:
#   P4  2 GiB file, ${PART_MB:-64} MiB parts: wall time (median of $RUNS), throughput ratio
#   P5  2 GiB file, 500 MiB parts: peak RSS of both
#   P6  a Bruker-like folder of $FILES files of 64 KiB–4 MiB: files/s (`cp --recursive`)
#   R   re-run of the done folder: HEAD requests only, ms per file
# Needs: scripts/setup.sh --test-servers; installs awscli and time from Debian when missing.
# Usage: bench/upload_vs_awscli.sh   (BENCH_DIR=var/bench, RUNS=3, FILES=2000, PART_MB=64,
#        CONCURRENCY=4 for rawbackup; awscli keeps its default of 10)
set -euo pipefail
cd "$(dirname "$0")/.."
size_gib=2
part_mb=${PART_MB:-64}
source bench/lib.sh
runs=${RUNS:-3}
files=${FILES:-2000}

with_ceph_and_awscli
aws_parts() { printf '[default]\ns3 =\n  multipart_chunksize = %sMB\n  multipart_threshold = %sMB\n' "$1" "$1" >"$AWS_CONFIG_FILE"; }
config() {  # config PART_MB
  cat >"$work/up.yaml" <<YAML
store: {path: up.sqlite}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {bench: {type: thermo, path: inst}, tims: {type: bruker, path: tims, required_members: []}}
locations: {backup: backup}
project_pattern: "_(P\\\\d+)_"
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rbbench, endpoint_url: "$S3_ENDPOINT", part_size_mb: $1}}
YAML
}
s3 PUT /rbbench--fallback -o /dev/null
s3 PUT /rbbench-awscli -o /dev/null
month="$(date -u -r "$file" +%Y_%m)"
key="bench/$month/$name"
c=(--config "$work/up.yaml")
up=(upload-s3 --concurrency "${CONCURRENCY:-4}")

echo "P4: $name, $part_mb MiB parts, $runs runs each" >&2
config "$part_mb"; aws_parts "$part_mb"
rm -f "$work/up.sqlite"
"$rb" "${c[@]}" checksum --instrument bench "$name" >/dev/null 2>&1
# Warm-up (untimed): the first write into a fresh OSD and a cold page cache would count
# against whichever tool went first.
"$aws" --endpoint-url "$S3_ENDPOINT" s3 cp --quiet "$file" "s3://rbbench-awscli/warm-$name"
for _ in $(seq "$runs"); do
  s3 DELETE "/rbbench--fallback/$key" -o /dev/null
  timed rb_up "$rb" "${c[@]}" "${up[@]}" "$name"
  timed aws_up "$aws" --endpoint-url "$S3_ENDPOINT" s3 cp "$file" "s3://rbbench-awscli/$name"
done
[ "$("$rb" "${c[@]}" --json verify --s3 "$name" | grep -c '"outcome":"ok"')" -ge 1 ] || echo "P4 upload did not verify" >&2

echo "P5: 500 MiB parts, peak RSS" >&2
config 500; aws_parts 500
rm -f "$work/up.sqlite"
"$rb" "${c[@]}" checksum --instrument bench "$name" >/dev/null 2>&1
s3 DELETE "/rbbench--fallback/$key" -o /dev/null
timed rb_rss "$rb" "${c[@]}" "${up[@]}" "$name"
timed aws_rss "$aws" --endpoint-url "$S3_ENDPOINT" s3 cp "$file" "s3://rbbench-awscli/rss-$name"

echo "P6: $files files of 64 KiB-4 MiB" >&2
folder="$work/tims/bench_P6_run.d"
if [ "$(find "$folder" -type f 2>/dev/null | wc -l)" -ne "$files" ]; then
  rm -rf "$folder"; mkdir -p "$folder/sub"
  python3 - "$folder" "$files" <<'PY'
import math, os, random, sys
random.seed(6)
folder, n = sys.argv[1], int(sys.argv[2])
with open("/dev/urandom", "rb") as r:
    for i in range(n):
        size = int(math.exp(random.uniform(math.log(64 << 10), math.log(4 << 20))))
        with open(os.path.join(folder, "sub" if i % 2 else "", f"f{i:05}.bin"), "wb") as f:
            f.write(r.read(size))
PY
fi
config "$part_mb"
s3 PUT /rbbench-p6 -o /dev/null
"$rb" "${c[@]}" checksum --instrument tims bench_P6_run.d >/dev/null 2>&1
timed rb_many "$rb" "${c[@]}" "${up[@]}" bench_P6_run.d
timed aws_many "$aws" --endpoint-url "$S3_ENDPOINT" s3 cp --recursive --quiet "$folder" "s3://rbbench-awscli/bench_P6_run.d"
timed rb_rerun "$rb" "${c[@]}" "${up[@]}" bench_P6_run.d

bytes=$(du -sb "$folder" | cut -f1)
rb4=$(seconds_of rb_up) aws4=$(seconds_of aws_up)
rb6=$(seconds_of rb_many) aws6=$(seconds_of aws_many)
awk -v rb="$rb4" -v aws="$aws4" 'BEGIN {printf "P4 2 GiB: rawbackup %.2f s (%.0f MiB/s), aws s3 cp %.2f s (%.0f MiB/s): throughput ratio %.2fx (target >= 2.0)\n", rb, 2048/rb, aws, 2048/aws, aws/rb}'
awk -v rb="$(cpu_of rb_up)" -v aws="$(cpu_of aws_up)" -v p="$part_mb" 'BEGIN {printf "CPU at %d MiB parts: rawbackup %.2f s/GiB, aws s3 cp %.2f s/GiB (user+sys): ratio %.2fx (target <= 0.35)\n", p, rb/2, aws/2, rb/aws}'
echo "P5 500 MiB parts: peak RSS rawbackup $(peak_rss_mib_of rb_rss) MiB (target <= 32), aws s3 cp $(peak_rss_mib_of aws_rss) MiB"
awk -v rb="$(cpu_of rb_rss)" -v aws="$(cpu_of aws_rss)" 'BEGIN {printf "CPU at 500 MiB parts: rawbackup %.2f s/GiB, aws s3 cp %.2f s/GiB (user+sys): ratio %.2fx (target <= 0.35)\n", rb/2, aws/2, rb/aws}'
awk -v rb="$rb6" -v aws="$aws6" -v n="$files" -v b="$bytes" 'BEGIN {printf "P6 %d files (%.0f MiB): rawbackup %.1f files/s, aws s3 cp --recursive %.1f files/s: ratio %.2fx (target >= 2)\n", n, b/1048576, n/rb, n/aws, aws/rb}'
awk -v t="$(seconds_of rb_rerun)" -v n="$files" 'BEGIN {printf "R  re-run of the done folder: %.2f s, %.1f ms per file (target <= 50)\n", t, 1000*t/n}'
