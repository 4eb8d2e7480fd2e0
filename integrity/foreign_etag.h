// ETags of objects other tools uploaded: awscli (8 MiB parts, doubled past 10,000 parts),
// rclone (5 MiB, grown in whole MiB to fit), s3cmd (15 MiB), minio clients (16 MiB),
// alphakraken (100 MiB). Their multipart ETag "hex-N" depends on their part size, so it never
// equals the record's (computed at rawbackup's part size) even for the same bytes; the part
// sizes that give exactly N parts for the object's size are few, and re-hashing a local copy
// at each of them in one read tells "same bytes, other tool" from "other bytes".
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rawbackup {

struct ReportedEtag {
  std::string hex;     // the 32 hex digits
  uint64_t parts = 0;  // N of "hex-N"; 0 for a plain MD5 (a single PUT)
};

// '"9b2c…-12"' → {"9b2c…", 12}; quotes optional; nullopt for anything else (an ETag that is
// not an MD5, as with SSE-KMS, tells nothing about the bytes).
std::optional<ReportedEtag> parse_reported_etag(const std::string& reported);

// At most this many candidates are hashed (each is one more MD5 of every byte).
inline constexpr size_t max_candidate_part_sizes = 6;

// The part sizes by the tools' conventions (and ceil(size / parts) rounded up to a whole MiB)
// that cut `size` bytes into exactly `parts` parts, smallest first, at most
// max_candidate_part_sizes; empty when none does.
std::vector<uint64_t> candidate_part_sizes(uint64_t size, uint64_t parts);

}  // namespace rawbackup
