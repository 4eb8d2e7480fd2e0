// Reading objects back from S3 in parallel ranged GETs (over the parts of one object, or of
// many side by side), hashed as they stream: the check behind `verify --deep` and the
// transfer behind `restore`.
//
// Each part's MD5 is compared with the one checksum recorded, so a difference is named by
// part number and byte range, and only the parts that differ are read again (once) before an
// object is called different: bytes corrupted on the way are told from bytes stored wrong,
// and a restore re-fetches one part, not the whole object. Records without part MD5s (from
// before rawbackup kept them) are checked by the ETag alone.
#pragma once
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/rate_limiter.h"
#include "common/result.h"
#include "model/raw_file.h"
#include "storage/object_store.h"
#include "transfer/s3_upload_file.h"

namespace rawbackup {

// Receives the bytes at `offset` of the object (called from several threads, for disjoint
// ranges; a part read again is written again). An error stops the transfer.
using RangeWriter = std::function<Status(uint64_t offset, std::span<const std::byte> bytes)>;

// How: the record's parts (entry.part_size, else `fallback_part_size`), `workers` GETs at a
// time, each part MD5'd as it arrives and handed to `write` when given (nothing is held in
// memory beyond the transfer buffers). `on_bytes` (thread-safe) reports progress.
struct FetchOptions {
  uint64_t fallback_part_size = 0;
  unsigned workers = 4;
  const RangeWriter* write = nullptr;
  RateLimiter* limiter = nullptr;  // caps the bytes received per second
  std::function<void(uint64_t)> on_bytes = [](uint64_t) {};
};

// What the object's bytes turned out to be.
struct FetchCheck {
  bool matches = false;          // they give the record's ETag (and every recorded part MD5)
  std::string difference;        // when not: "part 2 (bytes 5242880–10485759) differs from the record"
  uint64_t parts_refetched = 0;  // parts read a second time because they differed the first
};

// Fetches `entry.size` bytes of `target`; parts whose MD5 is not the recorded one are fetched
// once more. A transfer failure (network, interruption, an object shorter than recorded:
// kind mismatch) is an error; different bytes are a FetchCheck that does not match.
Result<FetchCheck> fetch_and_check(ObjectStore& store, const S3Target& target, const FileEntry& entry,
                                   const FetchOptions& options);

// Many objects at once (a set of many small files): `options.workers` ranged GETs in flight,
// taken from the parts of any object in order, so small objects are fetched side by side
// and a large one still in parallel parts. `options.write` is unused: each job has its own.
struct FetchJob {
  S3Target target;
  FileEntry entry;
  const RangeWriter* write = nullptr;  // where its bytes go, or nullptr (only hashed)
};

// Called from the fetching threads: `start` once per job before any of its bytes are written
// (e.g. to open its file; few jobs are under way at once, so few files are open), `done` once
// per job with its check, or its own failure of kind mismatch (an object shorter than
// recorded). An error either returns stops all work.
struct FetchHooks {
  std::function<Status(size_t job)> start = [](size_t) -> Status { return {}; };
  std::function<Status(size_t job, Result<FetchCheck> check)> done;
};

// Every job fetched and checked as fetch_and_check does one. Any other failure (network
// after the retries, an interruption) stops all work and is returned; jobs already done
// stay done.
Status fetch_and_check_all(ObjectStore& store, const std::vector<FetchJob>& jobs, const FetchOptions& options,
                           const FetchHooks& hooks);

// "part 2 (bytes 5242880–10485759)" and the like for `parts` (indices) of a file of `size`
// bytes at `part_size`; at most a few are named, then "and N more".
std::string describe_parts(uint64_t size, uint64_t part_size, const std::vector<uint64_t>& parts);

}  // namespace rawbackup
