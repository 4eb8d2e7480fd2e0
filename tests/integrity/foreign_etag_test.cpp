// Other tools' ETags: parsing, and the part sizes that explain N parts.
#include "integrity/foreign_etag.h"

#include <gtest/gtest.h>

namespace rawbackup {
namespace {

constexpr uint64_t mib = 1024 * 1024;
using Sizes = std::vector<uint64_t>;

TEST(ForeignEtag, ParsesPlainAndMultipartEtagsOnly) {
  auto multipart = parse_reported_etag("\"0123456789ABCDEF0123456789abcdef-12\"");
  ASSERT_TRUE(multipart);
  EXPECT_EQ(multipart->hex, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(multipart->parts, 12U);
  EXPECT_EQ(parse_reported_etag("0123456789abcdef0123456789abcdef")->parts, 0U);
  for (const char* bad : {"", "xyz", "0123456789abcdef0123456789abcdef-", "0123456789abcdef0123456789abcdef-0",
                          "0123456789abcdef0123456789abcdef-10001", "0123456789abcdef0123456789abcdef-1x",
                          "0123456789abcdef0123456789abcdeg-2", "0123456789abcdef0123456789abcdef__100"}) {
    EXPECT_FALSE(parse_reported_etag(bad)) << bad;
  }
}

TEST(ForeignEtag, CandidatesAreTheToolsPartSizesThatGiveExactlyNParts) {
  EXPECT_EQ(candidate_part_sizes(2048 * mib, 256), (Sizes{8 * mib}));               // awscli
  EXPECT_EQ(candidate_part_sizes(2048 * mib, 128), (Sizes{16 * mib}));              // minio, awscli at 16 MiB
  EXPECT_EQ(candidate_part_sizes(2048 * mib, 21), (Sizes{98 * mib, 100 * mib}));    // alphakraken, or grown to fit
  EXPECT_EQ(candidate_part_sizes(150'000'000, 10), (Sizes{15'000'000, 15 * mib}));  // s3cmd, in MB or MiB
  EXPECT_EQ(candidate_part_sizes(100 * mib + 1, 21), (Sizes{5 * mib}));             // rclone
  // awscli doubles its 8 MiB past 10,000 parts: 100 GiB goes in 16 MiB parts.
  EXPECT_EQ(candidate_part_sizes(100 * 1024 * mib, 6400), (Sizes{16 * mib}));
  EXPECT_TRUE(candidate_part_sizes(2048 * mib, 7).size() <= max_candidate_part_sizes);
  EXPECT_TRUE(candidate_part_sizes(2048 * mib, 3000).empty());  // no known size gives 3,000 parts
  EXPECT_TRUE(candidate_part_sizes(0, 1).empty());
  for (uint64_t p : candidate_part_sizes(2048 * mib, 7)) EXPECT_EQ((2048 * mib + p - 1) / p, 7U) << p;
}

}  // namespace
}  // namespace rawbackup
