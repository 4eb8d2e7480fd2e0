#include "tasks/copy_local.h"

#include <gmock/gmock.h>

#include "integrity/md5.h"
#include "task_fixture.h"
#include "tasks/checksum.h"

namespace rawbackup {
namespace {

class CopyLocal : public TaskFixture {
 protected:
  static constexpr int64_t t0 = 1'763'000'000'000'000'000;  // 2025-11-13
  const std::string dest_dir = "/backup/astral1/2025_11/";

  void checksum(const std::string& name, const std::string& instrument = "astral1") {
    ChecksumOptions options;
    options.instrument = instrument;
    options.name = name;
    auto out = run_checksum(context(), options);
    ASSERT_TRUE(out) << out.error().message;
  }
  Result<TaskOutput> copy(const std::string& id, bool overwrite = false, bool dry_run = false) {
    return run_copy_local(context(), CopyLocalOptions{id, overwrite, dry_run});
  }
  void use_s3_backup() { config_.backup_type = BackupType::s3; }
};

TEST_F(CopyLocal, CopiesVerifiesAndRecords) {
  fs_.add_file("/data/astral1/a.raw", std::string(3 << 20, 'x'), t0);
  checksum("a.raw");
  auto out = copy("a.raw");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->result["outcome"], "done");
  EXPECT_EQ(out->result["copied"], 1);
  EXPECT_EQ(out->result["bytes"], 3 << 20);
  EXPECT_EQ(out->result["destination"], "/backup/astral1/2025_11");
  EXPECT_EQ(fs_.read_all(dest_dir + "a.raw"), std::string(3 << 20, 'x'));
  RawFile r = record("a.raw");
  EXPECT_EQ(r.status, RawFileStatus::copying_done);
  EXPECT_EQ(r.backup_status, BackupStatus::done);
  EXPECT_EQ(r.backup_base_path, "astral1/2025_11") << "relative to locations.backup";
  EXPECT_TRUE(fs_.files_containing(".tmp").empty());
}

TEST_F(CopyLocal, BrukerNestedAndZeroByteFilesKeepTheirKeys) {
  fs_.add_file("/data/timstof1/s 1_ü.d/a/b/c.bin", "abc", t0);
  fs_.add_file("/data/timstof1/s 1_ü.d/zero", "", t0);
  fs_.add_dir("/data/timstof1/s 1_ü.d/empty");
  checksum("s 1_ü.d", "timstof1");
  ASSERT_TRUE(copy("s 1_ü.d"));
  EXPECT_EQ(fs_.read_all("/backup/timstof1/2025_11/s 1_ü.d/a/b/c.bin"), "abc");
  EXPECT_EQ(fs_.read_all("/backup/timstof1/2025_11/s 1_ü.d/zero"), "");
}

TEST_F(CopyLocal, ReRunSkipsIdenticalCopies) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  ASSERT_TRUE(copy("a.raw"));
  auto events = store_.history("a.raw")->size();
  auto out = copy("a.raw");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["outcome"], "skipped");
  EXPECT_EQ(out->result["skipped"], 1);
  EXPECT_EQ(store_.history("a.raw")->size(), events);  // nothing to record
}

TEST_F(CopyLocal, DifferingDestinationIsRefusedUntouched) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  fs_.add_file(dest_dir + "a.raw", "old");
  auto out = copy("a.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("differs (" + md5_hex("old") + ", record " + md5_hex("abc")));
  EXPECT_EQ(fs_.read_all(dest_dir + "a.raw"), "old");
  EXPECT_TRUE(record("a.raw").error);
}

TEST_F(CopyLocal, OverwriteMovesAsideToTheSmallestFreeBkpNumber) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  fs_.add_file(dest_dir + "a.raw", "old1");
  fs_.add_file(dest_dir + "a.raw.2.bkp", "older");
  ASSERT_TRUE(copy("a.raw", true));
  EXPECT_EQ(fs_.read_all(dest_dir + "a.raw.1.bkp"), "old1");
  EXPECT_EQ(fs_.read_all(dest_dir + "a.raw"), "abc");
  fs_.add_file(dest_dir + "a.raw", "old3");
  ASSERT_TRUE(copy("a.raw", true));
  EXPECT_EQ(fs_.read_all(dest_dir + "a.raw.3.bkp"), "old3");
  EXPECT_EQ(fs_.read_all(dest_dir + "a.raw.2.bkp"), "older");
}

// --overwrite moves the old copy aside only once the new one is written and verified: a full
// disk mid-copy leaves the old copy under its name, and no .bkp.
TEST_F(CopyLocal, OverwriteOnAFullDiskKeepsTheOldCopyUnderItsName) {
  fs_.add_file("/data/astral1/a.raw", "abcdef", t0);
  checksum("a.raw");
  fs_.add_file(dest_dir + "a.raw", "old");
  fs_.set_space_left(2);
  auto out = copy("a.raw", true);
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("no space left"));
  EXPECT_EQ(fs_.read_all(dest_dir + "a.raw"), "old");
  EXPECT_FALSE(fs_.exists(dest_dir + "a.raw.1.bkp"));
  EXPECT_TRUE(fs_.files_containing("rawbackup-tmp").empty());
}

TEST_F(CopyLocal, DestinationThatIsAFolderIsRefusedEvenWithOverwrite) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  fs_.add_dir(dest_dir + "a.raw");
  auto out = copy("a.raw", true);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("not a regular file"));
}

TEST_F(CopyLocal, NeedsAChecksumFirst) {
  auto out = copy("nothing.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("run checksum first"));
}

TEST_F(CopyLocal, SourceChangedSinceChecksumIsAConflictNamingTheWayOut) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  fs_.add_file("/data/astral1/a.raw", "abcd", t0 + 1);
  auto out = copy("a.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict) << "a re-run cannot fix it: not exit 1";
  const std::string& m = out.error().message;
  EXPECT_THAT(m, ::testing::HasSubstr("a.raw size 3 → 4")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("`rawbackup checksum --rehash --instrument astral1 a.raw`")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("--overwrite")) << m;
  RawFile r = record("a.raw");
  EXPECT_EQ(r.status, RawFileStatus::checksummed);
  EXPECT_EQ(r.error, m);
  EXPECT_FALSE(fs_.exists(dest_dir + "a.raw"));

  CopyLocalOptions dry{"a.raw", false, true};
  auto planned = run_copy_local(context(), dry);
  ASSERT_TRUE(planned);
  EXPECT_EQ(planned->result["files"][0]["action"], "refuse (source changed)");
}

TEST_F(CopyLocal, SourceStillBeingWrittenIsNeverAdvisedToOverwrite) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  auto now = now_ns();
  fs_.add_file("/data/astral1/a.raw", "abcd", now);
  auto out = copy("a.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("may still be running")) << out.error().message;
  EXPECT_THAT(out.error().message, ::testing::Not(::testing::HasSubstr("--overwrite"))) << out.error().message;
}

TEST_F(CopyLocal, BrukerFileAddedSinceChecksumIsRefusedEvenWhenTheCopiesAreComplete) {
  fs_.add_file("/data/timstof1/s.d/a", "a", t0);
  checksum("s.d", "timstof1");
  ASSERT_TRUE(copy("s.d"));
  fs_.add_file("/data/timstof1/s.d/late.tdf_bin", "late", t0 + 5);
  auto out = copy("s.d");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("s.d/late.tdf_bin appeared")) << out.error().message;
  fs_.remove("/data/timstof1/s.d/late.tdf_bin");
  fs_.remove("/data/timstof1/s.d/a");
  EXPECT_TRUE(copy("s.d")) << "the set moved away after its backup: the copies are what counts";
}

TEST_F(CopyLocal, SourceDeletedFails) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  fs_.remove("/data/astral1/a.raw");
  auto out = copy("a.raw");
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("source"));
}

TEST_F(CopyLocal, BytesThatDoNotMatchTheRecordAreNotKept) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  fs_.change_content_behind_stat("/data/astral1/a.raw", "abd");  // same size and mtime
  auto out = copy("a.raw");
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("the record says " + md5_hex("abc")));
  EXPECT_FALSE(fs_.exists(dest_dir + "a.raw"));
  EXPECT_TRUE(fs_.files_containing(".tmp").empty());
}

TEST_F(CopyLocal, DiskFullLeavesNoFileAndFails) {
  fs_.add_file("/data/astral1/a.raw", std::string(100'000, 'q'), t0);
  checksum("a.raw");
  fs_.set_space_left(50'000);
  auto out = copy("a.raw");
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("no space left"));
  EXPECT_FALSE(fs_.exists(dest_dir + "a.raw"));
  EXPECT_TRUE(fs_.files_containing(".tmp").empty());
  EXPECT_EQ(record("a.raw").backup_status, BackupStatus::failed);
}

// Files run in parallel, so which ones finish before the failure varies; what must hold:
// whatever sits under a final name is complete, and the re-run copies only the rest.
TEST_F(CopyLocal, FilesVerifiedBeforeAFailureStayAndAreSkippedOnReRun) {
  fs_.add_file("/data/timstof1/s.d/a", std::string(1000, 'a'), t0);
  fs_.add_file("/data/timstof1/s.d/b", std::string(100'000, 'b'), t0);
  fs_.add_file("/data/timstof1/s.d/c", std::string(1000, 'c'), t0);
  checksum("s.d", "timstof1");
  fs_.set_space_left(50'000);
  ASSERT_FALSE(copy("s.d"));
  EXPECT_FALSE(fs_.exists("/backup/timstof1/2025_11/s.d/b"));
  int kept = 0;
  for (std::string name : {"a", "c"}) {
    std::string path = "/backup/timstof1/2025_11/s.d/" + name;
    if (!fs_.exists(path)) continue;
    ++kept;
    EXPECT_EQ(fs_.read_all(path), std::string(1000, name[0]));
  }
  EXPECT_TRUE(fs_.files_containing(".tmp").empty());
  fs_.set_space_left(1'000'000);
  auto out = copy("s.d");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["skipped"], kept);
  EXPECT_EQ(out->result["copied"], 3 - kept);
  EXPECT_EQ(fs_.read_all("/backup/timstof1/2025_11/s.d/b"), std::string(100'000, 'b'));
}

TEST_F(CopyLocal, DryRunChangesNothing) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  auto events = store_.history("a.raw")->size();
  auto out = copy("a.raw", false, true);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["files"][0]["action"], "copy");
  EXPECT_FALSE(fs_.exists(dest_dir + "a.raw"));
  EXPECT_EQ(store_.history("a.raw")->size(), events);
  EXPECT_EQ(record("a.raw").status, RawFileStatus::checksummed);
}

TEST_F(CopyLocal, WithS3BackupsBackupStatusIsLeftToUploadS3) {
  use_s3_backup();
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  ASSERT_TRUE(copy("a.raw"));
  RawFile r = record("a.raw");
  EXPECT_EQ(r.status, RawFileStatus::copying_done);
  EXPECT_EQ(r.backup_status, BackupStatus::pending);
  fs_.remove(dest_dir + "a.raw");
  fs_.remove("/data/astral1/a.raw");
  ASSERT_FALSE(copy("a.raw"));
  EXPECT_EQ(record("a.raw").status, RawFileStatus::error);
  EXPECT_EQ(record("a.raw").backup_status, BackupStatus::pending);
}

TEST_F(CopyLocal, SecondRunnerOnTheSameIdIsBusy) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  checksum("a.raw");
  auto elsewhere = open_store(config_.store_url, Actor{"copy-local", "elsewhere", 1}, StoreOptions{});
  ASSERT_TRUE(elsewhere);
  auto held = (*elsewhere)->lock("a.raw", LockOptions{});
  ASSERT_TRUE(held);
  Context ctx = context();
  ctx.lock_options.wait = std::chrono::milliseconds(50);
  auto out = run_copy_local(ctx, CopyLocalOptions{"a.raw", false, false});
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("busy: a.raw is held by copy-local on elsewhere pid 1"));
  EXPECT_EQ(out.error().kind, ErrorKind::failed);
}

}  // namespace
}  // namespace rawbackup
