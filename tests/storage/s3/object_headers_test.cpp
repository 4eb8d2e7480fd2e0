// Encryption and storage-class headers: what each request carries, per bucket, and what the
// replies say back.
#include "storage/s3/object_headers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/result.h"
#include "fakes/scripted_http.h"
#include "integrity/md5.h"
#include "storage/s3/client.h"

namespace rawbackup::s3 {
namespace {

namespace fs = std::filesystem;

class TempKey {
 public:
  explicit TempKey(const std::string& content) {
    path_ = fs::temp_directory_path() / ("rawbackup-key-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempKey() { fs::remove(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

const std::string raw_key(32, 'k');

TEST(ObjectHeaders, SseKmsWithKeyBucketKeyAndStorageClass) {
  ObjectWriteSettings s{"aws:kms", "arn:aws:kms:eu-central-1:1:key/abc", true, {}, "GLACIER_IR"};
  ObjectHeaders h = object_headers(s);
  EXPECT_EQ(h.on_create, (Headers{{"x-amz-server-side-encryption", "aws:kms"},
                                  {"x-amz-server-side-encryption-aws-kms-key-id", "arn:aws:kms:eu-central-1:1:key/abc"},
                                  {"x-amz-server-side-encryption-bucket-key-enabled", "true"},
                                  {"x-amz-storage-class", "GLACIER_IR"}}));
  EXPECT_TRUE(h.customer_key.empty());
}

TEST(ObjectHeaders, NothingConfiguredSendsNothing) {
  ObjectHeaders h = object_headers({});
  EXPECT_TRUE(h.on_create.empty());
  EXPECT_TRUE(h.customer_key.empty());
}

TEST(ObjectHeaders, CustomerKeyFromRawOrHexFile) {
  TempKey raw(raw_key);
  TempKey hex(to_hex({reinterpret_cast<const uint8_t*>(raw_key.data()), raw_key.size()}) + "\n");
  for (const TempKey* file : {&raw, &hex}) {
    ObjectWriteSettings s;
    s.sse_c_key_file = file->path();
    ObjectHeaders h = object_headers(s);
    EXPECT_TRUE(h.on_create.empty());
    EXPECT_EQ(h.customer_key,
              (Headers{{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
                       {"x-amz-server-side-encryption-customer-key", "a2tra2tra2tra2tra2tra2tra2tra2tra2tra2tra2s="},
                       {"x-amz-server-side-encryption-customer-key-md5", hex_to_base64(md5_hex(raw_key))}}));
  }
}

TEST(ObjectHeaders, ABadKeyFileIsAOneLineErrorWithoutTheKey) {
  TempKey short_key("0123456789abcdef-not-a-key");
  ObjectWriteSettings s;
  s.sse_c_key_file = short_key.path();
  try {
    object_headers(s);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("must hold a 256-bit key"));
    EXPECT_THAT(e.what(), ::testing::Not(::testing::HasSubstr("0123456789abcdef")));
  }
  s.sse_c_key_file = "/nonexistent/key";
  EXPECT_THROW(object_headers(s), UsageError);
}

class EncryptingClient : public ::testing::Test {
 protected:
  EncryptingClient() {
    S3ClientOptions options;
    options.region = "us-east-1";
    options.endpoint = parse_endpoint("http://127.0.0.1:9000", "us-east-1");
    options.credentials = std::make_shared<RefreshingCredentials>(static_credentials({"AK", "secret", ""}, "test"));
    options.objects = object_headers({"aws:kms", "", false, {}, ""});
    options.bucket_objects["archive-b"] = {{{"x-amz-storage-class", "DEEP_ARCHIVE"}},
                                           {{"x-amz-server-side-encryption-customer-key", "K"}}};
    client = std::make_unique<S3Client>(options, connect_to(&http));
  }
  ScriptedHttp http;
  std::unique_ptr<ObjectStore> client;
};

TEST_F(EncryptingClient, WritesCarryTheBucketsHeadersAndRepliesSayTheEncryption) {
  http.replies.push_back(reply(200, "", {{"etag", "\"opaque\""}, {"x-amz-server-side-encryption", "aws:kms"}}));
  auto put = client->put_object("b", "k", text_body("x"));
  ASSERT_TRUE(put);
  EXPECT_EQ(put->etag, "opaque");
  EXPECT_FALSE(put->etag_is_md5());
  EXPECT_EQ(header(http.sent[0], "x-amz-server-side-encryption"), "aws:kms");
  EXPECT_THAT(header(http.sent[0], "Authorization"), ::testing::HasSubstr("x-amz-server-side-encryption"));

  http.replies.push_back(reply(200, "", {{"etag", "\"e\""}, {"x-amz-server-side-encryption-customer-algorithm", "AES256"}}));
  auto part = client->upload_part("archive-b", "k", "id", 1, text_body("x"));
  ASSERT_TRUE(part);
  EXPECT_EQ(part->encryption, "SSE-C");
  EXPECT_EQ(header(http.sent[1], "x-amz-server-side-encryption-customer-key"), "K");
  EXPECT_EQ(header(http.sent[1], "x-amz-storage-class"), "");  // only where objects are created
}

TEST_F(EncryptingClient, HeadReportsEncryptionStorageClassAndRestore) {
  http.replies.push_back(reply(200, "", {{"etag", "\"e\""},
                                         {"content-length", "3"},
                                         {"x-amz-server-side-encryption", "aws:kms"},
                                         {"x-amz-storage-class", "DEEP_ARCHIVE"},
                                         {"x-amz-restore", "ongoing-request=\"true\""}}));
  auto info = client->head_object("archive-b", "k");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->encryption, "aws:kms");
  EXPECT_EQ((*info)->storage_class, "DEEP_ARCHIVE");
  EXPECT_EQ((*info)->restore, "ongoing-request=\"true\"");
  EXPECT_EQ(header(http.sent[0], "x-amz-server-side-encryption-customer-key"), "K");
  EXPECT_EQ(header(http.sent[0], "x-amz-server-side-encryption"), "");  // HEAD never asks to encrypt
}

TEST_F(EncryptingClient, TheBucketsDefaultEncryptionWithoutItsKey) {
  http.replies.push_back(reply(200,
                               "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
                               "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>arn:secret</KMSMasterKeyID>"
                               "</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>"));
  http.replies.push_back(reply(404, "<Error><Code>ServerSideEncryptionConfigurationNotFoundError</Code></Error>"));
  auto kms = client->bucket_encryption("b");
  ASSERT_TRUE(kms);
  EXPECT_EQ(*kms, "aws:kms");
  EXPECT_EQ(http.sent[0].url, "http://127.0.0.1:9000/b?encryption=");
  auto none = client->bucket_encryption("b");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
}

}  // namespace
}  // namespace rawbackup::s3
