#include "integrity/foreign_etag.h"

#include <algorithm>
#include <cctype>

#include "integrity/etag.h"

namespace rawbackup {
namespace {

constexpr uint64_t mib = 1024 * 1024;
constexpr uint64_t max_part_size = 5 * 1024 * mib;  // S3's limit

uint64_t whole_mib_above(uint64_t bytes) { return (bytes + mib - 1) / mib * mib; }

}  // namespace

std::optional<ReportedEtag> parse_reported_etag(const std::string& reported) {
  std::string bare = reported;
  bare.erase(std::remove(bare.begin(), bare.end(), '"'), bare.end());
  if (bare.size() < 32 || !std::all_of(bare.begin(), bare.begin() + 32, [](char c) { return std::isxdigit(c); })) {
    return std::nullopt;
  }
  ReportedEtag etag{bare.substr(0, 32), 0};
  std::transform(etag.hex.begin(), etag.hex.end(), etag.hex.begin(), [](char c) { return std::tolower(c); });
  if (bare.size() == 32) return etag;
  std::string count = bare.substr(32);
  if (count.size() < 2 || count.size() > 6 || count[0] != '-' ||
      !std::all_of(count.begin() + 1, count.end(), [](char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  etag.parts = std::stoull(count.substr(1));
  if (etag.parts == 0 || etag.parts > max_part_count) return std::nullopt;
  return etag;
}

std::vector<uint64_t> candidate_part_sizes(uint64_t size, uint64_t parts) {
  if (size == 0 || parts == 0) return {};
  std::vector<uint64_t> sizes;
  for (uint64_t awscli = 8 * mib; awscli <= max_part_size; awscli *= 2) sizes.push_back(awscli);  // and its doubling
  for (uint64_t fixed : {5 * mib, 15 * mib, uint64_t{15'000'000}, 16 * mib, 64 * mib, 100 * mib, 500 * mib}) {
    sizes.push_back(fixed);  // rclone, s3cmd (MiB and MB), minio, 64 MiB, alphakraken, rawbackup
  }
  sizes.push_back(whole_mib_above((size + parts - 1) / parts));                    // grown to fit N parts
  sizes.push_back(whole_mib_above((size + max_part_count - 1) / max_part_count));  // rclone grown for 10,000
  std::erase_if(sizes, [&](uint64_t p) { return p == 0 || p > max_part_size || part_count(size, p) != parts; });
  std::sort(sizes.begin(), sizes.end());
  sizes.erase(std::unique(sizes.begin(), sizes.end()), sizes.end());
  if (sizes.size() > max_candidate_part_sizes) sizes.resize(max_candidate_part_sizes);
  return sizes;
}

}  // namespace rawbackup
