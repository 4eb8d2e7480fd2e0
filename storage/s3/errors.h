// S3 error replies as typed values: what happened, and whether retrying can help.
#pragma once
#include <string>
#include <string_view>

namespace rawbackup::s3 {

// Where an error came from: the server's reply, or why there was none.
enum class S3ErrorOrigin {
  server,       // a reply (http_status set; code when the body said one)
  network,      // no reply: connection failed, reset or timed out
  local_read,   // reading the request body from the local file failed
  cancelled,    // the sink refused the bytes of a GET
  interrupted,  // SIGINT/SIGTERM
  credentials,  // none could be had to sign the request (a credential_process failed, …)
  tls_config,   // the endpoint's certificate is not trusted, or the CA bundle cannot be read
  fenced,       // not sent: this run no longer holds the record's lease (FencedObjectStore)
};

struct S3Error {
  int http_status = 0;  // 0: no reply (connection failed, timed out)
  std::string code;     // S3's <Code> ("NoSuchBucket", "SlowDown", …), or "" when unknown
  std::string message;  // S3's <Message>, or a summary of a reply that was not S3 XML
  std::string request_id;
  S3ErrorOrigin origin = S3ErrorOrigin::server;
  std::string region{};  // the bucket's region, when the reply names it (<Region>)
};

// An error without a reply (status 0, no code).
S3Error local_error(S3ErrorOrigin origin, std::string message);
inline bool is_interrupted(const S3Error& error) { return error.origin == S3ErrorOrigin::interrupted; }

// Reads an error reply. A body that is not S3 error XML (HTML from a proxy, garbage, empty)
// still gives an error, described by the HTTP status and the body's first line.
S3Error parse_error_reply(int http_status, std::string_view body);

// Worth retrying with backoff: 5xx, throttling, timeouts, no reply from the network.
bool is_transient(const S3Error& error);
// The upload ID is no longer valid (aborted, completed, expired): start a fresh upload.
bool is_upload_gone(const S3Error& error);

// One line for logs and records: "NoSuchBucket (HTTP 404): The specified bucket does not exist".
std::string describe(const S3Error& error);

}  // namespace rawbackup::s3
