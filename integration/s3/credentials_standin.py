#!/usr/bin/env python3
"""Stands in for AWS's credential services on 127.0.0.1 (a free port), handing out the keys the
test S3 server accepts, valid for LIFETIME seconds: STS AssumeRoleWithWebIdentity (POST /sts/),
container credentials (GET /container, Authorization must be TOKEN) and EC2 instance
metadata, IMDSv2 (PUT /latest/api/token, then GETs with that token). Every request is logged
to DIR/requests.log as "METHOD PATH STATUS".

Usage: credentials_standin.py DIR ACCESS_KEY SECRET_KEY LIFETIME TOKEN  (writes DIR/port)"""
import datetime
import http.server
import os
import sys
import urllib.parse

DIR, KEY, SECRET, LIFETIME, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
IMDS_TOKEN = "imds-session-token"


def expiration():
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=LIFETIME)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        with open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write(f"{self.command} {self.path} {status}\n")

    def json_credentials(self):
        return ('{"Code": "Success", "AccessKeyId": "%s", "SecretAccessKey": "%s", "Token": "", '
                '"Expiration": "%s"}' % (KEY, SECRET, expiration()))

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
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        if form.get("Action") != ["AssumeRoleWithWebIdentity"] or form.get("WebIdentityToken") != [TOKEN]:
            return self.reply(403, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>", "text/xml")
        body = ("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                f"<AccessKeyId>{KEY}</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>"
                f"<SessionToken></SessionToken><Expiration>{expiration()}</Expiration>"
                "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>")
        self.reply(200, body, "text/xml")


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
server.serve_forever()
