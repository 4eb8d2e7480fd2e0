// purge: each rule refuses on its own (nothing deleted, one reason, its exit code); a clean
// purge deletes the listed files and the emptied folders, records purged_at, and is finished
// by a re-run after a stop.
#include "tasks/purge.h"

#include <gmock/gmock.h>

#include "backups_fixture.h"

namespace rawbackup {
namespace {

using ::testing::HasSubstr;

class PurgeTest : public VerifyRestore {
 protected:
  const std::string instrument_file = "/data/astral1/" + id;
  const std::string bruker_id = "b_PRID7_y.d";
  const std::string bruker_dir = "/data/timstof1/" + bruker_id;

  Result<TaskOutput> purge(PurgeOptions options = {}) {
    options.id = options.id.empty() ? id : options.id;
    return run_purge(s3_context(), options);
  }
  TaskOutput purged(PurgeOptions options = {}) {
    auto out = purge(options);
    EXPECT_TRUE(out) << out.error().message;
    return out ? *out : TaskOutput{};
  }
  // A Bruker set of three files in two folders, backed up locally and in S3.
  void bruker_backed_up() {
    fs_.add_file(bruker_dir + "/analysis.tdf", "tdf", t0);
    fs_.add_file(bruker_dir + "/analysis.tdf_bin", std::string(1000, 'x'), t0);
    fs_.add_file(bruker_dir + "/sub/method.m", "m", t0);
    ChecksumOptions checksum;
    checksum.instrument = "timstof1";
    checksum.name = bruker_id;
    ASSERT_TRUE(run_checksum(context(), checksum));
    ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{bruker_id, false, false}));
    (void)s3_.create_bucket("b-prid7");
    ASSERT_TRUE(run_upload_s3(s3_context(), UploadS3Options{bruker_id, false, 0, 0}));
  }
  size_t events() { return store_.history(id)->size(); }
};

TEST_F(PurgeTest, CleanPurgeVerifiesBothBackupsDeletesTheFileAndRecordsIt) {
  backed_up(big);
  TaskOutput out = purged();
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_EQ(out.outcome, "purged");
  EXPECT_FALSE(fs_.exists(instrument_file));
  EXPECT_TRUE(fs_.exists(local_copy));
  RawFile r = record(id);
  ASSERT_TRUE(r.purged_at);
  EXPECT_EQ(r.last_verified_at, r.purged_at);
  EXPECT_THAT(store_.history(id)->back().message,
              HasSubstr("purged: 1 file(s), 6.0 MiB freed from /data/astral1; backups verified: local, s3"));
  EXPECT_EQ(out.result["deleted"]["files"], 1);
  EXPECT_EQ(out.result["checks"].size(), 5U);  // backed up, age, instrument copy, local, s3

  size_t before = events();
  TaskOutput again = purged();
  EXPECT_EQ(again.outcome, "unchanged");
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_EQ(events(), before);
}

TEST_F(PurgeTest, TooYoungIsKeptWithTheSkipCodeAndNothingRecorded) {
  backed_up(big);
  size_t before = events();
  int heads = s3_.calls("head_object");
  PurgeOptions options;
  options.min_age_days = 100000;
  options.skip_exit_code = 99;
  TaskOutput out = purged(options);
  EXPECT_EQ(out.outcome, "kept");
  EXPECT_EQ(out.exit_code, 99);
  EXPECT_THAT(out.result["reason"].get<std::string>(), HasSubstr("too young: acquired"));
  EXPECT_TRUE(fs_.exists(instrument_file));
  EXPECT_EQ(events(), before);
  EXPECT_EQ(s3_.calls("head_object"), heads);  // a real run stops at the first rule that fails
}

TEST_F(PurgeTest, TheConfigsMinimumAgeApplies) {
  backed_up(big);
  config_.purge_min_age_days = 36500;
  EXPECT_EQ(purged().outcome, "kept");
  EXPECT_TRUE(fs_.exists(instrument_file));
}

TEST_F(PurgeTest, NotBackedUpIsRefused) {
  fs_.add_file(instrument_file, "abc", t0);
  ChecksumOptions checksum;
  checksum.instrument = "astral1";
  checksum.name = id;
  ASSERT_TRUE(run_checksum(context(), checksum));
  TaskOutput out = purged();
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_EQ(out.outcome, "refused");
  EXPECT_THAT(out.result["reason"].get<std::string>(), HasSubstr("backup_status is pending"));
  EXPECT_TRUE(fs_.exists(instrument_file));
}

TEST_F(PurgeTest, AMissingLocalBackupIsRefusedAndRecordedAsAFailedVerify) {
  backed_up(big);
  fs_.remove(local_copy);
  TaskOutput out = purged();
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_THAT(out.text, HasSubstr("refused: verify failed: local"));
  EXPECT_TRUE(fs_.exists(instrument_file));
  EXPECT_THAT(*record(id).error, HasSubstr("verify failed: local a_PRID7_x.raw"));
  EXPECT_FALSE(record(id).purged_at);
}

TEST_F(PurgeTest, AReplacedS3ObjectIsRefused) {
  backed_up(big);
  s3_.set_object("b-prid7", id, big + "more");
  TaskOutput out = purged();
  EXPECT_EQ(out.exit_code, exit_codes::mismatch);
  EXPECT_TRUE(fs_.exists(instrument_file));
  // --require local checks only the local copy: then it goes.
  PurgeOptions local;
  local.require = "local";
  EXPECT_EQ(purged(local).outcome, "purged");
}

TEST_F(PurgeTest, AChangedInstrumentFileIsAStaleRecord) {
  backed_up(big);
  fs_.add_file(instrument_file, big, t0 + 1);  // touched
  TaskOutput out = purged();
  EXPECT_EQ(out.exit_code, exit_codes::conflict);
  EXPECT_THAT(out.text, HasSubstr("differs a_PRID7_x.raw: modified since checksum"));
  EXPECT_THAT(out.result["reason"].get<std::string>(), HasSubstr("checksum --rehash --instrument astral1"));
  EXPECT_TRUE(fs_.exists(instrument_file));
  EXPECT_THAT(store_.history(id)->back().message, HasSubstr("purge refused: 1 file(s) differ"));
}

TEST_F(PurgeTest, DeepRereadsTheInstrumentCopy) {
  backed_up(big);
  std::string other = big;
  other[3] = 'Q';
  fs_.change_content_behind_stat(instrument_file, other);  // same size and mtime
  PurgeOptions shallow;
  shallow.dry_run = true;
  EXPECT_EQ(purged(shallow).exit_code, 0);  // size and mtime cannot tell
  PurgeOptions deep;
  deep.deep = true;
  TaskOutput out = purged(deep);
  EXPECT_EQ(out.exit_code, exit_codes::conflict);
  EXPECT_THAT(out.result["reason"].get<std::string>(),
              HasSubstr("content differs from the record (a_PRID7_x.raw: MD5"));
  EXPECT_TRUE(fs_.exists(instrument_file));
}

TEST_F(PurgeTest, ASymlinkInPlaceOfTheFileIsRefused) {
  backed_up(big);
  fs_.add_file("/elsewhere/x.raw", big, t0);
  fs_.remove(instrument_file);
  fs_.add_symlink(instrument_file, "/elsewhere/x.raw");
  TaskOutput out = purged();
  EXPECT_EQ(out.exit_code, exit_codes::conflict);
  EXPECT_THAT(out.text, HasSubstr("a symlink now"));
  EXPECT_TRUE(fs_.exists("/elsewhere/x.raw"));
}

TEST_F(PurgeTest, BrukerSetGoesFileByFileThenItsEmptiedFolders) {
  bruker_backed_up();
  PurgeOptions options;
  options.id = bruker_id;
  TaskOutput out = purged(options);
  EXPECT_EQ(out.outcome, "purged");
  EXPECT_EQ(out.result["deleted"]["files"], 3);
  EXPECT_EQ(out.result["deleted"]["folders"], 2);
  EXPECT_FALSE(fs_.exists(bruker_dir));
  EXPECT_TRUE(fs_.exists("/data/timstof1"));
}

TEST_F(PurgeTest, AnExtraFileInTheSetIsRefusedAndListed) {
  bruker_backed_up();
  fs_.add_file(bruker_dir + "/sub/new.bin", "new", t0);
  fs_.add_symlink(bruker_dir + "/out", "/etc");
  PurgeOptions options;
  options.id = bruker_id;
  TaskOutput out = purged(options);
  EXPECT_EQ(out.exit_code, exit_codes::conflict);
  EXPECT_EQ(out.result["extra"], (nlohmann::json{bruker_id + "/out (a symlink)", bruker_id + "/sub/new.bin"}));
  EXPECT_TRUE(fs_.exists(bruker_dir + "/analysis.tdf"));
  EXPECT_TRUE(fs_.exists(bruker_dir + "/sub/method.m"));
}

TEST_F(PurgeTest, DryRunMakesEveryCheckListsTheFilesAndChangesNothing) {
  bruker_backed_up();
  size_t before = store_.history(bruker_id)->size();
  PurgeOptions options;
  options.id = bruker_id;
  options.dry_run = true;
  options.min_age_days = 100000;  // kept, yet the backups are still checked
  TaskOutput out = purged(options);
  EXPECT_EQ(out.outcome, "dry-run");
  EXPECT_EQ(out.result["verdict"], "kept");
  EXPECT_EQ(out.result["checks"].size(), 5U);
  EXPECT_EQ(out.result["would_delete"]["files"].size(), 3U);
  EXPECT_THAT(out.text, HasSubstr("would be kept: too young"));
  EXPECT_TRUE(fs_.exists(bruker_dir + "/sub/method.m"));
  EXPECT_EQ(store_.history(bruker_id)->size(), before);
  fs_.add_file(bruker_dir + "/extra.bin", "x", t0);  // kept and refused: refused, its reason
  TaskOutput both = purged(options);
  EXPECT_EQ(both.result["verdict"], "refused");
  EXPECT_EQ(both.exit_code, exit_codes::conflict);
  EXPECT_THAT(both.result["reason"].get<std::string>(), HasSubstr("extra.bin"));
  fs_.remove(bruker_dir + "/extra.bin");
  options.min_age_days = 0;
  std::string summary = purged(options).text;
  EXPECT_THAT(summary, HasSubstr("would delete 3 file(s), 1004 B from /data/timstof1"));
  EXPECT_THAT(summary, ::testing::Not(HasSubstr("\n  delete "))) << "one line per set";
  options.verbose = true;
  EXPECT_THAT(purged(options).text, HasSubstr("\n  delete " + bruker_id + "/sub/method.m"));
}

TEST_F(PurgeTest, AStopMidwayIsFinishedByTheRerun) {
  bruker_backed_up();
  int removals = 0;
  fs_.on_remove([&](const std::string&) -> Status {
    if (++removals == 2) return fail(ErrorKind::interrupted, "interrupted");
    return {};
  });
  PurgeOptions options;
  options.id = bruker_id;
  auto stopped = purge(options);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().kind, ErrorKind::interrupted);
  EXPECT_FALSE(record(bruker_id).purged_at);
  EXPECT_THAT(store_.history(bruker_id)->back().message, HasSubstr("purge stopped after deleting 1 of 3 file(s)"));
  fs_.on_remove({});
  TaskOutput out = purged(options);
  EXPECT_EQ(out.outcome, "purged");
  EXPECT_EQ(out.result["deleted"]["files"], 2);
  EXPECT_EQ(out.result["already_gone"].size(), 1U);
  EXPECT_FALSE(fs_.exists(bruker_dir));
  EXPECT_TRUE(record(bruker_id).purged_at);
}

TEST_F(PurgeTest, AnUnreachableInstrumentFolderIsARetryableFailure) {
  backed_up(big);
  fs_.remove(instrument_file);
  fs_.remove("/data/astral1");
  auto out = purge();
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::failed);
  EXPECT_THAT(out.error().message, HasSubstr("is not reachable (not mounted?)"));
  EXPECT_FALSE(record(id).purged_at);
}

TEST_F(PurgeTest, RequiringS3WithoutAnS3SectionIsAUsageError) {
  backed_up(big);
  config_.s3.reset();
  PurgeOptions options;
  options.require = "s3";
  auto out = purge(options);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
}

}  // namespace
}  // namespace rawbackup
