"""Back up one raw file with rawbackup: checksum >> copy_local >> [upload_s3, file_mover].

Trigger one run per acquired raw file, e.g. from the acquisition watcher:
    airflow dags trigger rawbackup_raw_file --conf '{"raw_file": "x.raw", "instrument": "astral1"}'

- The local backup must succeed before anything downstream runs (copy_local).
- upload_s3 runs beside downstream work: file_mover (and what follows it) depends on copy_local
  only, so it neither waits for the upload nor fails with it. upload-s3 reads the verified
  local copy, so moving the acquired file away does not disturb it.
- `--skip-exit-code 99` + `skip_on_exit_code=99`: with `backup_type: local` the upload task
  shows as skipped, not failed.
- Every rawbackup task is idempotent: retries re-use finished work (identical copies and S3
  objects are skipped, unfinished multipart uploads are resumed).
- `--json` makes the last stdout line the task's JSON result, which BashOperator pushes to
  XCom (`ti.xcom_pull(task_ids="copy_local")`). Diagnostics go to stderr (the task log).

Needs Airflow >= 2.6 (BashOperator's skip_on_exit_code). Settings come from Airflow Variables
(rendered at run time, see README.md beside this file); credentials from the worker's environment or a secrets
backend, never from the DAG.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

SKIP_EXIT_CODE = 99


def rawbackup(task_and_args):
    """The bash command of a rawbackup task; the raw file comes in as $RAW_FILE."""
    return f'"$RAWBACKUP" --json {task_and_args} "$RAW_FILE"'


# The facility's next step moves the whole set: every entry the record lists in the instrument
# folder (a .raw file; a .d folder; a Sciex .wiff with its .wiff.scan), never the named file
# alone (a .wiff.scan left behind would be deleted by the next purge as part of the set).
# Idempotent: an entry already in the processing folder counts as moved; one in neither
# place fails the task.
MOVE_SET = r"""set -euo pipefail
mkdir -p "$PROCESSING_DIR"
"$RAWBACKUP" --json status "$RAW_FILE" | python3 -c '
import json, sys
files = json.load(sys.stdin)["records"][0]["file_info"]
sys.stdout.write("".join(sorted({key.split("/")[0] + "\0" for key in files})))
' | while IFS= read -r -d "" entry; do
  if [ -e "$INSTRUMENT_DIR/$entry" ] || [ -L "$INSTRUMENT_DIR/$entry" ]; then
    mv -n -- "$INSTRUMENT_DIR/$entry" "$PROCESSING_DIR/"
  fi
  if [ -e "$INSTRUMENT_DIR/$entry" ] || [ ! -e "$PROCESSING_DIR/$entry" ]; then
    echo "file_mover: $entry could not be moved from $INSTRUMENT_DIR to $PROCESSING_DIR" >&2
    exit 1
  fi
  echo "moved $entry to $PROCESSING_DIR"
done
"""

# Rendered when a task runs (not at every DAG parse): Airflow Variables with defaults for a
# standard install, and the run's raw file.
ENV = {
    "RAWBACKUP": "{{ var.value.get('rawbackup_binary', '/usr/bin/rawbackup') }}",
    "RAWBACKUP_CONFIG": "{{ var.value.get('rawbackup_config', '/etc/rawbackup/config.yaml') }}",
    # Templated from the trigger's conf (dag_run.conf overrides params), passed as environment
    # variables so a file name is never parsed by the shell.
    "RAW_FILE": "{{ params.raw_file }}",
    "INSTRUMENT": "{{ params.instrument }}",
    "INSTRUMENT_DIR": "{{ params.instrument_dir }}",
    "PROCESSING_DIR": "{{ var.value.get('rawbackup_processing_dir', '/data/processing') }}",
}

default_args = {
    "owner": "facility",
    "retries": 3,
    "retry_delay": timedelta(minutes=5),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=2),
}

with DAG(
    dag_id="rawbackup_raw_file",
    description="Verified local and S3 backup of one raw file",
    schedule=None,  # triggered per raw file
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=16,
    default_args=default_args,
    params={"raw_file": "", "instrument": "", "instrument_dir": ""},
    tags=["rawbackup"],
) as dag:
    checksum = BashOperator(
        task_id="checksum",
        bash_command=rawbackup('checksum --instrument "$INSTRUMENT"'),
        env=ENV,
        append_env=True,
        pool="rawbackup_checksum",
    )
    copy_local = BashOperator(
        task_id="copy_local",
        bash_command=rawbackup("copy-local"),
        env=ENV,
        append_env=True,
        pool="rawbackup_copy",
        execution_timeout=timedelta(hours=6),
    )
    upload_s3 = BashOperator(
        task_id="upload_s3",
        bash_command=rawbackup(f"upload-s3 --skip-exit-code {SKIP_EXIT_CODE}"),
        env=ENV,
        append_env=True,
        skip_on_exit_code=SKIP_EXIT_CODE,
        pool="rawbackup_upload",
        retry_delay=timedelta(minutes=15),
        execution_timeout=timedelta(hours=24),  # 100 GB over a slow link
    )
    # The facility's own next step (here: move the whole set to the processing area); it
    # depends on the verified local copy only.
    file_mover = BashOperator(
        task_id="file_mover",
        bash_command=MOVE_SET,
        env=ENV,
        append_env=True,
    )

    checksum >> copy_local >> [upload_s3, file_mover]
