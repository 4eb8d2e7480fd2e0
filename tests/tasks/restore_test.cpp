// restore: a set back from S3 or the local backup, nothing written that differs from the record.
#include <gmock/gmock.h>

#include "backups_fixture.h"

namespace rawbackup {
namespace {

TEST_F(VerifyRestore, RestoreRefetchesOnlyThePartThatArrivedCorrupted) {
  backed_up(big);
  s3_.corrupt_next_get((5 << 20) + 1);
  auto out = restore(BackupPlace::s3);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(fs_.read_all("/restore/" + id), big);
  auto ranges = s3_.get_ranges();
  ASSERT_EQ(ranges.size(), 3U);
  EXPECT_EQ(ranges[2], "5242880+1048580");
}

TEST_F(VerifyRestore, RestoreFromS3WritesVerifiedFilesAndSkipsOnReRun) {
  backed_up(big);
  auto out = restore(std::nullopt);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->result["from"], "s3");
  EXPECT_EQ(fs_.read_all("/restore/" + id), big);
  EXPECT_TRUE(fs_.files_containing("rawbackup-tmp").empty());
  auto again = restore(std::nullopt);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->result["outcome"], "skipped");
}

TEST_F(VerifyRestore, RestoreNeverWritesWhatDoesNotMatchTheRecord) {
  backed_up(big);
  std::string other = big;
  other[3] = 'Q';
  s3_.set_object("b-prid7", id, other, record(id).file_info.begin()->second.etag);
  auto out = restore(BackupPlace::s3);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::mismatch);
  EXPECT_THAT(out.error().message,
              ::testing::HasSubstr("s3://b-prid7/a_PRID7_x.raw: part 1 (bytes 0–5242879) differs from the record"))
      << out.error().message;
  EXPECT_FALSE(fs_.exists("/restore/" + id));
  EXPECT_TRUE(fs_.files_containing("rawbackup-tmp").empty());
}

TEST_F(VerifyRestore, RestoreRefusesADifferingFile) {
  backed_up("small");
  fs_.add_file("/restore/" + id, "other", t0);
  auto out = restore(BackupPlace::s3);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::conflict);
  EXPECT_EQ(fs_.read_all("/restore/" + id), "other");
}

// Objects gone, shorter (an empty one too) or longer than recorded are verification failures
// found before anything is fetched or written (exit 4), as verify reports them; S3's 416 and
// 404 on the GET no longer decide (issue 21.3).
TEST_F(VerifyRestore, RestoreChecksEachObjectsSizeFirst) {
  backed_up(big);
  struct Case {
    std::optional<std::string> object;
    std::string says;
  };
  for (const Case& c : {Case{big.substr(0, 100), "s3://b-prid7/a_PRID7_x.raw is shorter than recorded (100 bytes"},
                        Case{"", "s3://b-prid7/a_PRID7_x.raw is shorter than recorded (0 bytes"},
                        Case{big + "more", "s3://b-prid7/a_PRID7_x.raw is longer than recorded"},
                        Case{std::nullopt, "s3://b-prid7/a_PRID7_x.raw is missing"}}) {
    if (c.object) {
      s3_.set_object("b-prid7", id, *c.object);
    } else {
      ASSERT_TRUE(s3_.delete_object("b-prid7", id));
    }
    int gets = s3_.calls("get_object");
    auto out = restore(BackupPlace::s3);
    ASSERT_FALSE(out) << c.says;
    EXPECT_EQ(out.error().kind, ErrorKind::mismatch) << out.error().message;
    EXPECT_THAT(out.error().message, ::testing::HasSubstr(c.says));
    EXPECT_EQ(s3_.calls("get_object"), gets) << "nothing fetched";
    EXPECT_FALSE(fs_.exists("/restore/" + id));
  }
}

// Many small files are fetched side by side, s3.concurrency GETs at once, not one by one
// (issue 21.7); each is still verified before it is named, and no temporary file is left.
TEST_F(VerifyRestore, RestoreFetchesManySmallFilesSideBySide) {
  set_uploaded("r_PRID7_x.d", 24);
  s3_.set_get_latency(std::chrono::milliseconds(20));
  auto out = run_restore(s3_context(), RestoreOptions{"r_PRID7_x.d", BackupPlace::s3, "/restore", false});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->result["restored"], 25);
  EXPECT_GT(s3_.most_gets_at_once(), 1);
  EXPECT_LE(s3_.most_gets_at_once(), static_cast<int>(config_.s3->concurrency));
  for (int i = 0; i < 24; ++i) {
    EXPECT_EQ(fs_.read_all("/restore/r_PRID7_x.d/f" + std::to_string(i)), "file " + std::to_string(i));
  }
  EXPECT_TRUE(fs_.files_containing("rawbackup-tmp").empty());
}

// One object of many with other bytes: the restore stops with that file named, and what was
// not verified is never named (nor left as a temporary file).
TEST_F(VerifyRestore, RestoreOfManyStopsAtAnObjectThatDiffers) {
  set_uploaded("r_PRID7_x.d", 24);
  s3_.set_object("b-prid7", "r_PRID7_x.d/f7", "file X", md5_etag_of("file 7"));
  auto out = run_restore(s3_context(), RestoreOptions{"r_PRID7_x.d", BackupPlace::s3, "/restore", false});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::mismatch);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("s3://b-prid7/r_PRID7_x.d/f7: "));
  EXPECT_FALSE(fs_.exists("/restore/r_PRID7_x.d/f7"));
  EXPECT_TRUE(fs_.files_containing("rawbackup-tmp").empty());
}

TEST_F(VerifyRestore, RestoreFromTheLocalBackup) {
  backed_up("small");
  auto dry = restore(BackupPlace::local, true);
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->result["files"][0]["action"], "restore");
  EXPECT_FALSE(fs_.exists("/restore/" + id));
  auto out = restore(BackupPlace::local);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(fs_.read_all("/restore/" + id), "small");
  EXPECT_EQ(s3_.calls("get_object"), 0);
}

// A dry run answers with the exit code the real run would give: a script can ask first.
TEST_F(VerifyRestore, DryRunOfARefusedRestoreExitsAsTheRunWould) {
  backed_up("small");
  fs_.add_file("/restore/" + id, "other", t0);
  auto dry = restore(BackupPlace::local, true);
  ASSERT_TRUE(dry);
  EXPECT_EQ(dry->result["files"][0]["action"], "refuse");
  EXPECT_EQ(dry->exit_code, exit_codes::conflict);
  auto out = restore(BackupPlace::local);
  ASSERT_FALSE(out);
  EXPECT_EQ(exit_code_for(out.error().kind), exit_codes::conflict);
  EXPECT_EQ(fs_.read_all("/restore/" + id), "other");
}

}  // namespace
}  // namespace rawbackup
