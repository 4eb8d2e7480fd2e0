// Reading an object back from S3 in parallel ranged GETs, hashed as it streams: the check
// behind `verify --deep` and the transfer behind `restore`.
#pragma once
#include <functional>
#include <span>

#include "common/rate_limiter.h"
#include "common/result.h"
#include "model/raw_file.h"
#include "storage/object_store.h"
#include "tasks/s3_upload_file.h"

namespace rawbackup {

// Receives the bytes at `offset` of the object (called from several threads, for disjoint
// ranges). An error stops the transfer.
using RangeWriter = std::function<Status(uint64_t offset, std::span<const std::byte> bytes)>;

// Reads `entry.size` bytes of `target` in the record's parts (entry.part_size, else
// `fallback_part_size`), `workers` parts at a time, MD5ing each part as it arrives and
// handing the bytes to `write` when given (nothing is held in memory beyond the transfer
// buffers). Returns the ETag the bytes have for the record's part size (their MD5 for one
// part), to compare with entry.etag. `on_bytes` (thread-safe) reports progress.
struct FetchOptions {
  uint64_t fallback_part_size = 0;
  unsigned workers = 4;
  const RangeWriter* write = nullptr;
  RateLimiter* limiter = nullptr;  // caps the bytes received per second
  std::function<void(uint64_t)> on_bytes = [](uint64_t) {};
};
Result<std::string> fetch_object(ObjectStore& store, const S3Target& target, const FileEntry& entry,
                                 const FetchOptions& options);

}  // namespace rawbackup
