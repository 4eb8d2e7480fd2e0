"""A throwaway facility for the orchestrator tests: instrument folders with small raw files,
a config, and a loopback s3rver (integration/s3/s3rver.sh) with the projects' buckets."""
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
BUCKET_PREFIX = "rawbackup-it"


def thermo_raw(path: Path, size: int, seed: int) -> None:
    """A Thermo-like .raw: the Finnigan header, then `size` pseudo-random bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = bytes((i * 7919 + seed * 104729) % 251 for i in range(4096)) * (size // 4096 + 1)
    path.write_bytes(b"\x01\xa1" + "Finnigan".encode("utf-16-le") + body[:size])


def bruker_d(path: Path, seed: int) -> None:
    """A Bruker-like .d folder."""
    (path / "method.m").mkdir(parents=True, exist_ok=True)
    (path / "analysis.tdf").write_bytes(bytes([seed % 256]) * 65536)
    (path / "analysis.tdf_bin").write_bytes(os.urandom(3 << 20))
    (path / "method.m" / "submethods.xml").write_text("<method/>")


def sciex_pair(folder: Path, stem: str, seed: int) -> None:
    """A Sciex-like acquisition: STEM.wiff and STEM.wiff.scan side by side."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.wiff").write_bytes(bytes([seed % 256]) * 40000)
    (folder / f"{stem}.wiff.scan").write_bytes(os.urandom(1 << 20))


def write_config(root: Path, backup_type: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    config = root / "facility.yaml"
    config.write_text(f"""\
store: {{path: {root}/rawbackup.sqlite}}
checksum: {{settle_seconds: 0}}  # files written just now count as finished acquisitions
instruments:
  astral1: {{type: thermo, path: {root}/instruments/astral1}}
  timstof1: {{type: bruker, path: {root}/instruments/timstof1}}
  zenotof1: {{type: sciex, path: {root}/instruments/zenotof1}}
locations: {{backup: {root}/backup}}
project_pattern: "_(PRID\\\\d+)_"
backup:
  backup_type: {backup_type}
  s3: {{region: us-east-1, bucket_prefix: {BUCKET_PREFIX}, part_size_mb: 5}}
""")
    return config


class S3rver:
    """s3rver on 127.0.0.1 with `buckets`; env() gives AWS_ENDPOINT_URL and its key pair."""

    def __init__(self, folder: Path, buckets):
        self.folder = folder
        subprocess.run([str(HERE / "s3" / "s3rver.sh"), "start", str(folder), *buckets], check=True)

    def env(self) -> dict:
        values = {}
        for line in (self.folder / "env").read_text().splitlines():
            key, _, value = line.removeprefix("export ").partition("=")
            values[key] = value
        values["AWS_ENDPOINT_URL"] = values.pop("S3_ENDPOINT")
        return values

    def stop(self) -> None:
        subprocess.run([str(HERE / "s3" / "s3rver.sh"), "stop", str(self.folder)], check=False)


class Checks:
    """Named checks printed as ok/FAIL lines, like integration/lib.sh."""

    def __init__(self):
        self.failed = 0
        self.passed = 0

    def check(self, name: str, condition: bool, detail: str = "") -> None:
        if condition:
            self.passed += 1
            print(f"ok   {name}", flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}{': ' + detail if detail else ''}", flush=True)

    def summary(self) -> int:
        print(f"{self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0
