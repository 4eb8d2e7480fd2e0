"""Find new acquisitions and start one `rawbackup_raw_file` run per ready set (every 5 minutes).

scan >> ready_runs >> trigger_raw_file (mapped), and scan >> instrument_folders.

- `rawbackup scan --json` lists every configured instrument folder and hands on the sets that
  settled (README, "scan"): a set still being written, renamed, vanished, of an invalid name or
  colliding with a record is never handed on. What it saw is kept in the record store, so the
  watcher holds no state of its own and any worker may run it.
- One run at a time (max_active_runs=1, catchup off): two scans at once would do no harm (the
  store merges their sightings) but would trigger the same sets twice.
- Each ready set starts one run of the per-file DAG with the conf it needs (raw_file,
  instrument, instrument_dir) and the run id `raw_file__<instrument>__<name>`: a set scanned
  again before its run recorded it is not triggered twice (skip_when_already_exists). A run
  that failed before `checksum` recorded anything stays failed in Airflow for someone to
  clear; the watcher does not start it again.
- `--limit` (Variable `rawbackup_scan_limit`, default 256) keeps the mapped task under
  Airflow's max_map_length (1024); the oldest ready sets go first, the rest at the next run.
- A folder that cannot be scanned (missing, not mounted, emptied while the store knows sets
  there) fails `instrument_folders` (so the run shows failed and alerts), while the ready sets
  of the other instruments are still triggered. Any other failure (store unreachable, exit 1
  without a result; a config error, exit 2) fails `scan`, and nothing is triggered.

Needs Airflow >= 2.10 (TriggerDagRunOperator's skip_when_already_exists).
"""
import hashlib
import json
import re
from datetime import datetime, timedelta

from airflow import DAG
from airflow.decorators import task
from airflow.exceptions import AirflowFailException
from airflow.operators.bash import BashOperator
from airflow.operators.trigger_dagrun import TriggerDagRunOperator

RAW_FILE_DAG = "rawbackup_raw_file"

ENV = {
    "RAWBACKUP": "{{ var.value.get('rawbackup_binary', '/usr/bin/rawbackup') }}",
    "RAWBACKUP_CONFIG": "{{ var.value.get('rawbackup_config', '/etc/rawbackup/config.yaml') }}",
    "SCAN_LIMIT": "{{ var.value.get('rawbackup_scan_limit', '256') }}",
}

# Exit 1 with a result means some instrument folder failed (named in "errors"); the result is
# still the last stdout line, so the others' ready sets are handed on. Exit 1 without one (the
# store unreachable) or any other code fails the task.
SCAN = r"""result=$("$RAWBACKUP" --json scan --limit "$SCAN_LIMIT")
code=$?
printf '%s\n' "$result"
case "$code" in
  0) ;;
  1) case "$result" in *'"ready":'*) ;; *) exit 1 ;; esac ;;
  *) exit "$code" ;;
esac
"""


def run_id_of(instrument, name):
    """A run id Airflow accepts (^[A-Za-z0-9_.~:+-]+$), the same for the same set at every scan."""
    readable = re.sub(r"[^A-Za-z0-9_.~:+-]", "_", f"raw_file__{instrument}__{name}")
    if readable == f"raw_file__{instrument}__{name}":
        return readable
    return readable + "__" + hashlib.sha256(f"{instrument}/{name}".encode()).hexdigest()[:12]


with DAG(
    dag_id="rawbackup_watcher",
    description="Hand each settled acquisition to rawbackup_raw_file",
    schedule=timedelta(minutes=5),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=30),
    default_args={"owner": "facility", "retries": 1, "retry_delay": timedelta(minutes=1)},
    tags=["rawbackup"],
) as dag:
    scan = BashOperator(
        task_id="scan",
        bash_command=SCAN,
        env=ENV,
        append_env=True,
        execution_timeout=timedelta(minutes=10),
    )

    @task
    def ready_runs(scan_result):
        """The trigger's arguments, one per ready set."""
        ready = json.loads(scan_result)["ready"]
        return [{"trigger_run_id": run_id_of(r["instrument"], r["raw_file"]),
                 "conf": {"raw_file": r["raw_file"], "instrument": r["instrument"],
                          "instrument_dir": r["instrument_dir"]}} for r in ready]

    @task(retries=0)
    def instrument_folders(scan_result):
        """Fails the run when a folder could not be scanned: someone must look."""
        errors = json.loads(scan_result)["errors"]
        if errors:
            raise AirflowFailException("; ".join(f"{e['instrument']}: {e['error']}" for e in errors))

    trigger_raw_file = TriggerDagRunOperator.partial(
        task_id="trigger_raw_file",
        trigger_dag_id=RAW_FILE_DAG,
        skip_when_already_exists=True,
        wait_for_completion=False,
        retries=0,
    ).expand_kwargs(ready_runs(scan.output))
    instrument_folders(scan.output)
