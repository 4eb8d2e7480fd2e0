// RetryingObjectStore against the in-memory fake: which errors are retried, how often, and
// that a GET retried mid-way asks only for the bytes not yet delivered.
#include "storage/retrying_object_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/interrupt.h"
#include "error_of.h"
#include "fakes/memory_object_store.h"

namespace rawbackup {
namespace {

using s3::S3Error;
using s3::S3ErrorOrigin;

S3Error server_error(int status, const char* code) { return S3Error{status, code, "m", ""}; }

// Delivers the first half of the first GET, then the connection drops.
class DropsOnceMidway : public testing::MemoryObjectStore {
 public:
  S3Result<uint64_t> get_object(const std::string& bucket, const std::string& key, uint64_t offset, uint64_t length,
                                const ByteSink& sink) override {
    requests.push_back(std::to_string(offset) + "+" + std::to_string(length));
    if (dropped) return MemoryObjectStore::get_object(bucket, key, offset, length, sink);
    dropped = true;
    auto half = MemoryObjectStore::get_object(bucket, key, offset, length / 2, sink);
    if (!half) return half;
    return std::unexpected(s3::local_error(S3ErrorOrigin::network, "Connection reset"));
  }
  std::vector<std::string> requests;
  bool dropped = false;
};

class Retrying : public ::testing::Test {
 protected:
  Retrying() {
    auto fake = std::make_unique<DropsOnceMidway>();
    inner = fake.get();
    store = std::make_unique<RetryingObjectStore>(std::move(fake), RetryPolicy{.max_attempts = 3}, sleep());
    EXPECT_TRUE(store->create_bucket("b"));
  }
  // Records the delays instead of sleeping; "interrupted" while waiting when `interrupt`.
  RetrySleep sleep() {
    return [this](std::chrono::milliseconds, bool interruptible) {
      ++waits;
      if (!interruptible) ++uninterruptible_waits;
      return !(interrupt && interruptible);
    };
  }
  DropsOnceMidway* inner;
  std::unique_ptr<ObjectStore> store;
  int waits = 0;
  int uninterruptible_waits = 0;
  bool interrupt = false;
};

TEST_F(Retrying, TransientErrorsAreRetriedUntilOneSucceeds) {
  inner->inject("put_object", server_error(503, "SlowDown"));
  inner->inject("put_object", s3::local_error(S3ErrorOrigin::network, "reset"));
  auto etag = store->put_object("b", "k", text_body("x"));
  ASSERT_TRUE(etag) << s3::describe(etag.error());
  EXPECT_EQ(inner->calls("put_object"), 3);
  EXPECT_EQ(waits, 2);
}

TEST_F(Retrying, AttemptsAreBounded) {
  inner->inject("head_object", server_error(500, "InternalError"), 5);
  auto info = store->head_object("b", "k");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().code, "InternalError");
  EXPECT_EQ(inner->calls("head_object"), 3);
}

TEST_F(Retrying, PermanentAndLocalErrorsReturnAtOnce) {
  inner->inject("put_object", server_error(400, "BadDigest"));
  inner->inject("upload_part", s3::local_error(S3ErrorOrigin::local_read, "disk error"));
  EXPECT_EQ(error_of(store->put_object("b", "k", text_body("x"))).code, "BadDigest");
  auto id = store->create_multipart_upload("b", "k");
  ASSERT_TRUE(id);
  EXPECT_EQ(error_of(store->upload_part("b", "k", *id, 1, text_body("x"))).origin, S3ErrorOrigin::local_read);
  EXPECT_EQ(waits, 0);
}

TEST_F(Retrying, InterruptedWhileWaitingIsAnInterruption) {
  interrupt = true;
  inner->inject("list_objects", server_error(503, "SlowDown"));
  auto page = store->list_objects("b", "", "");
  ASSERT_FALSE(page);
  EXPECT_TRUE(s3::is_interrupted(page.error()));
  EXPECT_EQ(inner->calls("list_objects"), 1);
}

// Clean-up must still go out after SIGTERM: its waits are not interruptible.
TEST_F(Retrying, CleanUpRetriesEvenWhenInterrupted) {
  interrupt = true;
  inner->inject("delete_object", server_error(503, "SlowDown"));
  EXPECT_TRUE(store->delete_object("b", "k"));
  EXPECT_EQ(uninterruptible_waits, 1);
}

TEST_F(Retrying, GetRetriedMidwayAsksOnlyForTheRest) {
  ASSERT_TRUE(store->put_object("b", "k", text_body("0123456789abcdefghij")));
  std::string got;
  auto n = store->get_object("b", "k", 4, 12, [&](std::span<const std::byte> bytes) {
    got.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return true;
  });
  ASSERT_TRUE(n) << s3::describe(n.error());
  EXPECT_EQ(*n, 12U);
  EXPECT_EQ(got, "456789abcdef");
  EXPECT_THAT(inner->requests, ::testing::ElementsAre("4+12", "10+6"));
}

}  // namespace
}  // namespace rawbackup
