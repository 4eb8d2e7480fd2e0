// The checks behind verify (transfer/verify_checks).
#include <gmock/gmock.h>

#include "transfer/verify_checks.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "fakes/memory_filesystem.h"
#include "integrity/etag.h"
#include "storage/filesystem.h"
#include "test_data.h"

namespace rawbackup {
namespace {

TEST(S3Url, Parses) {
  EXPECT_EQ(parse_s3_url("s3://b/")->bucket, "b");
  EXPECT_EQ(parse_s3_url("s3://b/p/q")->prefix, "p/q/");
  EXPECT_EQ(parse_s3_url("s3://b")->prefix, "");
  EXPECT_FALSE(parse_s3_url("http://b/"));
  EXPECT_FALSE(parse_s3_url("s3:///x"));
}

// A record of `count` files of a few KiB under /b (every fifth larger than its 4 KiB part).
RawFile record_of(testing::MemoryFileSystem& fs, size_t count) {
  RawFile record;
  for (size_t i = 0; i < count; ++i) {
    std::string key = "f/" + std::to_string(1000 + i);
    std::string content = test_data(i % 5 == 0 ? 10'000 : 1'000 + i, 7, i);
    fs.add_file("/b/" + key, content);
    FileEntry entry;
    entry.size = content.size();
    entry.md5 = md5_hex(content);
    entry.part_size = 4096;
    record.file_info[key] = entry;
  }
  return record;
}

// The files are re-read several at a time; the findings keep the record's order, and every
// state is told for its own file.
TEST(CheckLocal, ManyWorkersKeepTheRecordsOrderAndEachFilesFinding) {
  testing::MemoryFileSystem fs;
  RawFile record = record_of(fs, 40);
  fs.remove("/b/f/1003");
  fs.add_file("/b/f/1010", test_data(10'000, 3, 1));  // same size, other bytes (multipart)
  fs.add_file("/b/f/1011", test_data(5));             // other size
  std::atomic<uint64_t> read{0};
  auto found = check_local(fs, "/b", record, 8, [&](size_t n) { read += n; });
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_EQ(found->size(), 40u);
  auto key = record.file_info.begin();
  for (const FileFinding& f : *found) EXPECT_EQ(f.path, (key++)->first);
  EXPECT_EQ((*found)[3].state, FindingState::missing);
  EXPECT_EQ((*found)[10].state, FindingState::differs);
  EXPECT_THAT((*found)[10].detail, ::testing::HasSubstr("MD5 "));
  EXPECT_EQ((*found)[11].state, FindingState::differs);
  EXPECT_THAT((*found)[11].detail, ::testing::StartsWith("size 5"));
  EXPECT_EQ(std::count_if(found->begin(), found->end(), [](const FileFinding& f) { return f.ok(); }), 37);
  EXPECT_GT(read.load(), 0u);
}

// Several at a time for real: the first file opened waits until a second one is open (a check
// reading one file at a time never opens it, and fails once the wait gives up).
TEST(CheckLocal, ReadsSeveralFilesAtOnce) {
  testing::MemoryFileSystem fs;
  RawFile record = record_of(fs, 6);
  std::mutex mutex;
  std::condition_variable opened;
  size_t open_count = 0;
  bool alone = false;
  fs.on_open([&](const std::string&) {
    std::unique_lock lock(mutex);
    ++open_count;
    opened.notify_all();
    if (!opened.wait_for(lock, std::chrono::seconds(30), [&] { return open_count >= 2; })) alone = true;
  });
  auto found = check_local(fs, "/b", record, 2);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_FALSE(alone);
}

// On the real file system (the read() feed of files hashed on one thread each).
TEST(CheckLocal, ManyWorkersOnTheLocalFileSystem) {
  testing::MemoryFileSystem memory;
  RawFile record = record_of(memory, 12);
  std::filesystem::path base = std::filesystem::temp_directory_path() / ("check_local_" + std::to_string(::getpid()));
  std::filesystem::create_directories(base / "f");
  for (const auto& [key, entry] : record.file_info) {
    std::ofstream(base / key, std::ios::binary) << test_data(entry.size, 7, std::stoul(key.substr(2)) - 1000);
  }
  auto found = check_local(local_filesystem(), base, record, 4);
  std::filesystem::remove_all(base);
  ASSERT_TRUE(found) << found.error().message;
  EXPECT_EQ(std::count_if(found->begin(), found->end(), [](const FileFinding& f) { return f.ok(); }), 12);
}

}  // namespace
}  // namespace rawbackup
