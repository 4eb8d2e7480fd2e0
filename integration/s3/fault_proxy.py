#!/usr/bin/env python3
"""A fault-injecting S3 proxy for tests: forwards to a real server (Ceph's gateway or s3rver)
and, following a rules file it re-reads on every request, answers some requests itself or
corrupts them on the way. No real server can be told to fail the 3rd UploadPart, or to receive
a body other than the one sent, so these paths are tested through this proxy.

    fault_proxy.py UPSTREAM_URL DIR   → listens on 127.0.0.1:<free port>; writes DIR/port,
                                         appends every request to DIR/requests.log
                                         ("METHOD /path?query STATUS [fault]")

DIR/rules.json is a list of rules, each used `times` times (default 1) by the requests that
match it, then spent:
    {"method": "PUT", "query": "partNumber=2", "fault": "500", "times": 2}
faults: "500" (InternalError), "503" (SlowDown), "corrupt" (flips one byte of the body, so the
server sees a wrong Content-MD5 and answers BadDigest), "reset" (closes the connection unanswered),
"stall" (waits "seconds", default 5, before forwarding).
The proxy keeps the Host header, so the client's signature stays valid upstream.
"""
import http.client
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
DIR = sys.argv[2]
LOCK = threading.Lock()

ERRORS = {
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "503": (503, "SlowDown", "Please reduce your request rate."),
}


def take_fault(method, path, query):
    """The first matching rule (spending one of its uses), or None."""
    rules_file = os.path.join(DIR, "rules.json")
    with LOCK:
        try:
            with open(rules_file) as f:
                rules = json.load(f)
        except FileNotFoundError:
            return None
        for rule in rules:
            if rule.get("times", 1) <= 0:
                continue
            if rule.get("method", method) != method or rule.get("query", "") not in query:
                continue
            if rule.get("path", "") not in path:
                continue
            rule["times"] = rule.get("times", 1) - 1
            with open(rules_file + ".tmp", "w") as f:
                json.dump(rules, f)
            os.replace(rules_file + ".tmp", rules_file)
            return rule
    return None


def log(line):
    with LOCK, open(os.path.join(DIR, "requests.log"), "a") as f:
        f.write(line + "\n")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        rule = take_fault(self.command, path, query) or {}
        fault = rule.get("fault")
        if fault == "stall":
            time.sleep(rule.get("seconds", 5))
        if fault == "reset":
            log(f"{self.command} {self.path} - reset")
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault in ERRORS:
            status, code, message = ERRORS[fault]
            reply = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
                     f"<Message>{message}</Message><RequestId>fault-proxy</RequestId></Error>").encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply)
            log(f"{self.command} {self.path} {status} {fault}")
            return
        if fault == "corrupt" and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        self.forward(body, fault)

    def forward(self, body, fault):
        conn = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port, timeout=120)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            conn.putheader(name, value)
        conn.endheaders(body if body else None)
        reply = conn.getresponse()
        data = reply.read()
        self.send_response(reply.status)
        for name, value in reply.getheaders():
            if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(name, value)
        length = reply.getheader("Content-Length") if self.command == "HEAD" else str(len(data))
        self.send_header("Content-Length", length or "0")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()
        log(f"{self.command} {self.path} {reply.status}" + (f" {fault}" if fault else ""))

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
