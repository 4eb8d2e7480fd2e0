// libFuzzer target: the S3 reply parsers (pugixml) — error replies, InitiateMultipartUpload,
// ListParts and ListObjectsV2 pages, CompleteMultipartUpload. Any input must give a value or
// an error; crashes, hangs and sanitizer reports are findings. The first byte picks the HTTP
// status given to the error-reply parser.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "storage/s3/errors.h"
#include "storage/s3/replies.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  int status = 300 + data[0] % 300;
  std::string_view xml(reinterpret_cast<const char*>(data + 1), size - 1);
  namespace s3 = rawbackup::s3;
  s3::S3Error error = s3::parse_error_reply(status, xml);
  (void)s3::describe(error);
  (void)s3::is_transient(error);
  (void)s3::parse_upload_id(xml);
  if (auto parts = s3::parse_parts_page(xml)) (void)s3::complete_request_body(parts->parts);
  (void)s3::parse_objects_page(xml);
  (void)s3::parse_complete_etag(xml);
  (void)s3::unquoted(xml);
  return 0;
}
