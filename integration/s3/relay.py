"""One request relayed to the real S3 server and its reply back, as the test proxies do
(fault_proxy.py, prefix_gateway.py). The client's headers go as they are, Host included, so
a signature over them stays valid upstream."""
import http.client

HOP_BY_HOP = ("content-length", "transfer-encoding", "connection")


def fetch(upstream, method, target, headers, body):
    """METHOD TARGET with HEADERS ((name, value) pairs) and BODY sent to UPSTREAM (a urlsplit
    result) → (status, the reply's headers less the hop-by-hop ones, its body, its
    Content-Length or None)."""
    conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=120)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            conn.putheader(name, value)
        conn.endheaders(body if body else None)
        reply = conn.getresponse()
        data = reply.read()
        kept = [(n, v) for n, v in reply.getheaders() if n.lower() not in HOP_BY_HOP]
        return reply.status, kept, data, reply.getheader("Content-Length")
    finally:
        conn.close()


def send_head(handler, status, headers, data, content_length):
    """The status line and HEADERS to HANDLER's client, with DATA's length (a HEAD: the
    server's CONTENT_LENGTH). The caller writes the body; a HEAD has none."""
    handler.send_response(status)
    for name, value in headers:
        handler.send_header(name, value)
    length = content_length if handler.command == "HEAD" else str(len(data))
    handler.send_header("Content-Length", length or "0")
    handler.end_headers()
