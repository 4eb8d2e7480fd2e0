#include "integrity/etag.h"

#include <algorithm>

namespace rawbackup {

uint64_t part_size_for(uint64_t size, uint64_t configured) {
  if (part_count(size, configured) <= max_part_count) return configured;
  constexpr uint64_t mib = 1024 * 1024;
  uint64_t needed = (size + max_part_count - 1) / max_part_count;
  return (needed + mib - 1) / mib * mib;
}

uint64_t part_count(uint64_t size, uint64_t part_size) {
  if (size == 0) return 1;
  return (size + part_size - 1) / part_size;
}

std::string etag_from_part_digests(std::span<const Md5Digest> parts) {
  return parts.size() == 1 ? to_hex(parts[0]) : multipart_etag(parts);
}

std::string multipart_etag(std::span<const Md5Digest> parts) {
  Md5 md5;
  for (const Md5Digest& part : parts) md5.update(std::as_bytes(std::span(part)));
  return to_hex(md5.finish()) + "-" + std::to_string(parts.size());
}

EtagBuilder::EtagBuilder(uint64_t part_size) : part_size_(part_size) {}

void EtagBuilder::update(std::span<const std::byte> data) {
  while (!data.empty()) {
    uint64_t room = part_size_ - in_part_;
    size_t take = static_cast<size_t>(std::min<uint64_t>(room, data.size()));
    md5_.update(data.first(take));
    data = data.subspan(take);
    in_part_ += take;
    if (in_part_ == part_size_) {
      parts_.push_back(md5_.finish());
      in_part_ = 0;
    }
  }
}

std::string EtagBuilder::finish() {
  if (in_part_ > 0 || parts_.empty()) parts_.push_back(md5_.finish());
  in_part_ = 0;
  return etag_from_part_digests(parts_);
}

bool etag_matches(const std::string& reported, const std::string& md5_hex, const std::string& expected_etag) {
  std::string bare = reported;
  bare.erase(std::remove(bare.begin(), bare.end(), '"'), bare.end());
  return bare == expected_etag || bare == md5_hex;
}

}  // namespace rawbackup
