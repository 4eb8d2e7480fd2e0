// Removal beneath a folder on the real filesystem: never through a symlink, only a file still
// as checked, folders only when empty.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "storage/filesystem.h"
#include "temp_dir.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

FileStat stat_of(const fs::path& p) { return *local_filesystem().stat(p, false); }

TEST(LocalRemove, RemovesAFileStillAsCheckedThenItsEmptyFolders) {
  TempDir dir;
  auto file = dir.write("root/x.d/sub/a.bin", "abc");
  dir.write("root/x.d/b.bin", "b");
  const FileSystem& fs = local_filesystem();
  fs::path root = dir.path() / "root";
  EXPECT_EQ(fs.remove_file_beneath(root, "x.d/sub/a.bin", stat_of(file)), true);
  EXPECT_FALSE(fs::exists(file));
  EXPECT_EQ(fs.remove_file_beneath(root, "x.d/sub/a.bin", stat_of(file)), false);  // gone: removed before
  EXPECT_EQ(fs.remove_file_beneath(root, "nope/a.bin", FileStat{}), false);
  EXPECT_EQ(fs.remove_folder_if_empty(root, "x.d"), false);  // b.bin is still there
  EXPECT_TRUE(fs::exists(root / "x.d/b.bin"));
  EXPECT_EQ(fs.remove_folder_if_empty(root, "x.d/sub"), true);
  EXPECT_TRUE(fs.sync_folder(root));
}

TEST(LocalRemove, AChangedFileIsNotRemoved) {
  TempDir dir;
  auto file = dir.write("root/a.raw", "abc");
  FileStat checked = stat_of(file);
  dir.write("root/a.raw", "abcd");
  auto removed = local_filesystem().remove_file_beneath(dir.path() / "root", "a.raw", checked);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().kind, ErrorKind::conflict);
  EXPECT_THAT(removed.error().message, HasSubstr("changed since it was checked"));
  EXPECT_TRUE(fs::exists(file));
}

// A folder swapped for a symlink to elsewhere after the check: the file there stays.
TEST(LocalRemove, NeverFollowsASymlinkedFolderOrRemovesASymlinkedFile) {
  TempDir dir;
  auto outside = dir.write("outside/sub/a.bin", "abc");
  dir.write("root/x.d/keep", "");
  fs::create_directory_symlink(dir.path() / "outside/sub", dir.path() / "root/x.d/sub");
  fs::create_symlink(outside, dir.path() / "root/b.raw");
  const FileSystem& fs = local_filesystem();
  fs::path root = dir.path() / "root";
  auto through = fs.remove_file_beneath(root, "x.d/sub/a.bin", stat_of(outside));
  ASSERT_FALSE(through);
  EXPECT_EQ(through.error().kind, ErrorKind::conflict);
  EXPECT_THAT(through.error().message, HasSubstr("is a symlink or not a folder"));
  auto link = fs.remove_file_beneath(root, "b.raw", stat_of(outside));
  ASSERT_FALSE(link);
  EXPECT_THAT(link.error().message, HasSubstr("is not a regular file"));
  EXPECT_FALSE(fs.remove_folder_if_empty(root, "x.d/sub"));  // a symlink, not a folder
  EXPECT_TRUE(fs::exists(outside));
  EXPECT_TRUE(fs::is_symlink(dir.path() / "root/b.raw"));
}

TEST(LocalRemove, RefusesPathsLeavingTheFolder) {
  TempDir dir;
  auto outside = dir.write("a.raw", "abc");
  dir.write("root/keep", "");
  for (const char* path : {"../a.raw", "/a.raw", "x/../../a.raw", ""}) {
    auto removed = local_filesystem().remove_file_beneath(dir.path() / "root", path, stat_of(outside));
    ASSERT_FALSE(removed) << path;
    EXPECT_EQ(removed.error().kind, ErrorKind::usage) << path;
  }
  EXPECT_TRUE(fs::exists(outside));
}

}  // namespace
}  // namespace rawbackup
