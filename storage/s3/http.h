// HTTP as the S3 client needs it, behind an interface: libcurl lives in curl_http.cpp only.
#pragma once
#include <chrono>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/object_store.h"

namespace rawbackup::s3 {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;              // GET, HEAD, PUT, POST, DELETE
  std::string url;                 // scheme://host[:port]/path?query, already percent-encoded
  Headers headers;                 // sent as given (Host included); Authorization is never logged
  const Body* body = nullptr;      // nullptr: no body
  const ByteSink* sink = nullptr;  // receives a 2xx reply's body instead of `body` below
  bool interruptible = true;       // SIGINT/SIGTERM cancel it (not the clean-up requests)
};

struct HttpResponse {
  int status = 0;
  Headers headers;   // names lowercased
  std::string body;  // error replies, XML; empty when a sink took it

  // The first header of that (lowercase) name, or nullopt.
  std::optional<std::string> header(const std::string& name) const;
};

// The request got no HTTP reply.
struct TransportError {
  // tls_config: the endpoint's certificate is not trusted, or the CA bundle cannot be used:
  // a set-up problem no retry fixes.
  enum class Cause { network, body_read, sink_refused, interrupted, tls_config } cause = Cause::network;
  std::string message;
};

struct HttpOptions {
  std::string ca_bundle;  // PEM file of trusted CAs; "" for the system's
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds stall_timeout{30};  // no bytes moved for this long → network error
};

// One connection's worth of HTTP: requests are sent one at a time, the connection is kept
// alive between them. TLS certificates are always verified.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual std::expected<HttpResponse, TransportError> send(const HttpRequest& request) = 0;
};

std::unique_ptr<HttpClient> make_curl_client(const HttpOptions& options);

}  // namespace rawbackup::s3
