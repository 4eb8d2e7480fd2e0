// S3 ETag math. A file of size <= part_size has ETag = hex MD5 of the file (MD5 of nothing
// for size 0); a larger one is uploaded in ceil(size / part_size) parts and has ETag =
// hex MD5 of the concatenated binary part MD5s, then "-N".
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "integrity/md5.h"

namespace rawbackup {

// Parts a file of `size` bytes is uploaded in (1 for size 0).
uint64_t part_count(uint64_t size, uint64_t part_size);

inline constexpr uint64_t max_part_count = 10000;  // S3's limit per multipart upload

// The part size a file of `size` bytes is uploaded (and its ETag computed) with: the
// configured one, grown to a whole number of MiB when the file would need more than
// 10,000 parts.
uint64_t part_size_for(uint64_t size, uint64_t configured);

// The ETag S3 reports for an object uploaded as these parts (one part = plain MD5).
std::string etag_from_part_digests(std::span<const Md5Digest> parts);
// The ETag of a multipart upload of these parts: "hex-N", also for one part.
std::string multipart_etag(std::span<const Md5Digest> parts);

// Consumes a file's bytes in order and yields its ETag for one part size.
class EtagBuilder {
 public:
  explicit EtagBuilder(uint64_t part_size);
  void update(std::span<const std::byte> data);
  // The ETag of everything consumed; the builder is spent afterwards.
  std::string finish();
  // Binary MD5 of each completed part (valid after finish()).
  const std::vector<Md5Digest>& part_digests() const { return parts_; }

 private:
  uint64_t part_size_;
  uint64_t in_part_ = 0;
  Md5 md5_;
  std::vector<Md5Digest> parts_;
};

// True when `reported` (as a server returns it, quotes allowed) matches a file with this
// whole-file MD5 and multipart ETag: S3 reports the multipart form, some S3-compatible
// stores the whole-file MD5.
bool etag_matches(const std::string& reported, const std::string& md5_hex, const std::string& expected_etag);

}  // namespace rawbackup
