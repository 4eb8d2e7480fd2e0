// AWS Signature Version 4: pure functions from a request to its Authorization header.
// Tested against AWS's published test suite (tests/storage/s3/sigv4_test.cpp).
#pragma once
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace rawbackup::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

struct SigningRequest {
  std::string method;
  std::string path;                                          // as sent on the request line (percent-encoded)
  std::string query;                                         // as sent, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, host included
  std::string payload_sha256;                                // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningScope {
  std::string region;
  std::string service;   // "s3"
  std::string amz_date;  // "20150830T123600Z", the request's X-Amz-Date
};

struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // the Authorization header's value
};

// Signs `request`. S3 keeps the path as sent; other services normalize it ("/a/../b" → "/b")
// and encode it once more, which `normalize_path` selects.
Signature sign_v4(const SigningRequest& request, const Credentials& credentials, const SigningScope& scope,
                  bool normalize_path);

// A time as X-Amz-Date writes it: "20150830T123600Z".
std::string amz_date_at(std::time_t time);

// RFC 3986 percent-encoding of everything but unreserved characters (and '/' if kept).
std::string uri_encode(const std::string& text, bool keep_slash);
std::string uri_decode(const std::string& text);

}  // namespace rawbackup::s3
