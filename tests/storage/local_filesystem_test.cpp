// The real filesystem: stat/list/canonical, mapped reads, and the SIGBUS guard.
#include "storage/filesystem.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "integrity/md5.h"
#include "storage/file_hasher.h"
#include "temp_dir.h"
#include "test_data.h"

namespace rawbackup {
namespace {

TEST(LocalFileSystem, StatListCanonical) {
  TempDir dir;
  dir.write("b", "12");
  dir.write("a/x", "");
  std::filesystem::create_symlink("b", dir.path() / "link");
  const FileSystem& fs = local_filesystem();
  EXPECT_EQ(fs.stat(dir.path() / "b", true)->size, 2u);
  EXPECT_EQ(fs.stat(dir.path() / "link", false)->type, EntryType::symlink);
  EXPECT_EQ(fs.stat(dir.path() / "link", true)->type, EntryType::file);
  EXPECT_EQ(fs.stat(dir.path() / "nope", true)->type, EntryType::missing);
  EXPECT_EQ(*fs.list_dir(dir.path()), (std::vector<std::string>{"a", "b", "link"}));
  EXPECT_EQ(fs.canonical(dir.path() / "link")->filename(), "b");
  EXPECT_FALSE(fs.canonical(dir.path() / "nope"));
  EXPECT_FALSE(fs.open_read(dir.path() / "nope"));
}

// Sizes around the 1 MiB mapping window: the mapped path must match a plain MD5.
TEST(LocalFileSystem, HashingMappedWindowsMatchesAPlainMd5) {
  TempDir dir;
  for (size_t size : {size_t{0}, size_t{1}, size_t{1} << 20, (size_t{1} << 20) + 1, (size_t{5} << 20) + 4097}) {
    std::string content = test_data(size, 31, 7);
    auto path = dir.write("f" + std::to_string(size), content);
    auto digest = hash_file(local_filesystem(), path, 2 << 20);
    ASSERT_TRUE(digest) << digest.error().message;
    EXPECT_EQ(digest->size, size);
    EXPECT_EQ(digest->md5, md5_hex(content)) << size;
  }
}

TEST(LocalFileSystem, ReadAndMapAdvanceTheSameOffset) {
  TempDir dir;
  auto path = dir.write("f", "abcdef");
  auto input = local_filesystem().open_read(path);
  ASSERT_TRUE(input);
  std::array<std::byte, 2> buf{};
  EXPECT_EQ(*(*input)->read(buf), 2u);
  auto window = (*input)->map_next(3);
  ASSERT_TRUE(window && *window);
  std::string seen(reinterpret_cast<const char*>((*window)->bytes().data()), (*window)->bytes().size());
  EXPECT_EQ(seen, "cde");
  EXPECT_EQ(*(*input)->read(buf), 1u);
}

TEST(LocalFileSystem, TruncatedUnderAMappingReadsZerosInsteadOfCrashing) {
  TempDir dir;
  auto path = dir.write("f", test_data(3 << 20, 31, 7));
  auto input = local_filesystem().open_read(path);
  auto window = (*input)->map_next(1 << 20);
  ASSERT_TRUE(window && *window);
  ASSERT_EQ(truncate(path.c_str(), 0), 0);
  auto bytes = (*window)->bytes();
  EXPECT_EQ(bytes[100], std::byte{0});  // SIGBUS without the guard
  auto next = (*input)->map_next(1 << 20);
  ASSERT_FALSE(next);
  EXPECT_THAT(next.error().message, ::testing::HasSubstr("changed size"));
}

// Batch commit: every file gets its final name and bytes, no temp file is left, and a
// target that already exists is refused without being replaced.
TEST(LocalFileSystem, CommitAllPublishesEveryFileAndNeverReplaces) {
  TempDir dir;
  const FileSystem& fs = local_filesystem();
  ASSERT_TRUE(fs.create_directories(dir.path() / "a"));
  ASSERT_TRUE(fs.create_directories(dir.path() / "b"));
  std::vector<std::unique_ptr<OutputFile>> owned;
  for (const char* name : {"a/1", "a/2", "b/3"}) {
    auto out = fs.create_file(dir.path() / name);
    ASSERT_TRUE(out) << out.error().message;
    std::string text = name;
    ASSERT_TRUE((*out)->write_at(0, std::as_bytes(std::span(text))));
    owned.push_back(std::move(*out));
  }
  std::vector<OutputFile*> files;
  for (auto& f : owned) files.push_back(f.get());
  ASSERT_TRUE(fs.commit_all(files));
  EXPECT_EQ(*fs.list_dir(dir.path() / "a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(dir.read("b/3"), "b/3");

  dir.write("b/4", "kept");
  auto late = fs.create_file(dir.path() / "b/4");
  ASSERT_TRUE(late);
  ASSERT_TRUE((*late)->write_at(0, std::as_bytes(std::span(std::string_view("new")))));
  OutputFile* one[] = {late->get()};
  auto refused = fs.commit_all(one);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::conflict);
  EXPECT_EQ(dir.read("b/4"), "kept");
}

}  // namespace
}  // namespace rawbackup
