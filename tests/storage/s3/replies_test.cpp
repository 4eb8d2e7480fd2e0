// S3 replies as AWS documents them, and as Ceph RGW and proxies deviate from them.
#include "storage/s3/replies.h"

#include <gtest/gtest.h>

namespace rawbackup::s3 {
namespace {

TEST(S3Replies, UploadId) {
  auto id = parse_upload_id(R"(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket><Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult/>"));
}

TEST(S3Replies, ListPartsPages) {
  auto page = parse_parts_page(R"(<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId>
  <NextPartNumberMarker>2</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated>
  <Part><PartNumber>1</PartNumber><ETag>"7778aef83f66abc1fa1e8477f296d394"</ETag><Size>10485760</Size></Part>
  <Part><PartNumber>2</PartNumber><ETag>&quot;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&quot;</ETag><Size>10485760</Size></Part>
</ListPartsResult>)");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->parts.size(), 2u);
  EXPECT_EQ(page->parts[0].etag, "7778aef83f66abc1fa1e8477f296d394");
  EXPECT_EQ(page->parts[1].etag, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  EXPECT_EQ(page->parts[1].size, 10485760u);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_marker, 2);
  auto last = parse_parts_page("<ListPartsResult><IsTruncated>false</IsTruncated></ListPartsResult>");
  ASSERT_TRUE(last);
  EXPECT_TRUE(last->parts.empty());
  EXPECT_FALSE(last->next_marker);
}

TEST(S3Replies, ListObjectsV2Pages) {
  auto page = parse_objects_page(R"(<ListBucketResult>
  <Name>b</Name><Prefix>x.d/</Prefix><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr</NextContinuationToken>
  <Contents><Key>x.d/a b.tdf</Key><ETag>"d41d8cd98f00b204e9800998ecf8427e"</ETag><Size>0</Size></Contents>
  <Contents><Key>x.d/ü</Key><ETag>"abc-2"</ETag><Size>12</Size></Contents>
</ListBucketResult>)");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "x.d/a b.tdf");
  EXPECT_EQ(page->objects[1].etag, "abc-2");
  EXPECT_EQ(page->next_token, "1ueGcxLPRx1Tr");
  EXPECT_FALSE(parse_objects_page("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"));
}

TEST(S3Replies, CompleteEtagMayBeEmptyButAnErrorIsAnError) {
  EXPECT_EQ(*parse_complete_etag(R"(<CompleteMultipartUploadResult><ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>)"
                                 "</CompleteMultipartUploadResult>"),
            "3858f62230ac3c915f300c664312c11f-9");
  EXPECT_EQ(*parse_complete_etag("<CompleteMultipartUploadResult><ETag></ETag></CompleteMultipartUploadResult>"), "");
  auto failed = parse_complete_etag("<Error><Code>InternalError</Code><Message>try again</Message></Error>");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "InternalError (HTTP 200): try again");
}

TEST(S3Replies, GarbageAndHtmlAreErrorsNotCrashes) {
  for (std::string_view body : {"", "garbage", "<html><body>502 Bad Gateway</body></html>",
                                "<ListPartsResult><Part><PartNumber>x</PartNumber></Part></ListPartsResult>",
                                "<ListPartsResult><Part><PartNumber>1</PartNumber></Part>"}) {
    EXPECT_FALSE(parse_parts_page(body)) << body;
  }
}

// Found by fuzz/s3_replies_fuzz.cpp: a Size beyond 2^64 threw std::out_of_range (a crash in
// an upload worker thread).
TEST(S3Replies, NumbersOutOfRangeAreErrors) {
  EXPECT_FALSE(
      parse_objects_page("<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999999999</Size>"
                         "</Contents></ListBucketResult>"));
  EXPECT_FALSE(
      parse_parts_page("<ListPartsResult><Part><PartNumber>10001</PartNumber><ETag>e</ETag>"
                       "<Size>1</Size></Part></ListPartsResult>"));
  EXPECT_FALSE(
      parse_parts_page("<ListPartsResult><Part><PartNumber>4294967297</PartNumber><ETag>e</ETag>"
                       "<Size>1</Size></Part></ListPartsResult>"));
  auto fine = parse_parts_page(
      "<ListPartsResult><Part><PartNumber>10000</PartNumber><ETag>e</ETag>"
      "<Size>18446744073709551615</Size></Part></ListPartsResult>");
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->parts[0].size, UINT64_MAX);
}

TEST(S3Replies, CompleteRequestBodyListsPartsInOrder) {
  EXPECT_EQ(complete_request_body({{1, "aa", 5}, {2, "bb", 3}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"aa\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"bb\"</ETag></Part></CompleteMultipartUpload>");
}

}  // namespace
}  // namespace rawbackup::s3
