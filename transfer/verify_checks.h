// The checks behind `verify`: each backup of a record, file by file, against the record.
// A returned error means the check could not be made (network, permissions), not that a
// file differs: differences are findings.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/rate_limiter.h"
#include "common/result.h"
#include "model/placement.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"
#include "storage/object_store.h"

namespace rawbackup {

// unverifiable: an object another tool may have uploaded (its ETag fits another part size)
// with no local copy to re-hash it against.
enum class FindingState { ok, missing, differs, unverifiable };
const char* to_string(FindingState state);  // "ok", "missing", "differs", "unverifiable"

struct FileFinding {
  std::string path;    // the record's relative key
  BackupPlace backup;  // local or s3 (any: about the record as a whole)
  FindingState state;
  std::string detail;  // what differs ("size 10, record 12"); "" when ok, or how it is ok
  // ok by a re-hash: the object another tool uploaded holds the file's bytes (to be noted).
  std::string object_etag{};
  uint64_t object_part_size = 0;
  ObjectEtagKind object_etag_kind = ObjectEtagKind::none;

  bool ok() const { return state == FindingState::ok; }
};

// Every file of the record under `base` (its local backup folder on this host): recorded
// size, and its MD5 re-read, `workers` files at a time (`on_bytes` reports the bytes hashed,
// from each of them).
Result<std::vector<FileFinding>> check_local(const FileSystem& fs, const std::filesystem::path& base, const RawFile& record,
                                             unsigned workers, const std::function<void(size_t)>& on_bytes = {});

struct S3Location {
  std::string bucket;
  std::string prefix;  // "" or ending in '/'
};
// "s3://bucket/prefix/" → {bucket, "prefix/"}; nullopt for anything else.
std::optional<S3Location> parse_s3_url(const std::string& url);

struct S3CheckOptions {
  bool deep = false;                                         // download and hash every object instead of trusting ETags
  uint64_t fallback_part_size = 0;                           // for records without a part size
  unsigned workers = 4;                                      // ranged GETs at once, over the parts of any object (deep)
  std::function<void(uint64_t)> on_bytes = [](uint64_t) {};  // bytes downloaded (deep)
  RateLimiter* limiter = nullptr;                            // caps the bytes downloaded per second (deep)
  // Where a local copy of each file is (the backup, else the instrument folder): an object
  // whose ETag fits another tool's part size is re-hashed from it; "" for none.
  const FileSystem* fs = nullptr;
  std::filesystem::path local_base{};
  std::function<void(uint64_t)> on_local_bytes = [](uint64_t) {};  // bytes re-hashed
};

// Every object: recorded size and an ETag the record allows (HeadObject per file, or one
// ListObjectsV2 page per 1,000 keys for sets of many files). An ETag of another tool's part
// size: the local copy re-hashed at those part sizes says same bytes (ok, noted in the
// finding) or differs; unverifiable without a local copy. Deep: the size, and the bytes
// downloaded and hashed must give the record's ETag (holds whatever parts uploaded them, and
// when S3's ETag is no MD5).
Result<std::vector<FileFinding>> check_s3(ObjectStore& store, const RawFile& record, const S3Location& where,
                                          const S3CheckOptions& options);

}  // namespace rawbackup
