// S3's bucket-name rules.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "error_of.h"
#include "storage/s3/naming.h"

namespace rawbackup::s3 {
namespace {

TEST(BucketName, NormalisedFromPrefixAndProject) {
  EXPECT_EQ(*bucket_name("alphakraken", "PRID001"), "alphakraken-prid001");
  EXPECT_EQ(*bucket_name("Alpha.Kraken", "my project_1"), "alpha-kraken-my-project-1");
  EXPECT_EQ(*bucket_name("ak", "_FALLBACK"), "ak--fallback");
}

TEST(BucketName, InvalidNamesNameTheProject) {
  auto long_name = bucket_name("alphakraken", std::string(60, 'p'));
  ASSERT_FALSE(long_name);
  EXPECT_EQ(long_name.error().kind, ErrorKind::usage);
  EXPECT_THAT(long_name.error().message, ::testing::HasSubstr("3 to 63"));
  EXPECT_THAT(error_of(bucket_name("ak", "P#1")).message, ::testing::HasSubstr("may not contain '#'"));
  EXPECT_THAT(error_of(bucket_name("ak", "p-")).message, ::testing::HasSubstr("start and end"));
  EXPECT_THAT(error_of(bucket_name("xn", "-x")).message, ::testing::HasSubstr("reserved prefix"));
  EXPECT_THAT(error_of(bucket_name("ak", "s3alias")).message, ::testing::HasSubstr("reserved suffix"));
}

}  // namespace
}  // namespace rawbackup::s3
