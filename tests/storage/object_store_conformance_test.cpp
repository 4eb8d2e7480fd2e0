// One behaviour suite for every ObjectStore: the in-memory fakes always, and a real server
// when RAWBACKUP_TEST_S3_SERVER (ceph | s3rver), S3_ENDPOINT, AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY are set (integration/s3_conformance_test.sh starts each server and
// runs this suite against it). What each server can prove is in its Capabilities.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "fakes/memory_object_store.h"
#include "integrity/etag.h"
#include "integrity/md5.h"
#include "storage/retrying_object_store.h"
#include "storage/s3/client.h"

namespace rawbackup {
namespace {

struct Capabilities {
  bool multipart_etag = true;        // false: s3rver reports the whole-file MD5
  bool list_parts_and_abort = true;  // false: s3rver has neither
  bool checks_content_md5 = true;    // false: s3rver ignores Content-MD5
  bool checks_part_etags = true;     // false: s3rver crashes on a Complete naming unknown parts
  bool signs = false;                // the server checks signatures (real servers)
  bool lists_ampersands = true;      // false: s3rver escapes '&' in listed keys twice ("&amp;amp;")
};

struct Backend {
  std::string name;
  Capabilities can;
  // A store; `secret` replaces the secret key when not empty (real servers only).
  std::function<std::unique_ptr<ObjectStore>(const std::string& secret)> make;
};

void PrintTo(const Backend& backend, std::ostream* os) { *os << backend.name; }

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::vector<Backend> backends() {
  std::vector<Backend> out;
  out.push_back({"memory", {}, [](const std::string&) { return std::make_unique<testing::MemoryObjectStore>(); }});
  out.push_back({"memory_whole_md5", {.multipart_etag = false}, [](const std::string&) {
                   return std::make_unique<testing::MemoryObjectStore>(
                       testing::MemoryObjectStoreOptions{.whole_md5_etags = true});
                 }});
  out.push_back({"memory_like_s3rver", {.multipart_etag = false, .checks_content_md5 = false}, [](const std::string&) {
                   return std::make_unique<testing::MemoryObjectStore>(
                       testing::MemoryObjectStoreOptions{.whole_md5_etags = true, .ignore_content_md5 = true});
                 }});
  std::string server = env("RAWBACKUP_TEST_S3_SERVER");
  if (server.empty()) return out;
  Capabilities can{.signs = true};
  if (server == "s3rver") {
    can = {.multipart_etag = false,
           .list_parts_and_abort = false,
           .checks_content_md5 = false,
           .checks_part_etags = false,
           .signs = true,
           .lists_ampersands = false};
  }
  out.push_back({server, can, [](const std::string& secret) -> std::unique_ptr<ObjectStore> {
                   s3::S3ClientOptions options;
                   options.region = "us-east-1";
                   options.endpoint = s3::parse_endpoint(env("S3_ENDPOINT"), options.region);
                   options.credentials = std::make_shared<s3::RefreshingCredentials>(s3::static_credentials(
                       {env("AWS_ACCESS_KEY_ID"), secret.empty() ? env("AWS_SECRET_ACCESS_KEY") : secret, ""}, "test"));
                   return std::make_unique<RetryingObjectStore>(
                       std::make_unique<s3::S3Client>(options, [] { return s3::make_curl_client({}); }),
                       RetryPolicy{.base_delay = std::chrono::milliseconds(10)});
                 }});
  return out;
}

std::string pattern(size_t size, char seed) {
  std::string s(size, '\0');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>(seed + (i * 7 + i / 4096) % 61);
  return s;
}

std::string md5_of(const std::string& data) { return md5_hex(data); }

class ObjectStoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    store = GetParam().make("");
    static int counter = 0;
    bucket = "rb-conformance-" + std::to_string(getpid()) + "-" + std::to_string(++counter);
    ASSERT_TRUE(store->create_bucket(bucket)) << "create_bucket failed";
  }
  const Capabilities& can() const { return GetParam().can; }

  std::string get(const std::string& key, uint64_t offset, uint64_t length) {
    std::string out;
    auto n = store->get_object(bucket, key, offset, length, [&](std::span<const std::byte> b) {
      out.append(reinterpret_cast<const char*>(b.data()), b.size());
      return true;
    });
    EXPECT_TRUE(n) << (n ? "" : s3::describe(n.error()));
    return out;
  }

  std::unique_ptr<ObjectStore> store;
  std::string bucket;
};

TEST_P(ObjectStoreConformance, MissingBucketIsNoSuchBucket) {
  auto r = store->head_bucket(bucket + "-missing");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 404);
  EXPECT_EQ(r.error().code, "NoSuchBucket");
  EXPECT_TRUE(store->head_bucket(bucket));
}

TEST_P(ObjectStoreConformance, PutThenHeadReportsSizeAndMd5) {
  auto etag = store->put_object(bucket, "a/b.raw", text_body("hello raw data"));
  ASSERT_TRUE(etag) << s3::describe(etag.error());
  EXPECT_EQ(etag->etag, md5_of("hello raw data"));
  auto info = store->head_object(bucket, "a/b.raw");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->size, 14U);
  EXPECT_EQ((*info)->etag, md5_of("hello raw data"));
  auto missing = store->head_object(bucket, "a/none.raw");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
}

TEST_P(ObjectStoreConformance, EmptyObject) {
  ASSERT_TRUE(store->put_object(bucket, "empty", text_body("")));
  auto info = store->head_object(bucket, "empty");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->size, 0U);
  EXPECT_EQ((*info)->etag, md5_of(""));
}

// An object found wrong is removed (upload-s3 never leaves one under its final key).
TEST_P(ObjectStoreConformance, DeleteRemovesTheObjectAndAMissingOneIsFine) {
  ASSERT_TRUE(store->put_object(bucket, "doomed.raw", text_body("wrong bytes")));
  ASSERT_TRUE(store->put_object(bucket, "kept.raw", text_body("right bytes")));
  auto deleted = store->delete_object(bucket, "doomed.raw");
  ASSERT_TRUE(deleted) << s3::describe(deleted.error());
  auto info = store->head_object(bucket, "doomed.raw");
  ASSERT_TRUE(info);
  EXPECT_FALSE(*info);
  EXPECT_TRUE(store->delete_object(bucket, "doomed.raw"));  // again: nothing there, no error
  auto other = store->head_object(bucket, "kept.raw");
  ASSERT_TRUE(other && *other);
}

TEST_P(ObjectStoreConformance, KeysWithSpacesUnicodeAndReservedCharacters) {
  const std::string key =
      std::string("20261122 run/x.d/analysis + ü=1") + (can().lists_ampersands ? "&" : "") + "b~(2).tdf";
  ASSERT_TRUE(store->put_object(bucket, key, text_body("abc")));
  auto info = store->head_object(bucket, key);
  ASSERT_TRUE(info && *info) << (info ? "missing" : s3::describe(info.error()));
  auto page = store->list_objects(bucket, "20261122 run/", "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->objects.size(), 1U);
  EXPECT_EQ(page->objects[0].key, key);
  EXPECT_EQ(get(key, 0, 3), "abc");
}

TEST_P(ObjectStoreConformance, MultipartUploadGivesTheS3Etag) {
  const uint64_t part = 5ULL << 20;
  std::vector<std::string> parts{pattern(part, 'a'), pattern(part, 'b'), pattern(1 << 20, 'c')};
  auto id = store->create_multipart_upload(bucket, "big.raw");
  ASSERT_TRUE(id) << s3::describe(id.error());
  std::vector<s3::UploadedPart> done;
  EtagBuilder expected(part);
  for (int n = 1; n <= 3; ++n) {
    const std::string& data = parts[static_cast<size_t>(n - 1)];
    auto etag = store->upload_part(bucket, "big.raw", *id, n, text_body(data));
    ASSERT_TRUE(etag) << s3::describe(etag.error());
    EXPECT_EQ(etag->etag, md5_of(data));
    done.push_back({n, etag->etag, data.size()});
    expected.update(std::as_bytes(std::span(data)));
  }
  ASSERT_TRUE(store->complete_multipart_upload(bucket, "big.raw", *id, done));
  auto info = store->head_object(bucket, "big.raw");
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->size, 11ULL << 20);
  std::string whole = parts[0] + parts[1] + parts[2];
  std::string multipart = expected.finish();
  EXPECT_EQ((*info)->etag, can().multipart_etag ? multipart : md5_of(whole));
  EXPECT_TRUE(etag_matches((*info)->etag, md5_of(whole), multipart));
  EXPECT_EQ(get("big.raw", part - 10, 20), whole.substr(part - 10, 20));
}

TEST_P(ObjectStoreConformance, ListObjectsFollowsPages) {
  for (const char* key : {"p/1", "p/2", "p/3", "q/1"}) ASSERT_TRUE(store->put_object(bucket, key, text_body(key)));
  std::vector<std::string> keys;
  std::string token;
  do {
    auto page = store->list_objects(bucket, "p/", token);
    ASSERT_TRUE(page) << s3::describe(page.error());
    for (const auto& o : page->objects) keys.push_back(o.key);
    token = page->truncated ? page->next_token : "";
  } while (!token.empty());
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/2", "p/3"}));
}

TEST_P(ObjectStoreConformance, WrongContentMd5IsBadDigest) {
  if (!can().checks_content_md5) GTEST_SKIP() << GetParam().name << " ignores Content-MD5";
  Body body = text_body("the bytes sent");
  body.md5_hex = md5_of("other bytes");
  auto r = store->put_object(bucket, "bad", body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "BadDigest");
  EXPECT_FALSE(s3::is_transient(r.error()));
  auto info = store->head_object(bucket, "bad");
  ASSERT_TRUE(info);
  EXPECT_FALSE(*info);
}

TEST_P(ObjectStoreConformance, ListPartsThenAbortLeavesNothing) {
  if (!can().list_parts_and_abort) GTEST_SKIP() << GetParam().name << " has no ListParts/Abort";
  auto id = store->create_multipart_upload(bucket, "aborted.raw");
  ASSERT_TRUE(id);
  std::string p1 = pattern(5ULL << 20, 'x'), p2 = pattern(1000, 'y');
  ASSERT_TRUE(store->upload_part(bucket, "aborted.raw", *id, 1, text_body(p1)));
  ASSERT_TRUE(store->upload_part(bucket, "aborted.raw", *id, 2, text_body(p2)));
  auto parts = list_all_parts(*store, bucket, "aborted.raw", *id);
  ASSERT_TRUE(parts) << s3::describe(parts.error());
  ASSERT_EQ(parts->size(), 2U);
  EXPECT_EQ((*parts)[0].etag, md5_of(p1));
  EXPECT_EQ((*parts)[1].size, 1000U);
  ASSERT_TRUE(store->abort_multipart_upload(bucket, "aborted.raw", *id));
  auto gone = store->list_parts(bucket, "aborted.raw", *id, 0);
  ASSERT_FALSE(gone);
  EXPECT_TRUE(s3::is_upload_gone(gone.error())) << s3::describe(gone.error());
  auto info = store->head_object(bucket, "aborted.raw");
  ASSERT_TRUE(info);
  EXPECT_FALSE(*info);
}

TEST_P(ObjectStoreConformance, CompleteWithAWrongPartEtagIsInvalidPart) {
  if (!can().checks_part_etags) GTEST_SKIP() << GetParam().name << " cannot check part ETags";
  auto id = store->create_multipart_upload(bucket, "invalid.raw");
  ASSERT_TRUE(id);
  ASSERT_TRUE(store->upload_part(bucket, "invalid.raw", *id, 1, text_body("only part")));
  auto r = store->complete_multipart_upload(bucket, "invalid.raw", *id, {{1, md5_of("other"), 9}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "InvalidPart");
  if (can().list_parts_and_abort) {
    EXPECT_TRUE(store->abort_multipart_upload(bucket, "invalid.raw", *id));
  }
}

TEST_P(ObjectStoreConformance, WrongSecretIsRefused) {
  if (!can().signs) GTEST_SKIP() << GetParam().name << " does not check signatures";
  auto wrong = GetParam().make("wrong-secret-0123456789");
  auto r = wrong->head_bucket(bucket);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 403);
  EXPECT_EQ(r.error().code, "SignatureDoesNotMatch") << s3::describe(r.error());
  EXPECT_FALSE(wrong->put_object(bucket, "x", text_body("x")));
}

TEST_P(ObjectStoreConformance, ProbeShowsTheServerItsClockAndWhetherItTakesOurSignature) {
  auto probe = store->probe_endpoint();
  ASSERT_TRUE(probe) << s3::describe(probe.error());
  EXPECT_GE(probe->http_status, 200);
  EXPECT_FALSE(probe->refused) << s3::describe(*probe->refused);
  ASSERT_TRUE(probe->clock_offset_s) << "a Date header";
  EXPECT_LE(std::abs(*probe->clock_offset_s), 5) << "the server runs on this machine";
  if (!can().signs) return;
  auto wrong = GetParam().make("wrong-secret-0123456789")->probe_endpoint();
  ASSERT_TRUE(wrong) << s3::describe(wrong.error());
  ASSERT_TRUE(wrong->refused);
  EXPECT_EQ(wrong->refused->code, "SignatureDoesNotMatch") << s3::describe(*wrong->refused);
}

INSTANTIATE_TEST_SUITE_P(Backends, ObjectStoreConformance, ::testing::ValuesIn(backends()),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace rawbackup
