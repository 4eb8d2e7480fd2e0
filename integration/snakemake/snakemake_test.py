#!/usr/bin/env python3
"""The example Snakefile, run for real with Debian's snakemake against a loopback s3rver:
three raw files in one instrument folder, one of them in a project whose bucket is missing, and
a file whose name `scan` refuses; the workflow's sets come from `rawbackup scan`.
  - first run: every file is checksummed, copied and processed; two are uploaded and verified;
    the third's upload fails (after its retries) without stopping `process`; snakemake exits non-zero;
  - the bucket is created; a re-run redoes only the failed upload and exits 0;
  - the record store agrees: every record copying_done, every backup done; the refused name
    was never worked on;
  - the instrument folder gone (a share not mounted): the workflow stops with scan's message.
Usage: snakemake_test.py RAWBACKUP_BINARY"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from facility import BUCKET_PREFIX, Checks, S3rver, thermo_raw, write_config  # noqa: E402

BINARY = str(Path(sys.argv[1]).resolve())
NAMES = ["20261122_astral1_PRID001_a.raw", "20261122_astral1_PRID001_b.raw",
         "20261122_astral1_PRID002_c.raw"]
INVALID = "20261122_astral1_PRID001_\x7f.raw"  # a control character: scan says invalid-name
t = Checks()


def snakemake(root):
    done = subprocess.run(
        ["snakemake", "--snakefile", str(HERE / "Snakefile"), "--directory", str(root / "wf"),
         "--cores", "2", "--resources", "copy_slots=2", "upload_slots=1", "--keep-going", "--nocolor",
         "--config", "instrument=astral1"],
        capture_output=True, text=True)
    return done


def results(root, suffix):
    return {n for n in NAMES if (root / "wf" / "results" / "astral1" / f"{n}.{suffix}").exists()}


def create_bucket(s3, name):
    env = {**os.environ, "S3_ENDPOINT": s3.env()["AWS_ENDPOINT_URL"]}
    subprocess.run(["bash", "-c", f"source {HERE.parent}/s3/s3curl.sh && s3 PUT /{name} -f"],
                   env=env, check=True)


def main():
    with tempfile.TemporaryDirectory(prefix="rawbackup-snakemake-") as tmp:
        root = Path(tmp)
        for i, name in enumerate(NAMES):
            thermo_raw(root / "instruments" / "astral1" / name, (6 << 20) if i == 0 else 4096, i)
        thermo_raw(root / "instruments" / "astral1" / INVALID, 4096, 9)
        write_config(root, "s3")
        s3 = S3rver(root / "s3", [f"{BUCKET_PREFIX}-prid001"])
        try:
            os.environ.update(s3.env())
            os.environ["RAWBACKUP"] = BINARY
            os.environ["RAWBACKUP_CONFIG"] = str(root / "facility.yaml")
            first = snakemake(root)
            t.check("first run exits non-zero (one upload failed)", first.returncode != 0,
                    f"exit {first.returncode}")
            t.check("every file processed despite the failed upload",
                    results(root, "processed") == set(NAMES), (first.stdout + first.stderr)[-3000:])
            t.check("two uploads done", results(root, "upload-s3.json") == set(NAMES[:2]))
            t.check("and verified after", results(root, "verify.json") == set(NAMES[:2]))
            upload = json.loads((root / "wf" / "results" / "astral1" / f"{NAMES[0]}.upload-s3.json").read_text())
            t.check("upload result is the task's JSON", upload.get("outcome") == "done", str(upload))
            log = first.stdout + first.stderr
            t.check("the failed upload was tried 3 times (retries: 2)",
                    log.count("Trying to restart job") == 2 and log.count("does not exist (region") == 3,
                    log[-3000:])
            create_bucket(s3, f"{BUCKET_PREFIX}-prid002")
            second = snakemake(root)
            log = second.stdout + second.stderr
            t.check("re-run exits 0", second.returncode == 0, log[-3000:])
            t.check("re-run redoes only the failed upload",
                    "rule upload_s3" in log and "rule copy_local" not in log and "rule checksum" not in log, log[-2000:])
            status = subprocess.run([BINARY, "--json", "status"], capture_output=True, text=True)
            records = json.loads(status.stdout)["records"]
            t.check("store: every record copied and backed up",
                    len(records) == 3 and all(r["status"] == "copying_done" and r["backup_status"] == "done" for r in records),
                    status.stdout[:1000])
            t.check("the name scan refuses was never worked on",
                    not any(INVALID in p.name for p in (root / "wf" / "results").rglob("*")))
            (root / "instruments" / "astral1").rename(root / "astral1.unmounted")
            third = snakemake(root)
            log = third.stdout + third.stderr
            t.check("folder missing: the workflow stops with scan's message",
                    third.returncode != 0 and "rawbackup scan failed (exit 1)" in log and "is missing" in log, log[-2000:])
        finally:
            s3.stop()
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
