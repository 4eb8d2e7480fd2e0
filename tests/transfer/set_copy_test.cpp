// The instrument copy against its record: what is present, gone, differing or extra, per
// vendor, seen without following symlinks.
#include "transfer/set_copy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/memory_filesystem.h"

namespace rawbackup {
namespace {

using Keys = std::vector<std::string>;

class SetCopyTest : public ::testing::Test {
 protected:
  InstrumentConfig sciex{"qtrap1", Vendor::sciex, "/data/qtrap1"};
  testing::MemoryFileSystem fs_;

  // A record of `id` listing each file as it is now in the fake.
  RawFile record_of(const std::string& id, Vendor vendor, const std::string& folder, const Keys& keys) {
    RawFile r;
    r.id = id;
    r.vendor = vendor;
    for (const std::string& key : keys) {
      auto stat = fs_.stat(folder + "/" + key, false);
      r.file_info[key] = FileEntry{stat->size, "", "", 0, stat->mtime_ns};
    }
    return r;
  }
};

TEST_F(SetCopyTest, SciexSiblingsOfTheStemBelongToTheSetOthersDoNot) {
  fs_.add_file("/data/qtrap1/s1.wiff", "w");
  fs_.add_file("/data/qtrap1/s1.wiff.scan", "scan");
  fs_.add_file("/data/qtrap1/s10.wiff", "another acquisition");
  RawFile r = record_of("s1.wiff", Vendor::sciex, "/data/qtrap1", {"s1.wiff", "s1.wiff.scan"});
  fs_.add_file("/data/qtrap1/s1.wiff.mtd", "new");
  auto copy = inspect_instrument_copy(fs_, sciex, r);
  ASSERT_TRUE(copy) << copy.error().message;
  EXPECT_EQ(copy->present, (Keys{"s1.wiff", "s1.wiff.scan"}));
  EXPECT_EQ(copy->extra, (Keys{"s1.wiff.mtd"}));
  EXPECT_FALSE(copy->matches());
  EXPECT_EQ(copy->present_bytes, 5U);
}

TEST_F(SetCopyTest, ARecordKeyOutsideTheSetIsNeverTakenAsGone) {
  fs_.add_file("/data/qtrap1/s1.wiff", "w");
  RawFile r = record_of("s1.wiff", Vendor::sciex, "/data/qtrap1", {"s1.wiff"});
  r.file_info["../etc/passwd"] = FileEntry{};
  r.file_info["other.wiff"] = FileEntry{};
  auto copy = inspect_instrument_copy(fs_, sciex, r);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->differing.size(), 2U);
  EXPECT_TRUE(copy->gone.empty());
  EXPECT_FALSE(copy->matches());
}

TEST_F(SetCopyTest, AFolderInPlaceOfAFileAndASymlinkedFolderDiffer) {
  InstrumentConfig bruker{"tims", Vendor::bruker, "/data/tims"};
  fs_.add_file("/data/tims/x.d/a.tdf", "a");
  fs_.add_file("/data/tims/x.d/sub/b", "b");
  RawFile r = record_of("x.d", Vendor::bruker, "/data/tims", {"x.d/a.tdf", "x.d/sub/b"});
  fs_.remove("/data/tims/x.d/sub/b");
  fs_.remove("/data/tims/x.d/sub");
  fs_.add_file("/elsewhere/sub/b", "b");
  fs_.add_symlink("/data/tims/x.d/sub", "/elsewhere/sub");
  fs_.remove("/data/tims/x.d/a.tdf");
  fs_.add_dir("/data/tims/x.d/a.tdf");
  auto copy = inspect_instrument_copy(fs_, bruker, r);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->extra, (Keys{"x.d/sub (a symlink)"}));
  EXPECT_THAT(copy->differing, ::testing::ElementsAre(::testing::HasSubstr("x.d/a.tdf: a folder")));
  EXPECT_EQ(copy->gone, (Keys{"x.d/sub/b"}));  // not reached through the link
}

TEST_F(SetCopyTest, FoldersAreListedDeepestFirst) {
  InstrumentConfig bruker{"tims", Vendor::bruker, "/data/tims"};
  fs_.add_file("/data/tims/x.d/a/b/c/f", "f");
  fs_.add_file("/data/tims/x.d/z/g", "g");
  RawFile r = record_of("x.d", Vendor::bruker, "/data/tims", {"x.d/a/b/c/f", "x.d/z/g"});
  auto copy = inspect_instrument_copy(fs_, bruker, r);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->folders, (Keys{"x.d/a/b/c", "x.d/a/b", "x.d/a", "x.d/z", "x.d"}));
}

}  // namespace
}  // namespace rawbackup
