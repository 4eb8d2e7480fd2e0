#include "storage/file_hasher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/interrupt.h"
#include "fakes/memory_filesystem.h"
#include "integrity/etag.h"
#include "storage/block_fanout.h"
#include "test_data.h"

namespace rawbackup {
namespace {

using testing::MemoryFileSystem;

TEST(HashFile, MultipartFileGivesWholeMd5AndPartEtag) {
  MemoryFileSystem fs;
  fs.add_file("/d/f", test_data(3 * 1048576 + 12345));
  size_t seen = 0;
  auto digest = hash_file(fs, "/d/f", 1048576, [&](size_t n) { seen += n; });
  ASSERT_TRUE(digest) << digest.error().message;
  EXPECT_EQ(digest->size, 3u * 1048576 + 12345);
  EXPECT_EQ(digest->md5, "deae6d0e0c73d9cd6774f453932190ca");
  EXPECT_EQ(digest->etag, "4ba8785d64e632177c82360c0b342a64-4");
  EXPECT_EQ(seen, digest->size);
}

// Both ways of hashing a multipart file give the same digests: two lanes on one thread, and
// the whole-file MD5 and the part MD5s on two threads; also for parts that are no multiple of
// MD5's 64-byte block (the lanes then go one after the other).
TEST(HashFile, OneThreadAndTwoThreadsGiveTheSameDigests) {
  MemoryFileSystem fs;
  fs.add_file("/d/f", test_data(3 * 1048576 + 12345));
  for (uint64_t part_size : {1048576ULL, 1048576ULL + 10}) {
    auto one = hash_file(fs, "/d/f", part_size, {}, HashThreads::one);
    auto two = hash_file(fs, "/d/f", part_size, {}, HashThreads::two);
    ASSERT_TRUE(one && two);
    EXPECT_EQ(one->md5, "deae6d0e0c73d9cd6774f453932190ca");
    EXPECT_EQ(one->md5, two->md5);
    EXPECT_EQ(one->etag, two->etag);
    EXPECT_EQ(one->part_md5s, two->part_md5s);
    EXPECT_EQ(one->part_md5s.size(), 4u);
  }
  EXPECT_EQ(hash_file(fs, "/d/f", 1048576, {}, HashThreads::one)->etag, "4ba8785d64e632177c82360c0b342a64-4");
}

// With two threads the reader's thread makes the part MD5s of the first third, the second
// thread the rest: a split at the start (a file under 3 MiB), and a file that ends before
// the split (shorter than its stat said) give the digests of one pass all the same.
TEST(HashFile, TwoThreadsSplitThePartsAnywhere) {
  MemoryFileSystem fs;
  for (size_t size : {2 * 1048576 + 5, 7 * 1048576 + 100}) {
    std::string content = test_data(size, 11, 5);
    fs.add_file("/d/f", content);
    for (uint64_t part_size : {1048576ULL, 1000000ULL}) {
      auto two = hash_file(fs, "/d/f", part_size, {}, HashThreads::two);
      ASSERT_TRUE(two);
      EtagBuilder etag(part_size);
      etag.update(std::as_bytes(std::span(content.data(), content.size())));
      EXPECT_EQ(two->etag, etag.finish()) << size << " " << part_size;
      EXPECT_EQ(two->part_md5s, etag.part_digests());
      EXPECT_EQ(two->md5, md5_hex(content));
    }
  }
  fs.add_file("/d/g", test_data(9 * 1048576));
  fs.change_content_behind_stat("/d/g", test_data(1048576 + 500));  // ends before the split at 3 MiB
  auto shrunk = hash_file(fs, "/d/g", 1048576, {}, HashThreads::two);
  ASSERT_TRUE(shrunk);
  EXPECT_EQ(shrunk->size, 1048576u + 500);
  EXPECT_EQ(shrunk->md5, md5_hex(test_data(1048576 + 500)));
  EXPECT_EQ(shrunk->part_md5s.size(), 2u);
}

TEST(HashFile, TwoThreadsOnlyWhileTooFewLargeFilesKeepTheWorkersBusy) {
  EXPECT_EQ(hash_threads_for(1, 2), HashThreads::two);   // one .raw on two cores
  EXPECT_EQ(hash_threads_for(2, 2), HashThreads::one);   // a .wiff and its .wiff.scan
  EXPECT_EQ(hash_threads_for(8, 16), HashThreads::two);
  EXPECT_EQ(hash_threads_for(16, 16), HashThreads::one);  // a .d of 16 large files
  EXPECT_EQ(hash_threads_for(0, 1), HashThreads::two);    // no large file: nothing to split
}

TEST(HashFile, SinglePartFileEtagIsMd5) {
  MemoryFileSystem fs;
  fs.add_file("/d/f", test_data(1000));
  auto digest = hash_file(fs, "/d/f", 1048576);
  ASSERT_TRUE(digest);
  EXPECT_EQ(digest->md5, md5_hex(test_data(1000)));
  EXPECT_EQ(digest->etag, digest->md5);
}

TEST(HashFile, EmptyFile) {
  MemoryFileSystem fs;
  fs.add_file("/d/f", "");
  auto digest = hash_file(fs, "/d/f", 5);
  ASSERT_TRUE(digest);
  EXPECT_EQ(digest->size, 0u);
  EXPECT_EQ(digest->etag, "d41d8cd98f00b204e9800998ecf8427e");
}

TEST(HashFile, GrownPastOnePartWhileReadIsAnError) {
  MemoryFileSystem fs;
  fs.add_file("/d/f", test_data(10));
  fs.change_content_behind_stat("/d/f", test_data(2 * 1048576));  // stat still says 10 bytes
  auto digest = hash_file(fs, "/d/f", 1048576);
  ASSERT_FALSE(digest);
  EXPECT_THAT(digest.error().message, ::testing::HasSubstr("changed while being read"));
}

TEST(HashFile, MissingFileIsAnError) {
  MemoryFileSystem fs;
  EXPECT_FALSE(hash_file(fs, "/nope", 5));
}

class CollectSink final : public BlockSink {
 public:
  explicit CollectSink(int fail_at = -1) : fail_at_(fail_at) {}
  Status consume(std::span<const std::byte> block) override {
    if (blocks_++ == fail_at_) return fail("sink failed");
    data.append(reinterpret_cast<const char*>(block.data()), block.size());
    return {};
  }
  std::string data;

 private:
  int fail_at_;
  int blocks_ = 0;
};

TEST(FanOut, EverySinkSeesEveryByteInOrderThroughASmallRing) {
  MemoryFileSystem fs;
  std::string content = test_data(100'003);
  fs.add_file("/f", content);
  auto input = fs.open_read("/f");
  CollectSink a, b, c;
  std::vector<BlockSink*> sinks{&a, &b, &c};
  auto total = fan_out(**input, sinks, FanOutOptions{1000, 2, {}});
  ASSERT_TRUE(total);
  EXPECT_EQ(*total, content.size());
  EXPECT_EQ(a.data, content);
  EXPECT_EQ(b.data, content);
  EXPECT_EQ(c.data, content);
}

TEST(FanOut, AFailingWorkerSinkStopsEverything) {
  MemoryFileSystem fs;
  fs.add_file("/f", test_data(50'000));
  auto input = fs.open_read("/f");
  CollectSink a, b(3);
  std::vector<BlockSink*> sinks{&a, &b};
  auto total = fan_out(**input, sinks, FanOutOptions{1000, 2, {}});
  ASSERT_FALSE(total);
  EXPECT_EQ(total.error().message, "sink failed");
  EXPECT_LT(a.data.size(), 50'000u);
}

TEST(FanOut, InterruptionStopsWithInterruptedKind) {
  MemoryFileSystem fs;
  fs.add_file("/f", test_data(5000));
  auto input = fs.open_read("/f");
  CollectSink a;
  std::vector<BlockSink*> sinks{&a};
  set_interrupted(true);
  auto total = fan_out(**input, sinks, FanOutOptions{1000, 2, {}});
  set_interrupted(false);
  ASSERT_FALSE(total);
  EXPECT_EQ(total.error().kind, ErrorKind::interrupted);
}

}  // namespace
}  // namespace rawbackup
