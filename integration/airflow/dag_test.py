#!/usr/bin/env python3
"""The example Airflow DAG, tested without Airflow (see airflow_stub.py for what that proves):
its syntax, its wiring and arguments, its commands against the binary's own --help, and two
real runs per raw file against a loopback s3rver with Airflow's task semantics:
  - backup_type s3: every task succeeds, XCom holds the JSON results, the file is moved, and
    file_mover moves whole sets (a Bruker .d, a Sciex .wiff with its .wiff.scan);
    a raw file whose bucket is missing fails upload_s3 (after 3 retries) while file_mover,
    the downstream work, still runs;
  - backup_type local: upload_s3 exits 99 and shows as skipped;
and the daily purge DAG: an old backed-up file purged, young ones kept, the next day the purged one not selected again.
Usage: dag_test.py RAWBACKUP_BINARY"""
import json
import os
import py_compile
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import airflow_stub  # noqa: E402
from dag_checks import check_commands_against_help, load_dag  # noqa: E402
from facility import BUCKET_PREFIX, Checks, S3rver, bruker_d, sciex_pair, thermo_raw, write_config  # noqa: E402

BINARY = Path(sys.argv[1]).resolve()
t = Checks()


def check_purge_wiring(dag):
    task = dag.tasks.get("purge")
    t.check("purge DAG: one task", set(dag.tasks) == {"purge"}, str(set(dag.tasks)))
    t.check("purge DAG: daily, no catch-up, one run at a time",
            (dag.kwargs.get("schedule"), dag.kwargs.get("catchup"), dag.kwargs.get("max_active_runs")) == ("@daily", False, 1))
    t.check("purge DAG: every done record", "purge --all-status done" in task.args["bash_command"])


def check_wiring(dag):
    tasks = dag.tasks
    t.check("tasks", set(tasks) == {"checksum", "copy_local", "upload_s3", "file_mover"}, str(set(tasks)))
    t.check("checksum >> copy_local", tasks["copy_local"].upstream == {"checksum"})
    t.check("copy_local >> [upload_s3, file_mover]",
            tasks["copy_local"].downstream == {"upload_s3", "file_mover"})
    t.check("file_mover does not wait for upload_s3", tasks["file_mover"].upstream == {"copy_local"})
    t.check("nothing waits for upload_s3", not tasks["upload_s3"].downstream)
    t.check("retries=3 everywhere", all(x.args["retries"] == 3 for x in tasks.values()))
    t.check("upload_s3 long execution_timeout", tasks["upload_s3"].args["execution_timeout"] >= timedelta(hours=12))
    t.check("upload_s3 skip_on_exit_code=99", tasks["upload_s3"].args["skip_on_exit_code"] == 99)
    t.check("upload_s3 --skip-exit-code 99", "--skip-exit-code 99" in tasks["upload_s3"].args["bash_command"])
    t.check("XCom push of the JSON result",
            all(x.args["do_xcom_push"] and "--json" in x.args["bash_command"]
                for k, x in tasks.items() if k != "file_mover"))
    t.check("pools for copy and upload",
            (tasks["copy_local"].args["pool"], tasks["upload_s3"].args["pool"]) == ("rawbackup_copy", "rawbackup_upload"))


def xcom(states, task_id):
    value = states[task_id][1]
    try:
        return json.loads(value) if value else {}
    except json.JSONDecodeError:
        return {"unparsed": value}


def old_backed_up(root, name):
    """A raw file acquired 20 days ago, checksummed, copied and uploaded by hand."""
    path = root / "instruments" / "astral1" / name
    thermo_raw(path, 1 << 20, 4)
    then = path.stat().st_mtime - 20 * 86400
    os.utime(path, (then, then))
    for task in (["checksum", "--instrument", "astral1"], ["copy-local"], ["upload-s3"]):
        done = subprocess.run([str(BINARY), "--config", str(root / "facility.yaml"), *task, name], capture_output=True, text=True)
        t.check(f"purge set-up: {task[0]} {name}", done.returncode == 0, done.stderr[-300:])
    return path


def run_purge(root, purge_dag):
    """After run_s3: its first raw file (backed up today) is too young; an old one goes."""
    old = old_backed_up(root, "20261101_astral1_PRID001_old.raw")
    states = run_dag(purge_dag, {"raw_file": "(daily)"})
    result = xcom(states, "purge")
    counts = result.get("counts", {})
    t.check("purge DAG: succeeds", states["purge"][0] == "success", str(states))
    t.check("purge DAG: the old file purged, today's three sets kept",
            not old.exists() and counts.get("purged") == 1 and counts.get("kept") == 3, str(result))
    states = run_dag(purge_dag, {"raw_file": "(next day)"})
    counts = xcom(states, "purge").get("counts", {})
    t.check("purge DAG: the next run leaves the purged set out",
            states["purge"][0] == "success" and counts == {"kept": 3}, str(counts))


def run_s3(root, dag, purge_dag):
    s3 = S3rver(root / "s3", [f"{BUCKET_PREFIX}-prid001"])
    try:
        write_config(root, "s3")
        os.environ.update(s3.env())
        os.environ["AIRFLOW_VAR_RAWBACKUP_CONFIG"] = str(root / "facility.yaml")
        astral = root / "instruments" / "astral1"
        thermo_raw(astral / "20261122_astral1_PRID001_a.raw", 7 << 20, 1)
        thermo_raw(astral / "20261122_astral1_PRID999_b.raw", 1 << 20, 2)
        conf = {"instrument": "astral1", "instrument_dir": str(astral)}
        states = run_dag(dag, {**conf, "raw_file": "20261122_astral1_PRID001_a.raw"})
        t.check("s3: every task succeeds", all(s[0] == "success" for s in states.values()), str(states))
        t.check("s3: XCom checksum done", xcom(states, "checksum").get("outcome") == "done")
        t.check("s3: XCom copy-local done", xcom(states, "copy_local").get("outcome") == "done")
        upload = xcom(states, "upload_s3")
        t.check("s3: XCom upload-s3 done", upload.get("outcome") == "done" and upload.get("uploaded") == 1, str(upload))
        t.check("s3: file moved to processing", (root.parent / "processing" / "20261122_astral1_PRID001_a.raw").exists())
        states = run_dag(dag, {**conf, "raw_file": "20261122_astral1_PRID999_b.raw"})
        t.check("s3: missing bucket fails upload_s3 after 3 retries",
                states["upload_s3"][0] == "failed" and states["upload_s3"][2] == 4, str(states["upload_s3"]))
        t.check("s3: file_mover still runs", states["file_mover"][0] == "success", str(states["file_mover"]))
        t.check("s3: local backup done anyway", xcom(states, "copy_local").get("outcome") == "done")
        run_whole_sets(root, dag)
        run_purge(root, purge_dag)
    finally:
        s3.stop()


def run_whole_sets(root, dag):
    """file_mover moves every entry of a Bruker .d and a Sciex pair, and a re-run finds them moved."""
    processing = root.parent / "processing"
    bruker = root / "instruments" / "timstof1"
    bruker_d(bruker / "20261122_timstof1_PRID001_d.d", 5)
    sciex = root / "instruments" / "zenotof1"
    sciex_pair(sciex, "20261122_zenotof1_PRID001_e", 6)
    (sciex / "20261122_zenotof1_PRID001_other.wiff").write_bytes(b"another acquisition")  # not of the set
    for instrument, folder, name, entries in (
            ("timstof1", bruker, "20261122_timstof1_PRID001_d.d", ["20261122_timstof1_PRID001_d.d"]),
            ("zenotof1", sciex, "20261122_zenotof1_PRID001_e.wiff",
             ["20261122_zenotof1_PRID001_e.wiff", "20261122_zenotof1_PRID001_e.wiff.scan"])):
        conf = {"instrument": instrument, "instrument_dir": str(folder), "raw_file": name}
        states = run_dag(dag, conf)
        t.check(f"{instrument}: every task succeeds", all(s[0] == "success" for s in states.values()), str(states))
        t.check(f"{instrument}: the whole set moved to processing",
                all((processing / e).exists() and not (folder / e).exists() for e in entries),
                str(sorted(p.name for p in processing.iterdir())))
        if instrument == "timstof1":
            t.check("timstof1: the .d's files moved with it",
                    (processing / name / "method.m" / "submethods.xml").exists())
        again = airflow_stub.run_task(dag.tasks["file_mover"], {**dag.params, **conf})
        t.check(f"{instrument}: file_mover again finds the set moved", again[0] == "success", str(again))
    t.check("zenotof1: another acquisition stays", (sciex / "20261122_zenotof1_PRID001_other.wiff").exists())


def run_local(root, dag):
    write_config(root, "local")
    os.environ["AIRFLOW_VAR_RAWBACKUP_CONFIG"] = str(root / "facility.yaml")
    astral = root / "instruments" / "astral1"
    thermo_raw(astral / "20261122_astral1_PRID001_c.raw", 1 << 20, 3)
    states = run_dag(dag, {"instrument": "astral1", "instrument_dir": str(astral),
                           "raw_file": "20261122_astral1_PRID001_c.raw"})
    t.check("local: upload_s3 skipped (exit 99)", states["upload_s3"][0] == "skipped", str(states["upload_s3"]))
    t.check("local: the rest succeeds",
            all(states[k][0] == "success" for k in ("checksum", "copy_local", "file_mover")), str(states))


def run_dag(dag, conf):
    print(f"-- DAG run {conf['raw_file']}", flush=True)
    return airflow_stub.run_dag(dag, conf)


def main():
    try:
        with tempfile.TemporaryDirectory() as build:
            for name in ("rawbackup_dag.py", "rawbackup_purge_dag.py"):
                py_compile.compile(str(HERE / name), cfile=f"{build}/{name}c", doraise=True)
        compiled = ""
    except py_compile.PyCompileError as e:
        compiled = str(e)
    t.check("DAG file compiles", not compiled, compiled)
    with tempfile.TemporaryDirectory(prefix="rawbackup-airflow-") as tmp:
        root = Path(tmp)
        os.environ["AIRFLOW_VAR_RAWBACKUP_BINARY"] = str(BINARY)
        os.environ["AIRFLOW_VAR_RAWBACKUP_PROCESSING_DIR"] = str(root / "processing")
        dag, purge_dag = load_dag("rawbackup_dag"), load_dag("rawbackup_purge_dag")
        check_wiring(dag)
        check_purge_wiring(purge_dag)
        check_commands_against_help(t, BINARY, dag)
        check_commands_against_help(t, BINARY, purge_dag)
        run_s3(root / "s3run", dag, purge_dag)
        run_local(root / "localrun", dag)
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
