// One file of a raw-file set into S3, verified against its record: a single PUT up to the
// part size, a multipart upload beyond it (aborted when anything fails).
#pragma once
#include <filesystem>
#include <functional>
#include <string>

#include "common/result.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"

namespace rawbackup {

struct S3Target {
  std::string bucket;
  std::string key;
};

// An S3 failure as a task error about `what` (kind interrupted for an interruption).
Error s3_failure(const s3::S3Error& error, const std::string& what);

// The ETag S3 reports for `target` must be the record's multipart ETag or its whole-file
// MD5; kind mismatch otherwise, naming both.
Status verify_etag(const S3Target& target, const std::string& reported, const FileEntry& entry);

// S3 takes at most 10,000 parts: kind usage when the file needs more at its part size.
Status check_part_count(const S3Target& target, const FileEntry& entry, uint64_t fallback_part_size);

// Uploads `source` (entry.size bytes) in parts of entry.part_size (or `fallback_part_size`
// when the record has none), each part sent with its Content-MD5 and its returned ETag
// checked, then verifies the object's ETag. `on_bytes` is told of every part sent.
Status upload_file(ObjectStore& store, const FileSystem& fs, const S3Target& target,
                   const std::filesystem::path& source, const FileEntry& entry,
                   uint64_t fallback_part_size, const std::function<void(uint64_t)>& on_bytes);

}  // namespace rawbackup
