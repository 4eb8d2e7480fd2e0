#!/usr/bin/env python3
"""Snakemake's cluster-status script for SLURM without accounting: the state of job ARGV[1] from
`scontrol show job` (sacct when the controller no longer knows it), as Snakemake's words:
success, running or failed. A job no one knows any more counts as failed: snakemake runs it
again, and every rawbackup task is safe to run twice."""
import subprocess
import sys

RUNNING = {"PENDING", "CONFIGURING", "RUNNING", "COMPLETING", "SUSPENDED", "REQUEUED", "RESIZING",
           "REQUEUE_HOLD", "REQUEUE_FED", "SIGNALING", "STAGE_OUT", "STOPPED", "RESV_DEL_HOLD"}


def state_of(job_id):
    shown = subprocess.run(["scontrol", "show", "job", "-o", job_id], capture_output=True, text=True)
    for field in shown.stdout.split():
        if field.startswith("JobState="):
            return field.split("=", 1)[1]
    accounted = subprocess.run(["sacct", "-n", "-X", "-P", "-o", "State", "-j", job_id],
                               capture_output=True, text=True)
    words = accounted.stdout.split()
    return words[0] if accounted.returncode == 0 and words else "UNKNOWN"


state = state_of(sys.argv[1])
if state == "COMPLETED":
    print("success")
elif state in RUNNING:
    print("running")
else:
    print(f"SLURM job {sys.argv[1]}: {state}", file=sys.stderr)
    print("failed")
