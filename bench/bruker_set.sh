# Shared by the benchmarks over a Bruker-like .d set in $work/inst (small_files.sh,
# cores_many_files.sh): the config, a clean store, and timing helpers. Expects: work.
# Sets: c (the options naming the config). timed NAME COMMAND... appends "wall user sys
# max_rss_kib" to $work/NAME.times; col NAME N, cpu NAME and rss NAME read medians back.
cat >"$work/bench.yaml" <<YAML
store: {path: bench.sqlite}
instruments: {bench: {type: bruker, path: inst, required_members: []}}
locations: {backup: backup}
backup: {backup_type: local, s3: {region: r, bucket_prefix: b, part_size_mb: 500}}
YAML
c=(--config "$work/bench.yaml" --log-level warn)
rm -f "$work"/*.times "$work/bench.sqlite"*
source bench/median.sh
timed() { local out="$work/$1.times"; shift; /usr/bin/time -f '%e %U %S %M' -a -o "$out" "$@" >/dev/null 2>&1; }
col() { cut -d' ' -f"$2" "$work/$1.times" | median; }
cpu() { awk '{print $2 + $3}' "$work/$1.times" | median; }
rss() { echo $(($(cut -d' ' -f4 "$work/$1.times" | sort -n | tail -1) / 1024)); }
