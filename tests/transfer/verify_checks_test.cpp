// The checks behind verify (transfer/verify_checks).
#include <gmock/gmock.h>

#include "transfer/verify_checks.h"

namespace rawbackup {
namespace {

TEST(S3Url, Parses) {
  EXPECT_EQ(parse_s3_url("s3://b/")->bucket, "b");
  EXPECT_EQ(parse_s3_url("s3://b/p/q")->prefix, "p/q/");
  EXPECT_EQ(parse_s3_url("s3://b")->prefix, "");
  EXPECT_FALSE(parse_s3_url("http://b/"));
  EXPECT_FALSE(parse_s3_url("s3:///x"));
}

}  // namespace
}  // namespace rawbackup
