// The steps of uploading one file of a raw-file set to S3, each verified against the record:
// a single PUT, one part of a multipart upload, its completion, its abort.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "common/rate_limiter.h"
#include "common/result.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"

namespace rawbackup {

struct S3Target {
  std::string bucket;
  std::string key;
};

std::string s3_url(const S3Target& target);

// An S3 failure as a task error about `what` (kind interrupted for an interruption).
Error s3_failure(const s3::S3Error& error, const std::string& what);

// The ETag S3 reports for `target` must be the record's multipart ETag or its whole-file
// MD5; kind mismatch otherwise, naming both.
Status verify_etag(const S3Target& target, const std::string& reported, const FileEntry& entry);

// S3 takes at most 10,000 parts: kind usage when the file needs more at its part size.
Status check_part_count(const S3Target& target, const FileEntry& entry, uint64_t part_size);

// The whole file as one PUT with its Content-MD5, then its ETag verified.
// `limiter`, when given, caps the rate at which bytes are sent (not the local MD5 pass).
Status put_file(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                const std::filesystem::path& source, const FileEntry& entry, RateLimiter* limiter);

// Bytes [offset, offset + length) of `source` as part `number`, with its Content-MD5; the
// ETag S3 returns must be that MD5. `kept`, when given, is the part as an earlier run left
// it in S3: when its size and ETag match the local bytes it is kept and nothing is sent.
// Returns the part for the Complete request, and whether it was sent.
struct PartResult {
  s3::UploadedPart part;
  bool sent = false;
};
Result<PartResult> send_part(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                             const std::string& upload_id, const std::filesystem::path& source,
                             int number, uint64_t offset, uint64_t length,
                             const s3::UploadedPart* kept, RateLimiter* limiter);

// Completes the upload with `parts` (in order) when their MD5s give the record's ETag (else
// the source changed while it was sent: failed, nothing completed), then verifies the
// object's ETag from HeadObject (Ceph 16 leaves it out of Complete's reply).
Status complete_upload(ObjectStore& store, const S3Target& target, const std::string& upload_id,
                       const std::vector<s3::UploadedPart>& parts, const FileEntry& entry);

// Aborts, best effort: logs when it cannot (an upload already gone is fine).
void abort_upload(ObjectStore& store, const S3Target& target, const std::string& upload_id);

}  // namespace rawbackup
