"""Free the instruments' disks once a day: purge every backed-up raw file old enough.

`rawbackup purge --all-status done` goes through every record whose backup is done and
deletes its instrument copy only when every rule holds (README, "Purge"): the backups verify
in this run (backup_type s3: the local copy and the S3 objects), the instrument copy is still
what the record lists (nothing extra, no symlink), and the acquisition is at least
`purge.min_age_days` old (a younger one is kept: exit 0). Records purged before are found so
at once ("unchanged").

- Run it on a worker that mounts the instrument folders read-write (under the CeleryExecutor,
  route it there with `queue=`), one run at a time (max_active_runs=1, catchup off).
- A refusal (exit 3: the instrument copy differs from the record; exit 4: a backup is missing
  or differs) fails the task: someone must look (status --history names why); the other
  records of the run are still purged. No retries for those: they fail again until fixed.
  Exit 1 (store busy, share not mounted, S3 unreachable) is retried once after an hour.
- `--json`: the last stdout line is the batch result (counts per outcome), pushed to XCom.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

ENV = {
    "RAWBACKUP": "{{ var.value.get('rawbackup_binary', '/usr/bin/rawbackup') }}",
    "RAWBACKUP_CONFIG": "{{ var.value.get('rawbackup_config', '/etc/rawbackup/config.yaml') }}",
}

with DAG(
    dag_id="rawbackup_purge",
    description="Delete instrument copies whose backups verify now (daily)",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "facility", "retries": 1, "retry_delay": timedelta(hours=1)},
    tags=["rawbackup"],
) as dag:
    purge = BashOperator(
        task_id="purge",
        bash_command='"$RAWBACKUP" --json purge --all-status done',
        env=ENV,
        append_env=True,
        pool="rawbackup_purge",
        execution_timeout=timedelta(hours=12),  # re-reads every backup it purges
    )
