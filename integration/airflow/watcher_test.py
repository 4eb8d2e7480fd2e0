#!/usr/bin/env python3
"""The watcher DAG (rawbackup_watcher_dag.py) through the Airflow stand-in, with the per-file DAG
run for each run it triggers, as Airflow's scheduler would (backup_type local, no S3):
  - its wiring, schedule and arguments, its commands against the binary's --help;
  - three instruments' new sets (a Thermo file, a Bruker .d, a Sciex pair) each trigger one
    per-file run with raw_file, instrument and instrument_dir; an invalid name never does;
  - a watcher run before those runs recorded anything triggers nothing twice (same run ids);
  - once the runs moved the sets to processing, the emptied folders are not an error;
  - --limit (Variable rawbackup_scan_limit) hands on the oldest set first, the next one later;
  - a missing instrument folder fails instrument_folders while another instrument's set is
    still triggered; a broken config fails scan and triggers nothing.
Usage: watcher_test.py RAWBACKUP_BINARY"""
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import airflow_stub  # noqa: E402
from dag_checks import check_commands_against_help, load_dag  # noqa: E402
from facility import Checks, bruker_d, sciex_pair, thermo_raw, write_config  # noqa: E402

BINARY = Path(sys.argv[1]).resolve()
t = Checks()


def check_wiring(watcher, raw_file_dag):
    tasks = watcher.tasks
    t.check("tasks", set(tasks) == {"scan", "ready_runs", "instrument_folders", "trigger_raw_file"}, str(set(tasks)))
    t.check("scan >> ready_runs >> trigger_raw_file",
            tasks["ready_runs"].upstream == {"scan"} and tasks["trigger_raw_file"].upstream == {"ready_runs"})
    t.check("scan >> instrument_folders", tasks["instrument_folders"].upstream == {"scan"})
    kwargs = watcher.kwargs
    t.check("every few minutes, one run at a time, no catch-up",
            kwargs["schedule"].total_seconds() <= 600 and kwargs["max_active_runs"] == 1 and kwargs["catchup"] is False,
            str(kwargs))
    trigger = tasks["trigger_raw_file"].args
    t.check("triggers the per-file DAG", trigger["trigger_dag_id"] == raw_file_dag.dag_id, trigger["trigger_dag_id"])
    t.check("a set is never triggered twice", trigger["skip_when_already_exists"] is True)
    t.check("the per-file DAG takes the conf it is given", set(raw_file_dag.params) == {"raw_file", "instrument", "instrument_dir"})
    t.check("scan --json --limit", "--json scan --limit" in tasks["scan"].args["bash_command"])


def watch(watcher, label):
    print(f"-- watcher run: {label}", flush=True)
    return airflow_stub.run_dag(watcher, {})


def run_pending(raw_file_dag):
    """Runs the triggered per-file DAG runs; their states by raw file."""
    runs = {}
    while airflow_stub.pending:
        dag_id, conf = airflow_stub.pending.pop(0)
        assert dag_id == raw_file_dag.dag_id, dag_id
        print(f"-- per-file run {conf['raw_file']}", flush=True)
        runs[conf["raw_file"]] = airflow_stub.run_dag(raw_file_dag, conf)
    return runs


def triggered_names():
    return sorted(conf["raw_file"] for _, conf in airflow_stub.triggered.values())


def run_new_sets(root, watcher, raw_file_dag):
    inst = root / "instruments"
    thermo_raw(inst / "astral1" / "20261122_astral1_PRID001_a.raw", 1 << 20, 1)
    thermo_raw(inst / "astral1" / "20261122_astral1_PRID001 bad\x7f.raw", 4096, 2)
    bruker_d(inst / "timstof1" / "20261122_timstof1_PRID001_d.d", 3)
    sciex_pair(inst / "zenotof1", "20261122_zenotof1_PRID001_e", 4)
    expected = ["20261122_astral1_PRID001_a.raw", "20261122_timstof1_PRID001_d.d", "20261122_zenotof1_PRID001_e.wiff"]

    states = watch(watcher, "three new sets")
    t.check("every task succeeds", all(s[0] == "success" for s in states.values()), str(states))
    t.check("one run per ready set", triggered_names() == expected, str(airflow_stub.triggered))
    confs = {conf["raw_file"]: conf for _, conf in airflow_stub.triggered.values()}
    t.check("conf: raw_file, instrument, instrument_dir",
            confs.get(expected[1]) == {"raw_file": expected[1], "instrument": "timstof1",
                                       "instrument_dir": str(inst / "timstof1")}, str(confs))
    t.check("run ids name the set", "raw_file__astral1__20261122_astral1_PRID001_a.raw" in airflow_stub.triggered,
            str(list(airflow_stub.triggered)))

    states = watch(watcher, "again, before the runs started")
    t.check("nothing triggered twice", states["trigger_raw_file"][1] == ["skipped"] * 3 and len(airflow_stub.pending) == 3,
            str(states["trigger_raw_file"]))

    runs = run_pending(raw_file_dag)
    t.check("every per-file run backs its set up and moves it",
            len(runs) == 3 and all(s[0] in ("success", "skipped") for run in runs.values() for s in run.values()),
            str(runs))
    states = watch(watcher, "after the sets were moved to processing")
    t.check("emptied folders: no error, nothing triggered",
            states["scan"][0] == "success" and states["instrument_folders"][0] == "success"
            and states["trigger_raw_file"][0] == "skipped", str(states))


def run_limit(root, watcher, raw_file_dag):
    astral = root / "instruments" / "astral1"
    older, newer = astral / "20261123_astral1_PRID001_f.raw", astral / "20261123_astral1_PRID001_g.raw"
    thermo_raw(newer, 4096, 5)
    thermo_raw(older, 4096, 6)
    os.utime(older, (newer.stat().st_mtime - 600,) * 2)
    os.environ["AIRFLOW_VAR_RAWBACKUP_SCAN_LIMIT"] = "1"
    try:
        watch(watcher, "--limit 1")
        t.check("--limit 1: the oldest set first", [c["raw_file"] for _, c in airflow_stub.pending] == [older.name],
                str(airflow_stub.pending))
        run_pending(raw_file_dag)
        watch(watcher, "--limit 1, next")
        t.check("--limit 1: then the next", [c["raw_file"] for _, c in airflow_stub.pending] == [newer.name],
                str(airflow_stub.pending))
        run_pending(raw_file_dag)
    finally:
        del os.environ["AIRFLOW_VAR_RAWBACKUP_SCAN_LIMIT"]


def run_failures(root, watcher):
    inst = root / "instruments"
    thermo_raw(inst / "astral1" / "20261124_astral1_PRID001_h.raw", 4096, 7)
    (inst / "timstof1").rename(root / "timstof1.unmounted")
    states = watch(watcher, "timstof1's folder missing")
    t.check("a missing folder fails instrument_folders", states["instrument_folders"][0] == "failed", str(states))
    t.check("scan still hands on the other instruments' sets",
            states["scan"][0] == "success" and states["trigger_raw_file"] == ("success", ["success"], 1)
            and airflow_stub.pending[-1][1]["raw_file"] == "20261124_astral1_PRID001_h.raw", str(states))
    os.environ["AIRFLOW_VAR_RAWBACKUP_CONFIG"] = str(root / "missing.yaml")
    states = watch(watcher, "config missing")
    t.check("a broken config fails scan (after its retry) and triggers nothing",
            states["scan"][0] == "failed" and states["scan"][2] == 2
            and states["trigger_raw_file"][0] == "upstream_failed", str(states))


def main():
    with tempfile.TemporaryDirectory(prefix="rawbackup-watcher-") as tmp:
        root = Path(tmp)
        write_config(root, "local")
        for instrument in ("astral1", "timstof1", "zenotof1"):
            (root / "instruments" / instrument).mkdir(parents=True)
        os.environ["AIRFLOW_VAR_RAWBACKUP_BINARY"] = str(BINARY)
        os.environ["AIRFLOW_VAR_RAWBACKUP_CONFIG"] = str(root / "facility.yaml")
        os.environ["AIRFLOW_VAR_RAWBACKUP_PROCESSING_DIR"] = str(root / "processing")
        raw_file_dag, watcher = load_dag("rawbackup_dag"), load_dag("rawbackup_watcher_dag")
        check_wiring(watcher, raw_file_dag)
        check_commands_against_help(t, BINARY, watcher)
        run_new_sets(root, watcher, raw_file_dag)
        run_limit(root, watcher, raw_file_dag)
        run_failures(root, watcher)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
