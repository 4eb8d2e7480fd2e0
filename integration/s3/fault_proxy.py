#!/usr/bin/env python3
"""A fault-injecting S3 proxy for tests: forwards to a real server (Ceph's gateway or s3rver)
and, following a rules file it re-reads on every request, answers some requests itself or
corrupts them on the way. No real server can be told to fail the 3rd UploadPart, or to receive
a body other than the one sent, so these paths are tested through this proxy.

    fault_proxy.py UPSTREAM_URL DIR [CERT KEY]
        → listens on 127.0.0.1:<free port> (HTTPS with CERT/KEY); writes DIR/port, appends
          every request to DIR/requests.log ("METHOD /path?query STATUS [fault]")

DIR/rules.json is a list of rules. A rule matches by "method", and substrings of "path",
"query" and the Range header ("range", for ranged GETs); it lets its first "after" matches through (default 0), then applies to the next
"times" (default 1), then is spent. "Fail the 3rd UploadPart twice":
    {"method": "PUT", "query": "partNumber=", "after": 2, "times": 2, "fault": "500"}
faults:
  "500" (InternalError), "503" (SlowDown): answered by the proxy, nothing forwarded;
  "reset": the connection closed unanswered, nothing forwarded;
  "reset_mid_body": forwarded, then the reply's headers and half its body, then a reset;
  "truncate": forwarded, then the full Content-Length announced but half the body sent;
  "stall": logs "METHOD /path - stalling" (the request is in flight: tests wait for this
    line), then waits "seconds" (default 5) before forwarding; a client that hangs up meanwhile
    ends the stall, nothing forwarded (logged "METHOD /path - stalled, client gone");
  "corrupt": flips one byte of the request body, so the server answers BadDigest;
  "corrupt_reply": forwarded, then one byte of the reply body flipped (a GET's bytes
    corrupted on the way back);
  "wrong_etag": forwarded, then the ETag in the reply (header and XML body) replaced by a
    wrong one — e.g. a CompleteMultipartUpload claiming another object;
  "opaque_etags": forwarded, then the ETag of the object in the reply (PUT, HEAD, GET, the
    XML of CompleteMultipartUpload and ListObjects) replaced by another fixed one derived from
    it, as AWS reports under SSE-KMS and SSE-C (not the MD5 of the bytes); parts keep theirs
    (CompleteMultipartUpload's request, signed with its Content-MD5, names them);
  "archive": objects under "path" are in the rule's "storage_class" (DEEP_ARCHIVE, GLACIER), as
    Ceph cannot make them: HEAD says so (x-amz-storage-class, and x-amz-restore when the rule
    has "restore"), listings too (<StorageClass>); a GET of an object answers 403
    InvalidObjectState unless "restore" says ongoing-request="false"; a RestoreObject (POST
    ?restore) is answered 202 by the proxy;
  "reply": answered by the proxy with "status" (default 200), "body", "content_type" and
    "headers" (a name → value object); garbage XML, HTML error pages, empty bodies, a
    bucket's region (301 with x-amz-bucket-region), a server whose clock is off (its "Date").
The proxy keeps the Host header, so the client's signature stays valid upstream.
Each test case starts a new generation (DIR/generation, a token the harness writes with the
case's rules) and a new requests.log; a request that began under an earlier generation is
never written to the new log, so a case never sees the previous case's stalled request
finish. (Not the log's inode: a file removed and created again often gets the same one.)
"""
import hashlib
import http.server
import json
import os
import re
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse

import relay

UPSTREAM = urllib.parse.urlsplit(sys.argv[1])
DIR = sys.argv[2]
LOCK = threading.Lock()

ERRORS = {
    "500": (500, "InternalError", "We encountered an internal error. Please try again."),
    "503": (503, "SlowDown", "Please reduce your request rate."),
}


def opaque(etag):
    """The fixed stand-in for an ETag (quotes and &quot; allowed): hex, not the MD5 of the bytes."""
    plain = etag.replace("&quot;", "").strip('"')
    whole, dash, parts = plain.partition("-")
    return hashlib.md5(f"opaque:{whole}".encode()).hexdigest() + dash + parts


def take_fault(method, path, query, byte_range=""):
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
            if rule.get("path", "") not in path or rule.get("range", "") not in byte_range:
                continue
            if rule.get("after", 0) > 0:
                rule["after"] -= 1
                save(rules_file, rules)
                return None
            rule["times"] = rule.get("times", 1) - 1
            save(rules_file, rules)
            return rule
    return None


def save(rules_file, rules):
    with open(rules_file + ".tmp", "w") as f:
        json.dump(rules, f)
    os.replace(rules_file + ".tmp", rules_file)


WRONG_ETAG = "0123456789abcdef0123456789abcdef"


def log_generation():
    """The current case's token (DIR/generation), None when there is none."""
    try:
        with open(os.path.join(DIR, "generation")) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def log(line, generation=None):
    """Appends to requests.log; with a generation, only while that log is still current."""
    with LOCK:
        if generation is not None and log_generation() != generation:
            return
        with open(os.path.join(DIR, "requests.log"), "a") as f:
            f.write(line + "\n")


def client_gone(connection):
    """True once the client has closed its end (a peek at the raw socket reads end of file)."""
    raw = socket.socket(fileno=os.dup(connection.fileno()))
    try:
        raw.setblocking(False)
        return raw.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True
    finally:
        raw.close()


def stall(connection, seconds):
    """Waits up to `seconds`; False when the client hung up first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if client_gone(connection):
            return False
        time.sleep(0.05)
    return True


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def log(self, line):
        log(line, self.generation)

    def handle_any(self):
        self.generation = log_generation()
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length) if length else b""
        rule = take_fault(self.command, path, query, self.headers.get("Range", "")) or {}
        fault = rule.get("fault")
        if fault == "stall":
            self.log(f"{self.command} {self.path} - stalling")
        if fault == "stall" and not stall(self.connection, rule.get("seconds", 5)):
            self.log(f"{self.command} {self.path} - stalled, client gone")
            self.close_connection = True
            return
        if fault == "reset":
            self.log(f"{self.command} {self.path} - reset")
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if fault == "reply":
            self.answer(rule.get("status", 200), rule.get("body", "").encode(),
                        rule.get("content_type", "application/xml"), fault, rule.get("headers", {}))
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
            self.log(f"{self.command} {self.path} {status} {fault}")
            return
        if fault == "archive" and self.archived_answer(rule, query):
            return
        if fault == "corrupt" and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        self.forward(body, fault)

    def archived_answer(self, rule, query):
        """Answers what an archived object's server would itself; False to forward the request."""
        readable = 'ongoing-request="false"' in rule.get("restore", "")
        if self.command == "POST" and "restore" in query:
            self.answer(202, b"", "application/xml", "archive")
            return True
        if self.command == "GET" and "list-type" not in query and not readable:
            body = (b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidObjectState</Code>'
                    b"<Message>The operation is not valid for the object's storage class</Message></Error>")
            self.answer(403, body, "application/xml", "archive")
            return True
        self.archive_rule = rule
        return False

    def forward(self, body, fault):
        status, headers, data, length = relay.fetch(UPSTREAM, self.command, self.path, self.headers.items(), body)
        if fault == "archive":
            rule = self.archive_rule
            headers = [(n, v) for n, v in headers if n.lower() != "x-amz-storage-class"]
            headers.append(("x-amz-storage-class", rule["storage_class"]))
            if rule.get("restore"):
                headers.append(("x-amz-restore", rule["restore"]))
            data = re.sub(rb"<StorageClass>[^<]*</StorageClass>",
                          f"<StorageClass>{rule['storage_class']}</StorageClass>".encode(), data)
        query = self.path.partition("?")[2]
        a_part = "partNumber=" in query or (self.command == "GET" and "uploadId=" in query)  # UploadPart, ListParts
        if fault == "opaque_etags" and not a_part:
            headers = [(n, f'"{opaque(v)}"' if n.lower() == "etag" else v) for n, v in headers]
            data = re.sub(rb"<ETag>([^<]*)</ETag>",
                          lambda m: f"<ETag>&quot;{opaque(m.group(1).decode())}&quot;</ETag>".encode(), data)
        if fault == "wrong_etag":
            headers = [(n, f'"{WRONG_ETAG}"' if n.lower() == "etag" else v) for n, v in headers]
            data = re.sub(rb"<ETag>[^<]*</ETag>", f"<ETag>&quot;{WRONG_ETAG}-2&quot;</ETag>".encode(), data)
        if fault == "corrupt_reply" and data:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        relay.send_head(self, status, headers, data, length)
        self.log(f"{self.command} {self.path} {status}" + (f" {fault}" if fault else ""))
        if self.command == "HEAD":
            return
        if fault in ("truncate", "reset_mid_body"):
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            if fault == "reset_mid_body":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        self.wfile.write(data)

    def answer(self, status, body, content_type, fault, headers=None):
        if any(name.lower() == "date" for name in (headers or {})):
            self.send_response_only(status)  # the rule's Date only (a server with another clock)
        else:
            self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.log(f"{self.command} {self.path} {status} {fault}")

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


class Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client killed mid-request (the crash tests do that) is expected: log, no traceback."""
        log(f"- - client {client_address[1]} gone: {sys.exc_info()[1]!r}")


def main():
    server = Server(("127.0.0.1", 0), Proxy)
    if len(sys.argv) > 4:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    server.serve_forever()


if __name__ == "__main__":
    main()
