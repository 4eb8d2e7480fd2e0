#include "tasks/checksum.h"

#include <gmock/gmock.h>

#include "integrity/md5.h"
#include "task_fixture.h"

namespace rawbackup {
namespace {

class Checksum : public TaskFixture {
 protected:
  Result<TaskOutput> run(const std::string& name, bool overwrite = false, bool rehash = false,
                         const std::string& instrument = "astral1") {
    ChecksumOptions options;
    options.instrument = instrument;
    options.name = name;
    options.overwrite = overwrite;
    options.rehash = rehash;
    return run_checksum(context(), options);
  }
  static constexpr int64_t t0 = 1'763'000'000'000'000'000;
};

TEST_F(Checksum, FirstRunRecordsEveryFile) {
  fs_.add_file("/data/astral1/x_PRID7_a.raw", std::string(6 * mebibyte, 'a'), t0);
  auto out = run("x_PRID7_a.raw");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->result["outcome"], "done");
  EXPECT_EQ(out->result["files"], 1);
  EXPECT_EQ(out->result["bytes"], 6 * mebibyte);
  EXPECT_EQ(out->result["task"], "checksum");
  RawFile r = record("x_PRID7_a.raw");
  EXPECT_EQ(r.status, RawFileStatus::checksummed);
  EXPECT_EQ(r.backup_status, BackupStatus::pending);
  EXPECT_EQ(r.project_id, "PRID7");
  EXPECT_EQ(r.vendor, Vendor::thermo);
  EXPECT_EQ(r.created_at, "2025-11-13T02:13:20.000Z");
  const FileEntry& e = r.file_info.at("x_PRID7_a.raw");
  EXPECT_EQ(e.md5, md5_hex(std::string(6 * mebibyte, 'a')));
  EXPECT_EQ(e.etag.substr(e.etag.size() - 2), "-2");
  EXPECT_EQ(e.part_size, 5 * mebibyte);
}

TEST_F(Checksum, ReRunWithUnchangedStatDoesNoHashing) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  ASSERT_TRUE(run("a.raw"));
  int reads = fs_.reads();
  auto out = run("a.raw");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["outcome"], "unchanged");
  EXPECT_EQ(fs_.reads(), reads);
  EXPECT_EQ(record("a.raw").project_id, "_FALLBACK");
}

TEST_F(Checksum, RehashOfSameContentKeepsStatus) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  ASSERT_TRUE(run("a.raw"));
  RecordChange copied;
  copied.status = RawFileStatus::copying_done;
  ASSERT_TRUE(store_.update("a.raw", copied));
  auto out = run("a.raw", false, true);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["outcome"], "done");
  EXPECT_EQ(record("a.raw").status, RawFileStatus::copying_done);
}

TEST_F(Checksum, TouchedButIdenticalFileIsReHashedAndAccepted) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  ASSERT_TRUE(run("a.raw"));
  fs_.add_file("/data/astral1/a.raw", "abc", t0 + 5);
  ASSERT_TRUE(run("a.raw"));
  EXPECT_EQ(record("a.raw").file_info.at("a.raw").mtime_ns, t0 + 5);
}

TEST_F(Checksum, ChangedContentIsAConflictUnlessOverwrite) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  ASSERT_TRUE(run("a.raw"));
  std::string old_md5 = record("a.raw").file_info.at("a.raw").md5;
  fs_.add_file("/data/astral1/a.raw", "abd", t0 + 1);
  auto out = run("a.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("a.raw (md5 " + old_md5));
  RawFile r = record("a.raw");
  EXPECT_EQ(r.file_info.at("a.raw").md5, old_md5);
  ASSERT_TRUE(r.error);

  RecordChange done;
  done.backup_status = BackupStatus::done;
  ASSERT_TRUE(store_.update("a.raw", done));
  ASSERT_TRUE(run("a.raw", true));
  r = record("a.raw");
  EXPECT_EQ(r.file_info.at("a.raw").md5, md5_hex("abd"));
  EXPECT_EQ(r.backup_status, BackupStatus::pending);
  EXPECT_FALSE(r.error);
}

TEST_F(Checksum, AddedOrRemovedFilesInAFolderAreDifferences) {
  fs_.add_file("/data/timstof1/s.d/a", "a", t0);
  ASSERT_TRUE(run("s.d", false, false, "timstof1"));
  fs_.add_file("/data/timstof1/s.d/b", "b", t0);
  auto out = run("s.d", false, false, "timstof1");
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("s.d/b (new)"));
  fs_.remove("/data/timstof1/s.d/a");
  fs_.remove("/data/timstof1/s.d/b");
  fs_.add_file("/data/timstof1/s.d/c", "c", t0);
  out = run("s.d", false, false, "timstof1");
  ASSERT_FALSE(out);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("s.d/a (missing)"));
}

// The vendor's required members (the fixture's timstof1 has none): not ready, nothing recorded.
TEST_F(Checksum, AnIncompleteSetIsNotReadyAndNotRecorded) {
  config_.instruments["timstof1"].required_members.reset();
  fs_.add_file("/data/timstof1/s.d/analysis.tdf", "a", t0);
  auto out = run("s.d", false, false, "timstof1");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::not_ready);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("s.d/analysis.tdf_bin is missing"));
  EXPECT_FALSE(*store_.get("s.d"));
  fs_.add_file("/data/timstof1/s.d/analysis.tdf_bin", "b", t0);
  EXPECT_TRUE(run("s.d", false, false, "timstof1"));
}

TEST_F(Checksum, BadInputWritesNothing) {
  fs_.add_dir("/data/astral1");
  auto out = run("missing.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_EQ(*store_.count({}), 0u);
  EXPECT_THROW((void)run("a.raw", false, false, "nope"), UsageError);
}

TEST_F(Checksum, FileChangingWhileReadIsNotReadyAndMarksANewRecord) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  fs_.change_content_behind_stat("/data/astral1/a.raw", "abcdef");  // grows after the stat
  auto out = run("a.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::not_ready);
  EXPECT_EQ(exit_code_for(out.error().kind), exit_codes::failed);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("a.raw changed while it was read"));
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("retry after"));
  EXPECT_THAT(out.error().message, ::testing::Not(::testing::HasSubstr("/data/astral1")))
      << "the path once, as its key";
  RawFile r = record("a.raw");
  EXPECT_EQ(r.status, RawFileStatus::error);
  EXPECT_TRUE(r.error);
}

TEST_F(Checksum, FileModifiedWithinTheSettleTimeIsNotReadyAndNothingIsRecorded) {
  auto now = now_ns();
  fs_.add_file("/data/astral1/a.raw", "abc", now - 5'000'000'000);  // 5 s ago
  auto out = run("a.raw");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::not_ready);
  const std::string& m = out.error().message;
  EXPECT_THAT(m, ::testing::HasSubstr("a.raw was modified 5.")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("settle time of 120 s")) << m;
  EXPECT_THAT(m, ::testing::HasSubstr("retry after")) << m;
  EXPECT_THAT(m, ::testing::Not(::testing::HasSubstr("\n")));
  EXPECT_EQ(*store_.count({}), 0u);

  ChecksumOptions off;
  off.instrument = "astral1";
  off.name = "a.raw";
  off.settle_seconds = 0;
  ASSERT_TRUE(run_checksum(context(), off));
  off.settle_seconds = 2;
  EXPECT_TRUE(run_checksum(context(), off)) << "5 s old: settled for a 2 s rule";
}

TEST_F(Checksum, GrowingFileOfARecordIsNotReadyNeverAConflictToOverwrite) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  ASSERT_TRUE(run("a.raw"));
  auto now = now_ns();
  fs_.add_file("/data/astral1/a.raw", "abcdef", now);  // the instrument writes on
  auto out = run("a.raw", false, true);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::not_ready);
  EXPECT_THAT(out.error().message, ::testing::Not(::testing::HasSubstr("--overwrite")));
  EXPECT_EQ(record("a.raw").file_info.at("a.raw").size, 3u) << "the record is left as it was";
  EXPECT_FALSE(record("a.raw").error);
}

// One record per name across the facility: the same name on another instrument is refused.
TEST_F(Checksum, TheSameNameOnAnotherInstrumentIsRefused) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  ASSERT_TRUE(run("a.raw", false, false));
  config_.instruments["astral2"] = config_.instruments.at("astral1");
  config_.instruments["astral2"].id = "astral2";
  config_.instruments["astral2"].path = "/data/astral2";
  fs_.add_file("/data/astral2/a.raw", "xyz", t0);
  auto out = run("a.raw", false, false, "astral2");
  ASSERT_FALSE(out);
  EXPECT_EQ(exit_code_for(out.error().kind), exit_codes::conflict);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("belongs to instrument astral1, not astral2: raw-file names are "
                                                        "unique across the facility"));
}

TEST_F(Checksum, DryRunSaysNotReady) {
  auto now = now_ns();
  fs_.add_file("/data/astral1/a.raw", "abc", now);
  ChecksumOptions options;
  options.instrument = "astral1";
  options.name = "a.raw";
  options.dry_run = true;
  auto out = run_checksum(context(), options);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["would_hash"], false);
  EXPECT_THAT(out->text, ::testing::HasSubstr("not ready: a.raw was modified")) << out->text;
  EXPECT_EQ(out->exit_code, exit_codes::failed) << "the real run's exit code (1: not ready)";
}

TEST_F(Checksum, BrukerFileAppearingWhileTheSetIsReadIsNotReady) {
  fs_.add_file("/data/timstof1/s.d/a", "a", t0);
  fs_.add_file("/data/timstof1/s.d/b", "b", t0);
  fs_.on_open([&](const std::string& path) {
    if (path.ends_with("s.d/a")) fs_.add_file("/data/timstof1/s.d/c.tdf_bin", "c", t0);
  });
  auto out = run("s.d", false, false, "timstof1");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::not_ready);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("s.d/c.tdf_bin appeared")) << out.error().message;
  EXPECT_EQ(record("s.d").status, RawFileStatus::error) << "a first checksum: nothing recorded as done";
  EXPECT_TRUE(record("s.d").file_info.empty());
}

TEST_F(Checksum, RecordOfAnotherInstrumentIsAConflict) {
  fs_.add_file("/data/astral1/a.raw", "abc", t0);
  ASSERT_TRUE(run("a.raw"));
  config_.instruments["astral2"] = InstrumentConfig{"astral2", Vendor::thermo, "/data/astral1"};
  auto out = run("a.raw", false, false, "astral2");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
}

}  // namespace
}  // namespace rawbackup

namespace rawbackup {
namespace {

// S3 keys have at most 1,024 bytes; a set with a longer one is refused before anything is
// hashed or recorded, instead of failing (or being cut) at upload (issue 21.8).
TEST_F(Checksum, AnS3KeyOverTheLimitIsRefusedUpFront) {
  std::string deep = "/data/timstof1/k_PRID7.d";
  for (int i = 0; i < 5; ++i) deep += "/" + std::string(200, char('a' + i));
  fs_.add_file(deep + "/f_with_a_longer_name.bin", "x", t0);
  fs_.add_file("/data/timstof1/k_PRID7.d/short.bin", "y", t0);
  auto out = run("k_PRID7.d", false, false, "timstof1");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("its S3 key would be 1056 bytes; S3 allows 1024"))
      << "1,039 + the fallback prefix timstof1/2025_11/";
  EXPECT_FALSE(*store_.get("k_PRID7.d"));
  EXPECT_EQ(fs_.reads(), 0);
}

}  // namespace
}  // namespace rawbackup
