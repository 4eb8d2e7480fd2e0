// S3 error replies: parsing, retryability, one-line descriptions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/s3/errors.h"

namespace rawbackup::s3 {
namespace {

TEST(S3Errors, ParsesS3ErrorXml) {
  auto e = parse_error_reply(404, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>
<BucketName>b</BucketName><RequestId>4442587FB7D0A2F9</RequestId></Error>)");
  EXPECT_EQ(e.code, "NoSuchBucket");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(describe(e), "NoSuchBucket (HTTP 404): The specified bucket does not exist");
  EXPECT_FALSE(is_transient(e));
}

// Ceph answers NoSuchKey with an empty <Message>: a normal error, described by its code, not
// "unexpected reply: <?xml …" (issue 21.4).
TEST(S3Errors, ACodeWithAnEmptyMessageIsANormalError) {
  auto e =
      parse_error_reply(404, R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message></Message>)"
                             R"(<BucketName>b</BucketName><RequestId>tx00000</RequestId><HostId>h</HostId></Error>)");
  EXPECT_EQ(describe(e), "NoSuchKey (HTTP 404): the object does not exist");
  auto other = parse_error_reply(409, "<Error><Code>SomethingNew</Code></Error>");
  EXPECT_EQ(describe(other), "SomethingNew (HTTP 409): the server gave no message");
}

TEST(S3Errors, TransientOrNot) {
  EXPECT_TRUE(is_transient(parse_error_reply(503, "<Error><Code>SlowDown</Code><Message>m</Message></Error>")));
  EXPECT_TRUE(is_transient(parse_error_reply(500, "<Error><Code>InternalError</Code></Error>")));
  EXPECT_TRUE(is_transient(parse_error_reply(400, "<Error><Code>RequestTimeout</Code></Error>")));
  EXPECT_TRUE(is_transient(S3Error{0, "", "connection reset", ""}));
  EXPECT_FALSE(is_transient(parse_error_reply(403, "<Error><Code>SignatureDoesNotMatch</Code></Error>")));
  EXPECT_FALSE(is_transient(parse_error_reply(400, "<Error><Code>BadDigest</Code></Error>")));
  EXPECT_FALSE(is_transient(parse_error_reply(400, "<Error><Code>EntityTooSmall</Code></Error>")));
}

TEST(S3Errors, UploadGoneOnS3AndCeph) {
  EXPECT_TRUE(is_upload_gone(parse_error_reply(404, "<Error><Code>NoSuchUpload</Code></Error>")));
  EXPECT_TRUE(is_upload_gone(parse_error_reply(404, "<Error><Code>NoSuchKey</Code></Error>")));
  EXPECT_FALSE(is_upload_gone(parse_error_reply(404, "<Error><Code>NoSuchBucket</Code></Error>")));
}

TEST(S3Errors, NonXmlRepliesStillDescribeThemselves) {
  auto html = parse_error_reply(502, "<html><body>Bad Gateway</body></html>\nmore");
  EXPECT_EQ(html.code, "");
  EXPECT_EQ(describe(html), "S3 error (HTTP 502): unexpected reply: <html><body>Bad Gateway</body></html>");
  EXPECT_TRUE(is_transient(html));
  EXPECT_EQ(describe(parse_error_reply(403, "")), "S3 error (HTTP 403): empty reply");
  EXPECT_EQ(parse_error_reply(400, "<Error><Code>Bad").message, "unexpected reply: <Error><Code>Bad");
}

}  // namespace
}  // namespace rawbackup::s3
