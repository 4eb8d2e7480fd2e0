#!/usr/bin/env bash
# The facility workflow (integration/snakemake/Snakefile: checksum, copy_local, upload_s3,
# verify and process for each set) for SETS acquisitions per instrument over three instruments
# (integration/slurm/acquisitions.sh: Thermo files, Bruker .d folders, Sciex pairs), side by side:
#   local   snakemake -j JOBS on this machine (--resources copy_slots=2 upload_slots=2)
#   slurm   the same on a one-node SLURM cluster (integration/slurm/slurm.sh, the profile in
#           integration/slurm/profile: every rule a job, at most 8 at once on the node)
# Both against one Ceph RGW (bluestore) and one PostgreSQL store, each mode with its own sets.
# Prints each mode's wall time, jobs, sets per minute and MiB/s, and the scheduler's overhead:
# in total (slurm - local) and per job (that over the jobs), and the median time from a job's
# submission to its start as snakemake sees it (submitted → the job's own first log line).
# Usage: bench/workflow_on_slurm.sh [SETS=8] [JOBS=4]
set -euo pipefail
cd "$(dirname "$0")/.."
sets="${1:-8}"
jobs="${2:-4}"
here="$PWD/integration"
rb="$PWD/${RAWBACKUP:-build/rawbackup}"
work="$PWD/${BENCH_DIR:-var/bench}/workflow"
rm -rf "$work"
mkdir -p "$work"
source bench/median.sh
source "$here/slurm/acquisitions.sh"
stop() {
  "$here/slurm/slurm.sh" stop "$work/slurm" >/dev/null 2>&1
  "$here/store/postgresql.sh" stop "$work/pg" >/dev/null 2>&1
  "$here/s3/ceph.sh" stop "$work/ceph" >/dev/null 2>&1
}
trap stop EXIT
CEPH_OBJECTSTORE=bluestore "$here/s3/ceph.sh" start "$work/ceph" >/dev/null
PG_DURABLE=1 "$here/store/postgresql.sh" start "$work/pg" >/dev/null
"$here/slurm/slurm.sh" start "$work/slurm" >/dev/null
source "$work/ceph/env"
source "$work/pg/env"
source "$work/slurm/env"
export PGPASSWORD AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
source "$here/s3/s3curl.sh"
for bucket in rb-bench-prid001 rb-bench-prid002; do s3 PUT "/$bucket" -f >/dev/null; done
cat >"$work/facility.yaml" <<YAML
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments:
  astral1: {type: thermo, path: $work/instruments/astral1}
  timstof1: {type: bruker, path: $work/instruments/timstof1, required_members: []}
  zenotof1: {type: sciex, path: $work/instruments/zenotof1}
locations: {backup: $work/backup}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-bench, endpoint_url: "$S3_ENDPOINT"}}
YAML
export RAWBACKUP="$rb" RAWBACKUP_CONFIG="$work/facility.yaml" RAWBACKUP_STORE_URL="$RAWBACKUP_TEST_PG_URL"
export USER="${USER:-$(id -un)}"

# run MODE ARGS...: the workflow on MODE's own sets (named with MODE's first letter); prints
# "wall_s jobs"
run() {
  local mode=$1 wf="$work/wf-$1" t0
  shift
  acquisitions "$work/instruments" "$sets" 1 "${mode:0:1}"
  sync
  t0=$EPOCHREALTIME
  snakemake --snakefile "$here/snakemake/Snakefile" --directory "$wf" --nocolor "$@" >"$work/$mode.log" 2>&1 ||
    { echo "$mode: the workflow failed: $(grep -a -i error "$work/$mode.log" | head -3)" >&2; return 1; }
  echo "$(echo "$EPOCHREALTIME $t0" | awk '{printf "%.1f", $1 - $2}') $(grep -a -c '^rule ' "$work/$mode.log")"
}

bytes=0
read -r local_s local_jobs < <(run local --cores "$jobs" --keep-going --resources copy_slots=2 upload_slots=2)
read -r slurm_s slurm_jobs < <(run slurm --profile "$here/slurm/profile")
bytes=$(du -sb "$work/instruments" | cut -f1)
# Submission to start: each job's id from snakemake's log, its submit and start time from SLURM.
for id in $(grep -a -o "external jobid '[0-9]*'" "$work/slurm.log" | grep -o '[0-9]*'); do
  scontrol show job -o "$id" | tr ' ' '\n' | grep -E '^(SubmitTime|StartTime)=' | cut -d= -f2 | xargs |
    awk '{cmd = "date -d " $1 " +%s"; cmd | getline s; close(cmd); cmd = "date -d " $2 " +%s"; cmd | getline t; close(cmd); print t - s}'
done >"$work/queue_waits"
total_sets=$((sets * 3))
mib=$((bytes / 2 / 1048576))  # each mode's own sets: half the instrument folders
echo "workflow for $total_sets sets ($mib MiB) per mode, 2-core machine, Ceph RGW + PostgreSQL on loopback"
printf '  %-34s %8s %6s %10s %8s\n' "" "wall s" "jobs" "sets/min" "MiB/s"
for mode in local slurm; do
  wall=${mode}_s njobs=${mode}_jobs
  printf '  %-34s %8s %6s %10s %8s\n' "$mode$([ $mode = local ] && echo " (snakemake -j $jobs)" || echo " (profile, 8 CPUs)")" "${!wall}" "${!njobs}" \
    "$(awk -v n="$total_sets" -v s="${!wall}" 'BEGIN {printf "%.1f", n * 60 / s}')" \
    "$(awk -v b="$mib" -v s="${!wall}" 'BEGIN {printf "%.1f", b / s}')"
done
echo "  scheduler overhead: $(awk -v a="$slurm_s" -v b="$local_s" -v j="$slurm_jobs" 'BEGIN {printf "%.1f s in total, %.2f s per job", a - b, (a - b) / j}')"
echo "  SLURM queue wait (submit → start), median of $(wc -l <"$work/queue_waits") jobs: $(median <"$work/queue_waits") s"
