// purge --target backup: the local backup goes only once S3 passes a deep verify in the same
// run; each rule refuses on its own; .N.bkp copies go after their own minimum age; the record
// says so first, and every task then treats S3 as the set's only backup.
#include <gmock/gmock.h>

#include "backups_fixture.h"
#include "model/placement.h"
#include "tasks/purge.h"

namespace rawbackup {
namespace {

using ::testing::HasSubstr;

class PurgeBackupTest : public VerifyRestore {
 protected:
  const std::string instrument_file = "/data/astral1/" + id;
  const std::string bruker_id = "b_PRID7_y.d";
  const std::string bruker_backup = "/backup/timstof1/2025_11/" + bruker_id;

  Result<TaskOutput> purge(PurgeOptions options = {}) {
    options.id = options.id.empty() ? id : options.id;
    options.target = "backup";
    return run_purge(s3_context(), options);
  }
  TaskOutput purged(PurgeOptions options = {}) {
    auto out = purge(options);
    EXPECT_TRUE(out) << out.error().message;
    return out ? *out : TaskOutput{};
  }
  PurgeOptions bruker(PurgeOptions options = {}) {
    options.id = bruker_id;
    return options;
  }
  // A Bruker set of three files in two folders, backed up locally and in S3.
  void bruker_backed_up() {
    fs_.add_file("/data/timstof1/" + bruker_id + "/analysis.tdf", "tdf", t0);
    fs_.add_file("/data/timstof1/" + bruker_id + "/analysis.tdf_bin", std::string(1000, 'x'), t0);
    fs_.add_file("/data/timstof1/" + bruker_id + "/sub/method.m", "m", t0);
    ChecksumOptions checksum;
    checksum.instrument = "timstof1";
    checksum.name = bruker_id;
    ASSERT_TRUE(run_checksum(context(), checksum));
    ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{bruker_id, false, false}));
    (void)s3_.create_bucket("b-prid7");
    ASSERT_TRUE(run_upload_s3(s3_context(), UploadS3Options{bruker_id, false, 0, 0}));
  }
  size_t events(const std::string& of) { return store_.history(of)->size(); }
};

TEST_F(PurgeBackupTest, ReadsTheS3BackupBackThenDeletesTheLocalBackupAndRecordsItFirst) {
  backed_up(big);
  int gets = s3_.calls("get_object");
  TaskOutput out = purged();
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.outcome, "purged");
  EXPECT_GT(s3_.calls("get_object"), gets) << "the S3 backup is read back, not only its ETags";
  EXPECT_FALSE(fs_.exists(local_copy));
  EXPECT_TRUE(fs_.exists(instrument_file)) << "only the backup folder is touched";
  RawFile r = record(id);
  ASSERT_TRUE(r.backup_purged_at);
  EXPECT_EQ(r.last_verified_at, r.backup_purged_at);
  EXPECT_FALSE(has_local_backup(r));
  EXPECT_EQ(r.backup_status, BackupStatus::done);
  auto history = *store_.history(id);
  EXPECT_EQ(history[history.size() - 2].field, "backup_purged_at");
  EXPECT_THAT(history[history.size() - 2].message, HasSubstr("purging the local backup"));
  EXPECT_THAT(history.back().message, HasSubstr("local backup purged: 1 file(s), 6.0 MiB freed from /backup"));
  EXPECT_EQ(out.result["target"], "backup");
  EXPECT_THAT(out.text, HasSubstr("purge --target backup a_PRID7_x.raw: purged: 1 file(s)"));

  size_t before = events(id);
  TaskOutput again = purged();
  EXPECT_EQ(again.outcome, "unchanged");
  EXPECT_EQ(events(id), before);
}

TEST_F(PurgeBackupTest, AfterwardsS3IsTheOnlyBackupForEveryTask) {
  backed_up(big);
  ASSERT_EQ(purged().outcome, "purged");
  TaskOutput verified = verify();
  EXPECT_EQ(verified.exit_code, 0) << verified.text;
  EXPECT_THAT(verified.text, HasSubstr("ok (s3;"));
  TaskOutput local = verify(true);
  EXPECT_EQ(local.exit_code, exit_codes::mismatch);
  EXPECT_THAT(local.text, HasSubstr("the local backup was purged at"));
  EXPECT_EQ(record(id).backup_status, BackupStatus::done) << "asked for a backup retention removed: no finding";

  auto copy = run_copy_local(context(), CopyLocalOptions{id, false, false});
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->outcome, "skipped");
  EXPECT_THAT(copy->text, HasSubstr("local backup was purged at"));
  EXPECT_FALSE(fs_.exists(local_copy));

  auto from_local = restore(BackupPlace::local);
  ASSERT_FALSE(from_local);
  EXPECT_THAT(from_local.error().message, HasSubstr("purged at"));
  EXPECT_THAT(from_local.error().message, HasSubstr("--from s3"));
  ASSERT_TRUE(restore(std::nullopt));
  EXPECT_EQ(fs_.read_all("/restore/" + id), big);

  // The instrument copy then goes on S3 alone, read back whole.
  int gets = s3_.calls("get_object");
  PurgeOptions instrument;
  instrument.id = id;
  TaskOutput freed = *run_purge(s3_context(), instrument);
  EXPECT_EQ(freed.outcome, "purged") << freed.text;
  EXPECT_GT(s3_.calls("get_object"), gets);
  EXPECT_FALSE(fs_.exists(instrument_file));
}

TEST_F(PurgeBackupTest, TooYoungIsKeptWithTheSkipCodeWithoutReadingS3) {
  backed_up(big);
  int gets = s3_.calls("get_object");
  PurgeOptions options;
  options.min_age_days = 100000;
  options.skip_exit_code = 99;
  TaskOutput out = purged(options);
  EXPECT_EQ(out.outcome, "kept");
  EXPECT_EQ(out.exit_code, 99);
  EXPECT_THAT(out.result["reason"].get<std::string>(), HasSubstr("purge.backup_min_age_days"));
  EXPECT_EQ(s3_.calls("get_object"), gets);
  EXPECT_TRUE(fs_.exists(local_copy));
  config_.backup_min_age_days = 36500;
  EXPECT_EQ(purged().outcome, "kept");
}

TEST_F(PurgeBackupTest, WithoutAFinishedUploadTheLocalBackupStays) {
  fs_.add_file(instrument_file, big, t0);
  ChecksumOptions checksum;
  checksum.instrument = "astral1";
  checksum.name = id;
  ASSERT_TRUE(run_checksum(context(), checksum));
  ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{id, false, false}));
  TaskOutput out = purged();
  EXPECT_EQ(out.outcome, "refused");
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_THAT(out.text, HasSubstr("no finished S3 backup recorded (backup_status pending)"));
  EXPECT_TRUE(fs_.exists(local_copy));
  EXPECT_FALSE(record(id).backup_purged_at);
}

TEST_F(PurgeBackupTest, AnS3ObjectWhoseBytesDifferBehindItsETagIsRefusedAndNeedsAPerson) {
  backed_up(big);
  std::string etag = record(id).file_info.at(id).etag;
  std::string damaged = big;
  damaged[100] = 'X';
  s3_.set_object("b-prid7", id, damaged, etag);  // an ETag check alone would pass
  TaskOutput out = purged();
  EXPECT_EQ(out.outcome, "refused");
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_THAT(out.text, HasSubstr("verify failed: s3"));
  EXPECT_TRUE(fs_.exists(local_copy));
  RawFile r = record(id);
  EXPECT_FALSE(r.backup_purged_at);
  EXPECT_EQ(r.backup_status, BackupStatus::attention);
  EXPECT_THAT(store_.history(id)->back().message, HasSubstr("local backup purge refused"));
}

TEST_F(PurgeBackupTest, AFileInTheBackupFolderTheRecordDoesNotListIsRefused) {
  bruker_backed_up();
  fs_.add_file(bruker_backup + "/sub/new.m", "new", t0);
  TaskOutput out = purged(bruker());
  EXPECT_EQ(out.outcome, "refused");
  EXPECT_EQ(out.exit_code, exit_codes::conflict);
  EXPECT_THAT(out.text, HasSubstr(bruker_id + "/sub/new.m: not a file of the record"));
  EXPECT_TRUE(fs_.exists(bruker_backup + "/analysis.tdf"));
}

TEST_F(PurgeBackupTest, AsideCopiesGoAfterTheirOwnMinimumAge) {
  bruker_backed_up();
  const std::string old_aside = bruker_backup + "/analysis.tdf.1.bkp";
  const std::string new_aside = bruker_backup + "/sub/method.m.1.bkp";
  fs_.add_file(old_aside, "older tdf", t0);  // moved aside long ago (its ctime)
  fs_.add_file(bruker_backup + "/sub/tmp", "y", t0);
  ASSERT_TRUE(fs_.rename_no_replace(bruker_backup + "/sub/tmp", new_aside));  // moved aside now
  PurgeOptions young = bruker();
  young.min_age_days = 100000;
  TaskOutput kept = purged(young);
  EXPECT_EQ(kept.outcome, "kept");
  EXPECT_FALSE(fs_.exists(old_aside));
  EXPECT_TRUE(fs_.exists(new_aside));
  EXPECT_THAT(kept.text, HasSubstr("deleted 1 .bkp cop(ies) past their minimum age"));
  EXPECT_THAT(kept.text, HasSubstr("kept 1 .bkp cop(ies) younger than their minimum age"));
  EXPECT_TRUE(fs_.exists(bruker_backup + "/analysis.tdf"));

  TaskOutput out = purged(bruker());
  EXPECT_EQ(out.outcome, "purged");
  EXPECT_EQ(out.result["deleted"]["files"], 3);
  EXPECT_TRUE(fs_.exists(new_aside)) << "young: it stays, and so does its folder";

  PurgeOptions aged = bruker();
  aged.aside_min_age_days = 0;
  TaskOutput later = purged(aged);
  EXPECT_EQ(later.outcome, "purged");
  EXPECT_FALSE(fs_.exists(new_aside));
  EXPECT_FALSE(fs_.exists(bruker_backup)) << "the emptied folders go with the last copy";
  EXPECT_EQ(purged(aged).outcome, "unchanged");
}

TEST_F(PurgeBackupTest, AStopMidwayIsFinishedByTheRerunWithoutProvingAgain) {
  bruker_backed_up();
  int removals = 0;
  fs_.on_remove([&](const std::string&) -> Status {
    if (++removals == 2) return fail(ErrorKind::interrupted, "interrupted");
    return {};
  });
  auto stopped = purge(bruker());
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().kind, ErrorKind::interrupted);
  EXPECT_TRUE(record(bruker_id).backup_purged_at) << "recorded before the first unlink";
  EXPECT_THAT(store_.history(bruker_id)->back().message, HasSubstr("stopped after deleting 1 of 3 file(s)"));
  fs_.on_remove({});
  int gets = s3_.calls("get_object");
  TaskOutput out = purged(bruker());
  EXPECT_EQ(out.outcome, "purged");
  EXPECT_EQ(out.result["deleted"]["files"], 2);
  EXPECT_EQ(out.result["already_gone"].size(), 1U);
  EXPECT_EQ(s3_.calls("get_object"), gets);
  EXPECT_FALSE(fs_.exists(bruker_backup));
  EXPECT_THAT(store_.history(bruker_id)->back().message, HasSubstr("local backup purge finished"));
}

TEST_F(PurgeBackupTest, DryRunMakesEveryCheckAndChangesNothing) {
  bruker_backed_up();
  fs_.add_file(bruker_backup + "/analysis.tdf.1.bkp", "older", t0);
  size_t before = events(bruker_id);
  PurgeOptions options = bruker();
  options.dry_run = true;
  options.verbose = true;
  TaskOutput out = purged(options);
  EXPECT_EQ(out.outcome, "dry-run");
  EXPECT_THAT(out.text, HasSubstr("would delete 3 file(s)"));
  EXPECT_THAT(out.text, HasSubstr("would delete 1 .bkp cop(ies)"));
  EXPECT_THAT(out.text, HasSubstr("s3 backup ok (verified now (deep"));
  EXPECT_TRUE(fs_.exists(bruker_backup + "/analysis.tdf.1.bkp"));
  EXPECT_TRUE(fs_.exists(bruker_backup + "/analysis.tdf"));
  EXPECT_EQ(events(bruker_id), before);
}

TEST_F(PurgeBackupTest, NeedsBackupTypeS3AndTakesNoRequire) {
  backed_up(big);
  config_.backup_type = BackupType::local;
  auto local = purge();
  ASSERT_FALSE(local);
  EXPECT_EQ(local.error().kind, ErrorKind::usage);
  EXPECT_THAT(local.error().message, HasSubstr("backup_type: s3"));
  config_.backup_type = BackupType::s3;
  PurgeOptions require;
  require.require = "local";
  EXPECT_EQ(purge(require).error().kind, ErrorKind::usage);
  EXPECT_TRUE(fs_.exists(local_copy));
}

}  // namespace
}  // namespace rawbackup
