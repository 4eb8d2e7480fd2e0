#!/usr/bin/env python3
"""Checks every uploaded object of the given records with a client no one here wrote (boto3,
Debian's python3-boto3): each file of a record is read back in full from its object (the
record's s3_upload_path followed by the file's path in the set) and its MD5 compared with the
MD5 of the original file in the instrument folder.

    rawbackup --json status ID... | boto3_bytes.py INSTRUMENT_ROOT
        → one line per record ("ok ID: N objects, B bytes" or "FAIL ID: why"), exit 1 on any FAIL
INSTRUMENT_ROOT/INSTRUMENT_ID holds each instrument's files. The server and keys come from
S3_ENDPOINT, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."""
import hashlib
import json
import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config


def md5_of_file(path):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def main():
    root = Path(sys.argv[1])
    s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"], region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 3}))
    failed = 0
    for record in json.loads(sys.stdin.read())["records"]:
        total, problems = 0, []
        if not record.get("s3_upload_path"):
            problems.append("not uploaded")
        for relative in sorted(record["file_info"] if not problems else []):
            url = record["s3_upload_path"] + relative
            bucket, _, key = url.removeprefix("s3://").partition("/")
            body = s3.get_object(Bucket=bucket, Key=key)["Body"]
            digest = hashlib.md5()
            for chunk in iter(lambda: body.read(1 << 20), b""):
                digest.update(chunk)
                total += len(chunk)
            if digest.hexdigest() != md5_of_file(root / record["instrument_id"] / relative):
                problems.append(f"{url} differs from {relative}")
        if problems:
            failed += 1
            print(f"FAIL {record['id']}: " + "; ".join(problems))
        else:
            print(f"ok {record['id']}: {len(record['file_info'])} objects, {total} bytes")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
