// Objects in an archive storage class: a shallow verify passes; --deep, restore and purge's
// read-back say "archived in CLASS" with what to do (exit 4), never S3's raw
// InvalidObjectState; restore --request-archive-restore asks for a copy and exits 1 until it is
// readable, then restores.
#include <gmock/gmock.h>

#include "backups_fixture.h"
#include "tasks/purge.h"
#include "transfer/archived_objects.h"

namespace rawbackup {
namespace {

using ::testing::HasSubstr;

class Archived : public VerifyRestore {
 protected:
  void archived(const std::string& data, const std::string& storage_class = "DEEP_ARCHIVE") {
    backed_up(data);
    s3_.archive_object("b-prid7", id, storage_class);
  }
  Result<TaskOutput> restore_asking(int days) {
    return run_restore(s3_context(), RestoreOptions{id, BackupPlace::s3, "/restore", false, days});
  }
};

TEST(ArchiveState, FromTheStorageClassAndTheRestoreHeader) {
  EXPECT_EQ(archive_state({1, "e", "", "STANDARD_IA", ""}), ArchiveState::readable);
  EXPECT_EQ(archive_state({1, "e", "", "GLACIER_IR", ""}), ArchiveState::readable);
  EXPECT_EQ(archive_state({1, "e", "", "GLACIER", ""}), ArchiveState::archived);
  EXPECT_EQ(archive_state({1, "e", "", "DEEP_ARCHIVE", "ongoing-request=\"true\""}), ArchiveState::restoring);
  EXPECT_EQ(archive_state({1, "e", "", "DEEP_ARCHIVE", "ongoing-request=\"false\", expiry-date=\"Fri, 23 Dec 2026 "
                                                       "00:00:00 GMT\""}),
            ArchiveState::readable);
}

TEST_F(Archived, AShallowVerifyPassesADeepOneSaysWhatToDo) {
  archived(big);
  EXPECT_EQ(verify(false, true, false).exit_code, 0);
  int gets = s3_.calls("get_object");
  TaskOutput deep = verify(false, true, true);
  EXPECT_EQ(deep.exit_code, 4);
  EXPECT_THAT(deep.text, HasSubstr("s3://b-prid7/a_PRID7_x.raw is archived in DEEP_ARCHIVE: its bytes cannot be read "
                                   "until S3 restores a copy (`rawbackup restore a_PRID7_x.raw "
                                   "--request-archive-restore DAYS` asks for one; tier Standard, up to 12 h)"))
      << deep.text;
  EXPECT_THAT(deep.text, ::testing::Not(HasSubstr("InvalidObjectState")));
  EXPECT_EQ(s3_.calls("get_object"), gets) << "nothing read";
}

// A set of many files is listed, not HEADed: a listing names the class but not the restore
// state, so the archived objects (and only they) are HEADed before anything is read.
TEST_F(Archived, ASetOfManyFilesIsListedThenItsArchivedObjectsHeaded) {
  const std::string set = "r_PRID7_x.d";
  set_uploaded(set, 12);
  s3_.archive_object("b-prid7", set + "/f3", "GLACIER");
  int heads = s3_.calls("head_object");
  auto out = run_verify(s3_context(), VerifyOptions{{set}, false, true, true});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->exit_code, 4);
  EXPECT_THAT(out->text, HasSubstr("s3://b-prid7/r_PRID7_x.d/f3 is archived in GLACIER")) << out->text;
  EXPECT_EQ(s3_.calls("head_object"), heads + 1);
  s3_.finish_restores();  // nothing was requested: still archived
  ASSERT_FALSE(run_restore(s3_context(), RestoreOptions{set, BackupPlace::s3, "/restore", false, 2}));
  s3_.finish_restores();
  auto restored = run_restore(s3_context(), RestoreOptions{set, BackupPlace::s3, "/restore", false, 2});
  ASSERT_TRUE(restored) << restored.error().message;
  EXPECT_EQ(fs_.read_all("/restore/" + set + "/f3"), "file 3");
}

TEST_F(Archived, RestoreSaysArchivedAndWritesNothing) {
  archived(big, "GLACIER");
  auto out = restore(BackupPlace::s3);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::mismatch);  // exit 4
  EXPECT_THAT(out.error().message, HasSubstr("is archived in GLACIER"));
  EXPECT_THAT(out.error().message, HasSubstr("3–5 h"));
  EXPECT_FALSE(fs_.exists("/restore/" + id));
}

TEST_F(Archived, ARestoreRequestExits1UntilTheCopyIsReadableThenRestores) {
  archived(big);
  auto asked = restore_asking(7);
  ASSERT_FALSE(asked);
  EXPECT_EQ(asked.error().kind, ErrorKind::failed);
  EXPECT_TRUE(asked.error().transient);
  EXPECT_THAT(asked.error().message, HasSubstr("asked S3 for a copy of 1 archived object(s) readable for 7 day(s)"));
  EXPECT_EQ(s3_.calls("restore_object"), 1);
  auto waiting = restore(BackupPlace::s3);  // without the option: still being restored
  ASSERT_FALSE(waiting);
  EXPECT_EQ(waiting.error().kind, ErrorKind::failed);
  EXPECT_THAT(waiting.error().message, HasSubstr("is being restored from DEEP_ARCHIVE (requested earlier"));
  ASSERT_FALSE(restore_asking(7));
  EXPECT_EQ(s3_.calls("restore_object"), 1) << "a restore under way is not asked for again";
  s3_.finish_restores();
  auto done = restore_asking(7);
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(fs_.read_all("/restore/" + id), big);
}

TEST_F(Archived, PurgeOfTheLocalBackupIsRefusedWhileS3CannotBeReadBack) {
  archived(big);
  PurgeOptions options;
  options.id = id;
  options.target = "backup";
  auto out = run_purge(s3_context(), options);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_NE(out->exit_code, 0);
  EXPECT_THAT(out->text, HasSubstr("is archived in DEEP_ARCHIVE"));
  EXPECT_TRUE(fs_.exists(local_copy));
}

}  // namespace
}  // namespace rawbackup
