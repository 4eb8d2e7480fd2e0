#!/usr/bin/python3
"""A gateway serving S3 under a path prefix, for tests: what a site's reverse proxy at
https://host/PREFIX does in front of its S3 server, with the client told
endpoint_url https://host/PREFIX.

    prefix_gateway.py UPSTREAM_URL PREFIX DIR
        → listens on 127.0.0.1:<free port>; writes DIR/port, appends every request to
          DIR/requests.log ("METHOD /path?query STATUS")

Every request must start with PREFIX/ and carry a SigV4 signature over that whole path, as
computed by botocore (the signer of awscli and boto3, Debian's python3-botocore); otherwise it
is answered 403 SignatureDoesNotMatch (or 404 outside the prefix) and never forwarded. A valid
request is sent upstream without the prefix, signed again by botocore with the same date and
headers. The keys are AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY of the environment.
What it proves: the client puts the endpoint's path before bucket and key and signs it as the
SDKs do. What it cannot: how any particular product mounts S3 under a path.
"""
import http.server
import os
import re
import sys
import threading
import urllib.parse

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

import relay

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
PREFIX = sys.argv[2].rstrip("/")
DIR = sys.argv[3]
KEYS = Credentials(os.environ["AWS_ACCESS_KEY_ID"], os.environ["AWS_SECRET_ACCESS_KEY"])
LOCK = threading.Lock()
AUTH = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/s3/aws4_request, "
                  r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")


def log(line):
    with LOCK, open(os.path.join(DIR, "requests.log"), "a") as f:
        f.write(line + "\n")


def signature(method, target, headers, signed, region, amz_date):
    """botocore's SigV4 signature of METHOD TARGET (path?query) over the SIGNED headers."""
    request = AWSRequest(method=method, url=f"http://gateway{target}",
                         headers={name: headers[name] for name in signed})
    request.context["timestamp"] = amz_date
    auth = S3SigV4Auth(KEYS, "s3", region)
    return auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)


class Gateway(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        if not self.path.startswith(PREFIX + "/"):
            return self.refuse(404, "NoSuchBucket", "outside " + PREFIX)
        match = AUTH.match(self.headers.get("Authorization", ""))
        if not match:
            return self.refuse(403, "AccessDenied", "no SigV4 Authorization")
        key, _, region, signed_list, sent = match.groups()
        signed = signed_list.split(";")
        amz_date = self.headers.get("x-amz-date", "")
        if key != KEYS.access_key or any(name not in self.headers for name in signed):
            return self.refuse(403, "AccessDenied", "unknown key or a signed header missing")
        if signature(self.command, self.path, self.headers, signed, region, amz_date) != sent:
            return self.refuse(403, "SignatureDoesNotMatch", "not botocore's signature of " + self.path)
        target = self.path[len(PREFIX):]
        again = signature(self.command, target, self.headers, signed, region, amz_date)
        authorization = self.headers["Authorization"].replace(sent, again)
        self.forward(target, authorization, body)

    def forward(self, target, authorization, body):
        headers = [(n, authorization if n.lower() == "authorization" else v) for n, v in self.headers.items()]
        status, kept, data, length = relay.fetch(UPSTREAM, self.command, target, headers, body)
        relay.send_head(self, status, kept, data, length)
        if self.command != "HEAD":
            self.wfile.write(data)
        log(f"{self.command} {self.path} {status}")

    def refuse(self, status, code, why):
        body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                f"<Message>{why}</Message></Error>").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        log(f"{self.command} {self.path} {status} {code}")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
