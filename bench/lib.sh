# Shared by the side-by-side benchmark scripts: a generated file, a config, medians.
# Expects: size_gib, part_mb (optional); sets: rb, work, name, file.
command -v /usr/bin/time >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
rb="${RAWBACKUP:-build/rawbackup}"
work="${BENCH_DIR:-var/bench}"
mkdir -p "$work/inst"
name="bench_${size_gib}g.raw"
file="$work/inst/$name"
if [ ! -e "$file" ] || [ "$(stat -c %s "$file")" -ne $((size_gib * 1024 * 1024 * 1024)) ]; then
  echo "generating $file" >&2
  head -c $((size_gib * 1024 * 1024 * 1024)) < <(openssl enc -aes-128-ctr -nosalt -pass pass:bench -pbkdf2 </dev/zero 2>/dev/null) >"$file"
fi
cat >"$work/bench.yaml" <<YAML
store: {path: bench.sqlite}
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments: {bench: {type: thermo, path: inst}}
locations: {backup: backup}
backup: {backup_type: local, s3: {region: r, bucket_prefix: b, part_size_mb: ${part_mb:-500}}}
YAML
rm -f "$work"/*.times

source bench/median.sh
# timed NAME COMMAND...: appends "seconds max_rss_kib user_s sys_s" to $work/NAME.times
timed() {
  local out="$work/$1.times"
  shift
  /usr/bin/time -f '%e %M %U %S' -a -o "$out" "$@" >/dev/null 2>&1
}
seconds_of() { cut -d' ' -f1 "$work/$1.times" | median; }
cpu_of() { awk '{print $3 + $4}' "$work/$1.times" | median; }  # median user+sys seconds
peak_rss_mib_of() { echo $(($(cut -d' ' -f2 "$work/$1.times" | sort -n | tail -1) / 1024)); }

# with_ceph_and_awscli: Debian's awscli (as $aws) and a fresh Ceph RGW on bluestore under
# $work/ceph, stopped on exit; its endpoint and keys exported, awscli's config file at
# $AWS_CONFIG_FILE (empty), and the s3 / etag_of helpers defined.
with_ceph_and_awscli() {
  dpkg-query -W -f='${Status}' awscli 2>/dev/null | grep -q "install ok installed" ||
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends awscli >/dev/null
  aws=/usr/bin/aws  # Debian's v2, whatever else is on PATH
  rm -rf "$work/ceph"  # a cluster of an earlier run
  CEPH_OBJECTSTORE=bluestore integration/s3/ceph.sh start "$work/ceph" >/dev/null
  trap 'integration/s3/ceph.sh stop "$work/ceph" >/dev/null 2>&1' EXIT
  source "$work/ceph/env"
  export AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE="$work/aws.config"
  : >"$AWS_CONFIG_FILE"
  source integration/s3/s3curl.sh
}
