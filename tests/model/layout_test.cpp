// Vendor layouts on the in-memory filesystem.
#include "model/layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fakes/memory_filesystem.h"

namespace rawbackup {
namespace {

using testing::MemoryFileSystem;

InstrumentConfig instrument(Vendor vendor) { return {"inst", vendor, "/data/inst"}; }

std::vector<std::string> keys(const RawFileSet& set) {
  std::vector<std::string> out;
  for (const auto& m : set.files) out.push_back(m.key);
  return out;
}

std::string error_of(const MemoryFileSystem& fs, Vendor vendor, const std::string& name) {
  auto set = find_raw_file_set(fs, instrument(vendor), name);
  if (set) return "";
  EXPECT_EQ(set.error().kind, ErrorKind::usage) << set.error().message;
  return set.error().message;
}

TEST(Layout, ThermoIsOneFile) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/a.raw", "12345", 7);
  fs.add_file("/data/inst/a.raw.tmp", "x");
  auto set = find_raw_file_set(fs, instrument(Vendor::thermo), "a.raw");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(keys(*set), std::vector<std::string>{"a.raw"});
  EXPECT_EQ(set->total_size, 5u);
  EXPECT_EQ(set->newest_mtime_ns, 7);
}

TEST(Layout, BrukerIsEveryFileUnderTheFolderWithNestedKeys) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/s.d/analysis.tdf", "aa", 1);
  fs.add_file("/data/inst/s.d/analysis.tdf_bin", "bbbb", 5);
  fs.add_file("/data/inst/s.d/1.m/sub/method.xml", "c", 3);
  fs.add_file("/data/inst/s.d/zero", "");
  fs.add_dir("/data/inst/s.d/empty");
  fs.add_file("/data/inst/other.d/x", "x");
  auto set = find_raw_file_set(fs, instrument(Vendor::bruker), "s.d");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(keys(*set), (std::vector<std::string>{"s.d/1.m/sub/method.xml", "s.d/analysis.tdf", "s.d/analysis.tdf_bin",
                                                  "s.d/zero"}));
  EXPECT_EQ(set->total_size, 7u);
  EXPECT_EQ(set->newest_mtime_ns, 1'000'000'000);  // "zero" has the default mtime
}

TEST(Layout, SciexIsTheStemSiblingsOnly) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/s1.wiff2", "a");
  fs.add_file("/data/inst/s1.wiff.scan", "bb");
  fs.add_file("/data/inst/s1.timeseries.data", "c");
  fs.add_file("/data/inst/s10.wiff2", "not mine");
  fs.add_file("/data/inst/s1_x.wiff2", "not mine either");
  auto set = find_raw_file_set(fs, instrument(Vendor::sciex), "s1.wiff2");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(keys(*set), (std::vector<std::string>{"s1.timeseries.data", "s1.wiff.scan", "s1.wiff2"}));
}

// An acquisition is complete only with its vendor's required members, present and not empty
// (issue 31.3): a .d holding only analysis.tdf, a .wiff without its .wiff.scan are not ready.
TEST(Layout, RequiredMembersPerVendorOrAsConfigured) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/s.d/analysis.tdf", "aa");
  fs.add_file("/data/inst/s1.wiff2", "a");
  fs.add_file("/data/inst/t.raw", "t");
  auto complete = [&](const InstrumentConfig& inst, const std::string& name) {
    auto set = find_raw_file_set(fs, inst, name);
    EXPECT_TRUE(set) << set.error().message;
    Status s = check_complete(inst, name, *set);
    if (s) return std::string("complete");
    EXPECT_EQ(s.error().kind, ErrorKind::not_ready);
    return s.error().message;
  };
  InstrumentConfig bruker = instrument(Vendor::bruker);
  EXPECT_THAT(complete(bruker, "s.d"), ::testing::StartsWith("s.d is not complete: s.d/analysis.tdf_bin is missing "
                                                             "(required for inst: analysis.tdf, analysis.tdf_bin; "
                                                             "instruments.inst.required_members)"));
  fs.add_file("/data/inst/s.d/analysis.tdf_bin", "");
  EXPECT_THAT(complete(bruker, "s.d"), ::testing::HasSubstr("s.d/analysis.tdf_bin is empty"));
  fs.add_file("/data/inst/s.d/analysis.tdf_bin", "b");
  EXPECT_EQ(complete(bruker, "s.d"), "complete");
  InstrumentConfig sciex = instrument(Vendor::sciex);
  EXPECT_THAT(complete(sciex, "s1.wiff2"), ::testing::HasSubstr("s1.wiff.scan is missing"));
  fs.add_file("/data/inst/s1.wiff.scan", "b");
  EXPECT_EQ(complete(sciex, "s1.wiff2"), "complete");
  EXPECT_EQ(complete(instrument(Vendor::thermo), "t.raw"), "complete");
  bruker.required_members = std::vector<std::string>{"analysis.baf"};  // another Bruker instrument
  EXPECT_THAT(complete(bruker, "s.d"), ::testing::HasSubstr("s.d/analysis.baf is missing"));
  bruker.required_members = std::vector<std::string>{};
  EXPECT_EQ(complete(bruker, "s.d"), "complete");
}

TEST(Layout, ExtensionsAreCaseInsensitive) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/A.RAW", "x");
  EXPECT_TRUE(find_raw_file_set(fs, instrument(Vendor::thermo), "A.RAW"));
}

TEST(Layout, BadNamesAreRefusedBeforeAnyLookup) {
  MemoryFileSystem fs;
  EXPECT_THAT(error_of(fs, Vendor::thermo, ".raw"), ::testing::HasSubstr("only an extension"));
  EXPECT_THAT(error_of(fs, Vendor::thermo, "a.d"), ::testing::HasSubstr("not a thermo raw file name (expected .raw)"));
  EXPECT_THAT(error_of(fs, Vendor::sciex, "a.raw"), ::testing::HasSubstr("expected .wiff or .wiff2"));
  EXPECT_THAT(error_of(fs, Vendor::thermo, "../a.raw"), ::testing::HasSubstr("not a plain file name"));
  EXPECT_THAT(error_of(fs, Vendor::thermo, "/abs/a.raw"), ::testing::HasSubstr("not a plain file name"));
  EXPECT_THAT(error_of(fs, Vendor::thermo, ".."), ::testing::HasSubstr("not a plain file name"));
  EXPECT_THAT(error_of(fs, Vendor::thermo, ""), ::testing::HasSubstr("not a plain file name"));
}

TEST(Layout, NothingFound) {
  MemoryFileSystem fs;
  fs.add_dir("/data/inst/empty.d");
  fs.add_dir("/data/inst");
  EXPECT_THAT(error_of(fs, Vendor::thermo, "a.raw"), ::testing::HasSubstr("no files found"));
  EXPECT_THAT(error_of(fs, Vendor::bruker, "empty.d"), ::testing::HasSubstr("no files found"));
  fs.add_file("/data/inst/s.wiff.scan", "x");
  EXPECT_THAT(error_of(fs, Vendor::sciex, "s.wiff"), ::testing::HasSubstr("s.wiff not found"));
}

TEST(Layout, WrongKindOfEntry) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/b.d", "a file");
  fs.add_dir("/data/inst/t.raw");
  EXPECT_THAT(error_of(fs, Vendor::bruker, "b.d"), ::testing::HasSubstr("is a folder"));
  EXPECT_THAT(error_of(fs, Vendor::thermo, "t.raw"), ::testing::HasSubstr("is a folder, not a file"));
}

TEST(Layout, MissingInstrumentFolder) {
  MemoryFileSystem fs;
  EXPECT_THAT(error_of(fs, Vendor::thermo, "a.raw"), ::testing::HasSubstr("is not reachable"));
}

TEST(Layout, SymlinksInsideAreFollowedOutsideRefused) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/real/a.raw", "inside");
  fs.add_symlink("/data/inst/a.raw", "real/a.raw");
  fs.add_file("/etc/secret", "outside");
  fs.add_symlink("/data/inst/b.raw", "/etc/secret");
  fs.add_symlink("/data/inst/s.d/leak", "../../../etc/secret");
  fs.add_symlink("/data/inst/c.raw", "missing");
  auto set = find_raw_file_set(fs, instrument(Vendor::thermo), "a.raw");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->total_size, 6u);
  EXPECT_THAT(error_of(fs, Vendor::thermo, "b.raw"), ::testing::HasSubstr("outside the instrument folder"));
  EXPECT_THAT(error_of(fs, Vendor::bruker, "s.d"), ::testing::HasSubstr("s.d/leak: symlink points outside"));
  EXPECT_THAT(error_of(fs, Vendor::thermo, "c.raw"), ::testing::HasSubstr("broken symlink"));
}

TEST(Layout, SymlinkedFoldersAreNotFollowed) {
  MemoryFileSystem fs;
  fs.add_file("/data/inst/real/x", "x");
  fs.add_file("/data/inst/s.d/a", "a");
  fs.add_symlink("/data/inst/s.d/loop", "../real");
  EXPECT_THAT(error_of(fs, Vendor::bruker, "s.d"), ::testing::HasSubstr("symlinked folders are not followed"));
}

}  // namespace
}  // namespace rawbackup
