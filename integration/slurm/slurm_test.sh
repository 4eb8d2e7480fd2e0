#!/usr/bin/env bash
# The facility workflow (integration/snakemake/Snakefile) on a real one-node SLURM cluster
# (integration/slurm/slurm.sh) with the SLURM profile (integration/slurm/profile): every task a
# SLURM job, against Ceph (through the fault proxy) and the shared PostgreSQL store.
#   - 24 acquisitions over three instruments (Thermo files, Bruker .d folders, Sciex pairs):
#     every set checksummed, copied, uploaded and verified; each object read back with boto3
#     and compared with the original; every record done;
#   - an upload job cancelled mid-upload (scancel: SIGTERM): snakemake retries it and the retry
#     resumes the upload, sending no part twice (counted at the proxy);
#   - the node drained while the jobs wait: nothing runs, nothing is lost; once resumed, the
#     workflow finishes;
#   - two "hosts" (RAWBACKUP_HOST_ID) uploading one set as two jobs at once: one holds it, the
#     other exits 1 (busy); its retry finishes the set.
# Usage: slurm_test.sh PATH/TO/rawbackup
source "$(dirname "$0")/../lib.sh"
here="$(cd "$(dirname "$0")/.." && pwd)"
rb="$(realpath "$1")"
server=ceph
source "$here/s3/harness.sh"
source "$here/store/harness.sh"
trap '"$here/slurm/slurm.sh" stop "$work/slurm" >/dev/null 2>&1; pg_stop_all; stop_all' EXIT
must "start SLURM" "$here/slurm/slurm.sh" start "$work/slurm"
source "$work/slurm/env"
node=$(hostname -s)

inst="$work/instruments"
mkdir -p "$inst"
cat >"$work/facility.yaml" <<YAML
checksum: {settle_seconds: 0}  # files written just now count as finished acquisitions
instruments:
  astral1: {type: thermo, path: $inst/astral1}
  timstof1: {type: bruker, path: $inst/timstof1, required_members: []}
  zenotof1: {type: sciex, path: $inst/zenotof1}
locations: {backup: $work/backup}
project_pattern: "_(PRID\\\\d+)_"
backup: {backup_type: s3, s3: {region: us-east-1, bucket_prefix: rb-slurm, endpoint_url: "$proxy", part_size_mb: 5}}
YAML
for bucket in rb-slurm-prid001 rb-slurm-prid002; do must "bucket $bucket" s3_ok PUT "/$bucket"; done
# What every job needs, through the environment (sbatch passes it on): never in the Snakefile.
export RAWBACKUP="$rb" RAWBACKUP_CONFIG="$work/facility.yaml" RAWBACKUP_STORE_URL="$pg_url"
export USER="${USER:-$(id -un)}"  # snakemake's cluster code reads it

source "$here/slurm/acquisitions.sh"
workflow() {  # the workflow on SLURM, in $work/wf; its output in $work/wf.log
  snakemake --snakefile "$here/snakemake/Snakefile" --directory "$work/wf" --profile "$here/slurm/profile" \
    --nocolor >"$work/wf.log" 2>&1
}
verified() { find "$work/wf/results" -name '*.verify.json' 2>/dev/null | wc -l; }
# bytes_check LABEL ID...: boto3 reads every object of the records back
bytes_check() {
  local label=$1
  shift
  "$rb" --json status "$@" >"$work/records.json" 2>"$work/err" &&
    S3_ENDPOINT="$upstream" python3 "$here/s3/boto3_bytes.py" "$inst" <"$work/records.json" >"$work/bytes" 2>&1
  [ $? -eq 0 ] && pass "$label ($(grep -c '^ok' "$work/bytes") sets)" || failure "$label" "$(grep -v '^ok' "$work/bytes" | head -5)"
}
all_ids() { "$rb" --json status --all 2>/dev/null | python3 -c 'import json,sys; print(" ".join(r["id"] for r in json.load(sys.stdin)["records"]))'; }

# --- 24 acquisitions over three instruments ---
acquisitions "$inst" 8 1
workflow
code=$?
[ "$code" -eq 0 ] && pass "24 sets through the workflow on SLURM: exit 0" || failure "workflow" "exit $code: $(grep -a -i error "$work/wf.log" | head -5)"
[ "$(verified)" -eq 24 ] && pass "  every set verified after its upload (24 verify results)" || failure "  verify results" "$(verified)"
jobs=$(find "$work/wf/.snakemake" -name 'slurm-*.log' | wc -l)
[ "$jobs" -eq 120 ] && pass "  each task a SLURM job: 120 jobs (checksum, copy, upload, verify, process × 24)" || failure "  jobs" "$jobs"
"$rb" --json status --all >"$work/status.json" 2>"$work/err"
python3 - "$work/status.json" <<'PY' && pass "  the store: 24 records, all copying_done and backed up" || failure "  store" "$(head -c 300 "$work/status.json")"
import json, sys
records = json.load(open(sys.argv[1]))["records"]
assert len(records) == 24 and all(r["status"] == "copying_done" and r["backup_status"] == "done" for r in records)
PY
# shellcheck disable=SC2046
bytes_check "  every object read back with boto3 equals its original" $(all_ids)

# --- an upload cancelled mid-upload (scancel) is retried and resumed ---
head -c $((24 << 20)) /dev/urandom >"$inst/astral1/20261206_astral1_PRID001_cancel.raw"
rules '[{"method": "PUT", "query": "partNumber=", "after": 2, "times": 1, "fault": "stall", "seconds": 900}]'
in_background "$work/wf.out" "$work/wf.err" workflow
wf_pid=$pid
wait_for "$log" "stalling" 300 || failure "the upload never reached its 3rd part" "$(tail -5 "$work/wf.log")"
job=$(squeue -h -n rawbackup-upload_s3 -o %i | head -1)
scancel "$job"
wait "$wf_pid"
code=$?
[ "$code" -eq 0 ] && pass "an upload job cancelled at its 3rd part (scancel): the workflow retries it and exits 0" || failure "cancelled upload" "exit $code: $(tail -5 "$work/wf.log")"
state=$(scontrol show job -o "$job" | grep -o 'JobState=[A-Z]*')
[ "$state" = JobState=CANCELLED ] && pass "  SLURM recorded the job cancelled" || failure "  job state" "$state"
grep -aq "interrupted, resumable" "$work/wf/.snakemake/slurm-upload_s3-$job.log" &&
  pass "  rawbackup in the job stopped on SIGTERM: \"interrupted, resumable\"" || failure "  job log" "$(tail -5 "$work/wf/.snakemake/slurm-upload_s3-$job.log")"
python3 - "$log" <<'PY' && pass "  the retry resumed: one CreateMultipartUpload, each of the 5 parts sent once" || failure "  parts" "$(grep -c partNumber "$log") part requests: $(grep -o 'partNumber=[0-9]*' "$log" | sort | uniq -c | tr '\n' ' ')"
import collections, re, sys
lines = open(sys.argv[1]).read().splitlines()
creates = [l for l in lines if l.startswith("POST ") and "uploads" in l and "uploadId" not in l]
sent = collections.Counter(re.search(r"partNumber=(\d+)", l).group(1) for l in lines
                           if l.startswith("PUT ") and "partNumber=" in l and " 200" in l)
assert len(creates) == 1, creates
assert sorted(sent) == ["1", "2", "3", "4", "5"] and set(sent.values()) == {1}, sent
PY
bytes_check "  the object read back with boto3 equals its original" 20261206_astral1_PRID001_cancel.raw

# --- the node drained while the jobs wait ---
rules '[]'
acquisitions "$inst" 1 20
scontrol update NodeName="$node" State=DRAIN Reason=rawbackup-test
in_background "$work/wf.out" "$work/wf.err" workflow
wf_pid=$pid
pending() { [ "$(squeue -h -t PENDING -o %i | wc -l)" -ge 3 ]; }
wait_until 120 pending && pass "node drained: the 3 new sets' jobs wait in the queue" || failure "drained node" "$(squeue)"
[ -z "$(find "$work/wf/results" -name '*_s20*')" ] && pass "  and none of them ran" || failure "  ran on a drained node" "$(find "$work/wf/results" -name '*_s20*')"
scontrol update NodeName="$node" State=RESUME
wait "$wf_pid"
code=$?
[ "$code" -eq 0 ] && [ "$(verified)" -eq 28 ] && pass "  node resumed: the workflow finishes, every set verified" ||
  failure "  after resume" "exit $code, $(verified) verified: $(tail -5 "$work/wf.log")"

# --- two hosts' jobs on one raw file at once ---
race=20261206_astral1_PRID002_race.raw
head -c $((12 << 20)) /dev/urandom >"$inst/astral1/$race"
must "checksum and copy the race set" bash -c "'$rb' checksum --instrument astral1 $race && '$rb' copy-local $race"
rules '[{"method": "PUT", "query": "partNumber=", "after": 1, "times": 1, "fault": "stall", "seconds": 900}]'
upload_job() {  # upload_job HOST: an sbatch job uploading the race set as HOST; prints its id
  RAWBACKUP_HOST_ID=$1 sbatch --parsable --job-name="race-$1" --output="$work/race-$1-%j.log" \
    --wrap "'$rb' upload-s3 $race"
}
first=$(upload_job host-a)
wait_for "$log" "stalling" 120 || failure "host-a's upload never reached its 2nd part" "$(cat "$work"/race-host-a-*.log | tail -3)"
second=$(upload_job host-b)
job_done() { scontrol show job -o "$1" | grep -Eq 'JobState=(COMPLETED|FAILED|CANCELLED)'; }
wait_until 120 job_done "$second"
exit_of() { scontrol show job -o "$1" | grep -o ' ExitCode=[0-9]*' | cut -d= -f2; }
[ "$(exit_of "$second")" = 1 ] && grep -q "busy: $race is held by" "$work/race-host-b-$second.log" &&
  pass "two hosts at once: host-b's job exits 1 (busy: held by host-a) while host-a uploads" ||
  failure "race" "exit $(exit_of "$second"): $(tail -3 "$work/race-host-b-$second.log")"
scancel "$first"  # host-a's job ends (SIGTERM) mid-upload
wait_until 120 job_done "$first"
rules '[]'
retry=$(upload_job host-b)
wait_until 300 job_done "$retry"
[ "$(exit_of "$retry")" = 0 ] && pass "  host-b's retry finishes the set (host-a cancelled mid-upload)" ||
  failure "  retry" "exit $(exit_of "$retry"): $(tail -3 "$work/race-host-b-$retry.log")"
bytes_check "  the object read back with boto3 equals its original" "$race"

summary
