// S3 success replies (XML) as plain structs. Pure: tested offline on captured replies.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace rawbackup::s3 {

struct UploadedPart {
  int number = 0;
  std::string etag;  // without quotes
  uint64_t size = 0;
};

struct PartsPage {
  std::vector<UploadedPart> parts;
  bool truncated = false;
  std::optional<int> next_marker;  // NextPartNumberMarker when truncated
};

struct ObjectEntry {
  std::string key;
  std::string etag;  // without quotes
  uint64_t size = 0;
  std::string storage_class{};  // "" when the listing leaves it out
};

struct ObjectsPage {
  std::vector<ObjectEntry> objects;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken when truncated
};

// InitiateMultipartUploadResult → UploadId.
Result<std::string> parse_upload_id(std::string_view xml);
// ListPartsResult (one page).
Result<PartsPage> parse_parts_page(std::string_view xml);
// ListBucketResult of ListObjectsV2 (one page).
Result<ObjectsPage> parse_objects_page(std::string_view xml);
// CompleteMultipartUploadResult → ETag (may be empty: Ceph 16 leaves it out). A 200 reply
// carrying <Error> (S3 can fail a Complete after answering 200) is an error.
Result<std::string> parse_complete_etag(std::string_view xml);

// The CompleteMultipartUpload request body for these parts (in order).
std::string complete_request_body(const std::vector<UploadedPart>& parts);
// GetBucketEncryption's reply: the default algorithm ("AES256", "aws:kms"), never the key id.
Result<std::string> parse_bucket_encryption(std::string_view xml);
// RestoreObject's request: a readable copy for `days` days, made at `tier`.
std::string restore_request_body(int days, const std::string& tier);

// An ETag as servers send it, quotes removed (XML entities are already decoded).
std::string unquoted(std::string_view etag);

}  // namespace rawbackup::s3
