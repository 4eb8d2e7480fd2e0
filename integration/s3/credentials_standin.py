#!/usr/bin/env python3
"""Stands in for AWS's credential services on 127.0.0.1 (a free port), handing out the keys the
test S3 server accepts, valid for LIFETIME seconds:
- STS (POST /sts/): AssumeRoleWithWebIdentity (WebIdentityToken must be TOKEN) and AssumeRole,
  whose SigV4 signature (service "sts") is checked against SOURCE_KEY/SOURCE_SECRET, the keys
  of the role's source profile (the S3 server does not accept them): a wrong signature is
  403 SignatureDoesNotMatch, as STS answers;
- container credentials (GET /container, Authorization must be TOKEN);
- EC2 instance metadata, IMDSv2 (PUT /latest/api/token, then GETs with that token).
Every request is logged to DIR/requests.log as "METHOD PATH STATUS [ACTION] t=UNIX_SECONDS".

Usage: credentials_standin.py DIR ACCESS_KEY SECRET_KEY LIFETIME TOKEN SOURCE_KEY SOURCE_SECRET
(writes DIR/port)"""
import datetime
import hashlib
import hmac
import http.server
import os
import re
import sys
import time
import urllib.parse

DIR, KEY, SECRET, TOKEN, SOURCE_KEY, SOURCE_SECRET = (sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[5],
                                                      sys.argv[6], sys.argv[7])
LIFETIME = int(sys.argv[4])
IMDS_TOKEN = "imds-session-token"
AUTHORIZATION = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/sts/aws4_request, "
                           r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$")


def expiration():
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=LIFETIME)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def signed_by_source(headers, path, body):
    """Whether the request carries a valid SigV4 signature by SOURCE_KEY/SOURCE_SECRET."""
    m = AUTHORIZATION.match(headers.get("Authorization", ""))
    if not m or m.group(1) != SOURCE_KEY:
        return False
    date, region, signed, signature = m.group(2), m.group(3), m.group(4), m.group(5)
    canonical_headers = "".join(f"{n}:{' '.join(headers.get(n, '').split())}\n" for n in signed.split(";"))
    canonical = "\n".join(["POST", path, "", canonical_headers, signed, hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{region}/sts/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""), scope,
                         hashlib.sha256(canonical.encode()).hexdigest()])
    key = ("AWS4" + SOURCE_SECRET).encode()
    for part in (date, region, "sts", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.compare_digest(hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest(), signature)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json", action=""):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write(f"{self.command} {self.path} {status}{' ' + action if action else ''} t={int(time.time())}\n")

    def json_credentials(self):
        return ('{"Code": "Success", "AccessKeyId": "%s", "SecretAccessKey": "%s", "Token": "", '
                '"Expiration": "%s"}' % (KEY, SECRET, expiration()))

    def sts_error(self, status, code, action):
        body = f"<ErrorResponse><Error><Code>{code}</Code><Message>refused</Message></Error></ErrorResponse>"
        self.reply(status, body, "text/xml", action)

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
            return self.reply(200, IMDS_TOKEN, "text/plain")
        self.reply(400, "bad token request", "text/plain")

    def do_GET(self):
        if self.path == "/container":
            ok = self.headers.get("Authorization") == TOKEN
            return self.reply(200, self.json_credentials()) if ok else self.reply(401, "{}")
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("x-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.reply(401, "", "text/plain")
            role = self.path.rsplit("/", 1)[1]
            if not role:
                return self.reply(200, "rawbackup-role", "text/plain")
            return self.reply(200, self.json_credentials()) if role == "rawbackup-role" else self.reply(404, "")
        self.reply(404, "", "text/plain")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        form = urllib.parse.parse_qs(body.decode())
        action = form.get("Action", [""])[0]
        if action == "AssumeRoleWithWebIdentity" and form.get("WebIdentityToken") != [TOKEN]:
            return self.sts_error(400, "InvalidIdentityToken", action)
        if action == "AssumeRole" and not signed_by_source(self.headers, urllib.parse.urlsplit(self.path).path, body):
            return self.sts_error(403, "SignatureDoesNotMatch", action)
        if action not in ("AssumeRole", "AssumeRoleWithWebIdentity") or not form.get("RoleArn"):
            return self.sts_error(400, "InvalidAction", action)
        result = (f"<{action}Response><{action}Result><Credentials>"
                  f"<AccessKeyId>{KEY}</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>"
                  f"<SessionToken></SessionToken><Expiration>{expiration()}</Expiration>"
                  f"</Credentials></{action}Result></{action}Response>")
        self.reply(200, result, "text/xml", action)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
