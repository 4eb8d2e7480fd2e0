// MD5 of our own, so that two digests of the same bytes share one pass: a file's MD5 and the
// MD5 of the part it is in (its S3 ETag). MD5 is bound by the latency of its chain of
// operations, not by the width of a core, so two chains interleaved on one core cost about
// 1.2x one chain (OpenSSL's is single-chain): both digests for 60% of the CPU of two
// OpenSSL MD5s, on one thread (bench/RESULTS.md, issue 37).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "integrity/md5.h"

namespace rawbackup {

// A streaming MD5 (RFC 1321); digests equal OpenSSL's.
class Md5Lane {
 public:
  void update(std::span<const std::byte> data);
  // Returns the digest and starts over.
  Md5Digest finish();

 private:
  friend void update_both(Md5Lane& a, Md5Lane& b, std::span<const std::byte> data);
  // Completes the buffered block from the front of `data` when one is pending; returns the rest.
  std::span<const std::byte> fill_pending(std::span<const std::byte> data);
  void keep_tail(std::span<const std::byte> tail);

  std::array<uint32_t, 4> state_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  uint64_t length_ = 0;  // bytes consumed
  std::array<std::byte, 64> pending_{};
  size_t pending_bytes_ = 0;
};

// Feeds the same `data` to both: whole blocks through the two-lane compression when both
// stand at the same offset within a block (always, when parts are multiples of 64 bytes).
void update_both(Md5Lane& a, Md5Lane& b, std::span<const std::byte> data);

// A file's MD5 and the MD5 of each `part_size` part of it, from one pass on one thread.
class Md5WithParts {
 public:
  explicit Md5WithParts(uint64_t part_size) : part_size_(part_size) {}
  void update(std::span<const std::byte> data);
  // The whole file's MD5 and every part's (one part, also for an empty file); spent afterwards.
  // Only what is still on: all zeros for a dropped MD5, no parts after drop_parts.
  Md5Digest finish();
  const std::vector<Md5Digest>& part_digests() const { return parts_; }

  // Splitting the work between two threads at an offset: a copy of this goes on with the part
  // MD5s alone (without_whole), this with the file's MD5 alone (drop_parts).
  void drop_parts() { parts_on_ = false; }
  Md5WithParts without_whole() const;

 private:
  uint64_t part_size_;
  uint64_t in_part_ = 0;
  Md5Lane whole_, part_;
  std::vector<Md5Digest> parts_;
  bool whole_on_ = true, parts_on_ = true;
};

}  // namespace rawbackup
