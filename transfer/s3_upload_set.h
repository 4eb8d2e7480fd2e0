// Uploading the files of a set to S3 with several connections at once: workers take single
// PUTs and the parts of multipart uploads of any file, each part streamed from the file with
// the MD5 checksum recorded for it as Content-MD5, and the worker sending a file's last part
// completes and verifies it. Unfinished multipart uploads can be resumed: parts already in S3
// whose ETag is the recorded part MD5 are kept, neither read nor sent again.
#pragma once
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"
#include "transfer/s3_upload_file.h"

namespace rawbackup {

struct UploadJob {
  S3Target target;
  std::filesystem::path source;
  FileEntry entry;
  std::string resume_upload_id;  // an unfinished multipart upload of this key, or ""
  // The error for local bytes found to differ from the record (UploadSource::differs).
  std::function<Error(const std::string& detail)> source_differs;
};

struct UploadSetOptions {
  unsigned concurrency = 4;
  uint64_t fallback_part_size = 0;                           // for records without a part size
  RateLimiter* limiter = nullptr;                            // caps the bytes sent per second
  std::function<void(uint64_t)> on_bytes = [](uint64_t) {};  // thread-safe progress
  // Told (one call at a time) when a file's multipart upload starts (its upload ID) and when
  // it ends (""): completed, or aborted. Not called for uploads kept for a later resume.
  using UploadIdListener = std::function<void(const UploadJob&, const std::string& upload_id)>;
  UploadIdListener on_upload_id = [](const UploadJob&, const std::string&) {};
};

struct UploadSetResult {
  uint64_t parts_sent = 0;  // single PUTs count as one part
  uint64_t parts_kept = 0;  // found in S3 from an earlier run and matching
  // Objects whose ETag is not their MD5 (SSE-KMS, SSE-C): key → the ETag, for the record.
  std::map<std::string, std::string> opaque_etags{};
};

// Uploads every job; a file needing more than 10,000 parts is refused before anything is
// sent, and the first failure stops all work. Multipart uploads left unfinished are
// aborted, unless the failure was an interruption or a network/server error that outlasted
// the retries: those stay for a re-run to resume (their IDs were given to on_upload_id).
Result<UploadSetResult> upload_files(ObjectStore& store, const FileSystem& fs, const std::vector<UploadJob>& jobs,
                                     const UploadSetOptions& options);

}  // namespace rawbackup
