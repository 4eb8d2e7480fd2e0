#include "storage/s3/errors.h"

#include <pugixml.hpp>

#include <array>

namespace rawbackup::s3 {
namespace {

// The first line of a non-XML body, shortened, for the message.
std::string first_line(std::string_view body) {
  std::string line(body.substr(0, body.find_first_of("\r\n")));
  if (line.size() > 120) line = line.substr(0, 117) + "...";
  return line;
}

// What a well-known code means, for servers that leave <Message> empty (Ceph's NoSuchKey).
std::string message_for_code(const std::string& code) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> known{{
      {"NoSuchKey", "the object does not exist"},
      {"NoSuchBucket", "the bucket does not exist"},
      {"NoSuchUpload", "the multipart upload does not exist"},
      {"AccessDenied", "access denied"},
      {"InvalidRange", "the requested range is not within the object"},
      {"PreconditionFailed", "a precondition did not hold"},
  }};
  for (const auto& [known_code, message] : known) {
    if (code == known_code) return std::string(message);
  }
  return "the server gave no message";
}

}  // namespace

S3Error parse_error_reply(int http_status, std::string_view body) {
  S3Error error;
  error.http_status = http_status;
  pugi::xml_document doc;
  pugi::xml_node root;
  if (doc.load_buffer(body.data(), body.size())) root = doc.child("Error");
  if (root) {
    error.code = root.child_value("Code");
    error.message = root.child_value("Message");
    error.request_id = root.child_value("RequestId");
    error.region = root.child_value("Region");
  }
  if (error.message.empty() && !error.code.empty()) error.message = message_for_code(error.code);
  if (error.message.empty()) {
    std::string line = first_line(body);
    error.message = line.empty() ? "empty reply" : "unexpected reply: " + line;
  }
  return error;
}

bool is_transient(const S3Error& error) {
  static constexpr std::array<std::string_view, 6> transient_codes{
      "SlowDown", "InternalError", "RequestTimeout", "ServiceUnavailable", "RequestTimeTooSkewed", "OperationAborted"};
  for (std::string_view code : transient_codes) {
    if (error.code == code) return true;
  }
  if (error.origin == S3ErrorOrigin::network) return true;
  if (error.origin != S3ErrorOrigin::server) return false;  // no reply because of us
  return error.http_status == 0 || error.http_status >= 500 || error.http_status == 408 || error.http_status == 429;
}

bool is_upload_gone(const S3Error& error) {
  // Ceph answers ListParts on an aborted upload with NoSuchKey, S3 with NoSuchUpload.
  return error.code == "NoSuchUpload" || error.code == "NoSuchKey";
}

S3Error local_error(S3ErrorOrigin origin, std::string message) {
  return S3Error{0, "", std::move(message), "", origin};
}

std::string describe(const S3Error& error) {
  std::string what = error.code;
  if (what.empty()) {
    switch (error.origin) {
      case S3ErrorOrigin::server: what = "S3 error"; break;
      case S3ErrorOrigin::network: what = "NetworkError"; break;
      case S3ErrorOrigin::local_read: what = "LocalReadError"; break;
      case S3ErrorOrigin::cancelled: what = "Cancelled"; break;
      case S3ErrorOrigin::interrupted: what = "Interrupted"; break;
      case S3ErrorOrigin::credentials: what = "CredentialsError"; break;
      case S3ErrorOrigin::tls_config: what = "TlsError"; break;
      case S3ErrorOrigin::fenced: return "not sent: " + error.message;
    }
  }
  std::string status = error.http_status ? " (HTTP " + std::to_string(error.http_status) + ")" : " (no reply)";
  return what + status + ": " + error.message;
}

}  // namespace rawbackup::s3
