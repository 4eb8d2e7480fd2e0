// Several hosts, one store (issue 31.2): the local backup folder is recorded relative to
// locations.backup and resolved with each host's config; a set's placement is fixed once
// recorded; a restore gives files back their recorded mtimes, so the restored set is the one
// checksummed, and brings a purged set back (purged_at cleared, kept from the next purge).
#include <gmock/gmock.h>

#include "tasks/purge.h"
#include "backups_fixture.h"

namespace rawbackup {
namespace {

using ::testing::HasSubstr;

class PlacementFixed : public VerifyRestore {
 protected:
  const std::string instrument_file = "/data/astral1/" + id;

  Result<TaskOutput> checksum(bool rehash) {
    ChecksumOptions options;
    options.instrument = "astral1";
    options.name = id;
    options.rehash = rehash;
    return run_checksum(context(), options);
  }
  PurgeOptions purge_options() {
    PurgeOptions options;
    options.id = id;
    return options;
  }
  Result<TaskOutput> restore_to(const std::string& to) {
    return run_restore(s3_context(), RestoreOptions{id, BackupPlace::s3, to, false});
  }
};

TEST_F(PlacementFixed, AWorkerMountingTheBackupElsewhereFindsTheLocalBackup) {
  backed_up(big);
  EXPECT_EQ(record(id).backup_base_path, "astral1/2025_11");
  // The worker's config: the same NAS at another path (the acquisition host's path holds
  // something else there, so reading it would fail).
  config_.backup_path = "/mnt/nas";
  fs_.add_file("/mnt/nas/astral1/2025_11/" + id, big, t0);
  fs_.add_file(local_copy, "not what the worker reads", t0);
  TaskOutput out = verify(/*local=*/true);
  EXPECT_EQ(out.exit_code, 0) << out.text;
  EXPECT_EQ(record(id).backup_status, BackupStatus::done);
  EXPECT_FALSE(record(id).error);
  auto dry = run_verify(s3_context(), VerifyOptions{{id}, true, false, false, true});
  ASSERT_TRUE(dry) << dry.error().message;
  EXPECT_THAT(dry->text, HasSubstr("from /mnt/nas/astral1/2025_11"));
}

TEST_F(PlacementFixed, ARestoredSetIsTheSetThatWasChecksummed) {
  backed_up(big);
  RawFile before = record(id);
  fs_.remove(instrument_file);
  auto restored = restore_to("/data/astral1");
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(fs_.stat(instrument_file, true)->mtime_ns, t0) << "the recorded mtime, not the time of writing";
  auto unchanged = checksum(false);
  ASSERT_TRUE(unchanged) << unchanged.error().message;
  EXPECT_EQ(unchanged->outcome, "unchanged");
  fs_.add_file(instrument_file, big, t0 + 40LL * 86400 * 1'000'000'000);  // restored by another tool, a month on
  auto rehashed = checksum(true);
  ASSERT_TRUE(rehashed) << rehashed.error().message;
  RawFile after = record(id);
  EXPECT_EQ(after.created_at, before.created_at) << "a re-hash of the same content never moves the set";
  EXPECT_EQ(after.backup_base_path, before.backup_base_path);
  ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{id, false, false}));
  ASSERT_TRUE(run_upload_s3(s3_context(), UploadS3Options{id, false, 0, 0}));
  EXPECT_EQ(record(id).backup_base_path, before.backup_base_path);
  EXPECT_EQ(record(id).s3_upload_path, before.s3_upload_path);
  EXPECT_TRUE(fs_.files_containing("2025_12").empty()) << "no second copy under another month";
}

// A file system that refuses to set times: the verified bytes are restored all the same.
TEST_F(PlacementFixed, AnMtimeThatCannotBeSetDoesNotFailTheRestore) {
  backed_up(big);
  fs_.refuse_mtimes();
  for (BackupPlace from : {BackupPlace::s3, BackupPlace::local}) {
    std::string to = from == BackupPlace::s3 ? "/r-s3" : "/r-local";
    auto out = run_restore(s3_context(), RestoreOptions{id, from, to, false});
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(fs_.read_all(to + "/" + id), big);
    EXPECT_NE(fs_.stat(to + "/" + id, true)->mtime_ns, t0);
  }
}

TEST_F(PlacementFixed, AnUploadGoesWhereTheRecordSaysEvenIfTheProjectChanged) {
  backed_up(big);
  RecordChange moved;  // what new content accepted with --overwrite under another pattern does
  moved.project_id = std::string("PRID9");
  moved.backup_status = BackupStatus::pending;
  ASSERT_TRUE(store_.update(id, moved));
  auto out = run_upload_s3(s3_context(), UploadS3Options{id, false, 0, 0});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(record(id).s3_upload_path, "s3://b-prid7/");
}

TEST_F(PlacementFixed, ARestoreToTheInstrumentBringsAPurgedSetBack) {
  backed_up(big);
  auto purged = run_purge(s3_context(), purge_options());
  ASSERT_TRUE(purged) << purged.error().message;
  ASSERT_EQ(purged->outcome, "purged") << purged->text;
  ASSERT_TRUE(record(id).purged_at);
  auto restored = restore_to("/data/astral1/");
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_FALSE(record(id).purged_at);
  EXPECT_EQ(store_.history(id)->back().field, "purged_at");
  EXPECT_THAT(store_.history(id)->back().message, HasSubstr("the instrument copy is back"));
  auto again = run_purge(s3_context(), purge_options());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->outcome, "kept");
  EXPECT_THAT(again->text, HasSubstr("restored to the instrument 0.0 day(s) ago"));
  EXPECT_TRUE(fs_.exists(instrument_file));
  auto elsewhere = run_restore(s3_context(), RestoreOptions{id, BackupPlace::s3, "/restore", false});
  ASSERT_TRUE(elsewhere);
  EXPECT_FALSE(record(id).purged_at);
}

}  // namespace
}  // namespace rawbackup
