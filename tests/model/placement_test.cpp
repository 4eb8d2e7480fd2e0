// The placement rules: project, local backup folder, S3 bucket and key prefix.
#include "model/placement.h"

#include <gtest/gtest.h>

namespace rawbackup {
namespace {

RawFile sciex_record() {
  RawFile r;
  r.id = "s1.wiff2";
  r.instrument_id = "zenotof1";
  r.created_at = "2026-11-22T04:00:00.000Z";
  r.project_id = "PRID1";
  r.vendor = Vendor::sciex;
  return r;
}

TEST(Placement, ProjectIsExplicitThenPatternThenFallback) {
  Config c;
  EXPECT_EQ(project_id_for(c, "x_PRID1_y.raw", ""), "_FALLBACK");
  c.project_regex.emplace("_(PRID\\d+)_");
  EXPECT_EQ(project_id_for(c, "x_PRID1_y.raw", ""), "PRID1");
  EXPECT_EQ(project_id_for(c, "x_PRID1_y.raw", "P9"), "P9");
  EXPECT_EQ(project_id_for(c, "plain.raw", ""), "_FALLBACK");
}

TEST(Placement, BackupFolderIsInstrumentThenAcquisitionMonth) {
  Config c;
  c.backup_path = "/backup";
  EXPECT_EQ(backup_base(c, sciex_record()), std::filesystem::path("/backup/zenotof1/2026_11"));
  EXPECT_EQ(acquisition_month(sciex_record()), "2026_11");
  EXPECT_EQ(backup_folder(sciex_record()), "zenotof1/2026_11") << "relative: each host resolves it";
}

// Recorded once, the folder is resolved under each host's own locations.backup and never
// recomputed: a worker mounting the NAS elsewhere, or a set whose created_at moved, finds it.
TEST(Placement, TheRecordedFolderIsResolvedWithEachHostsBackupRoot) {
  RawFile r = sciex_record();
  r.backup_base_path = "zenotof1/2026_10";
  Config acquisition_host, worker;
  acquisition_host.backup_path = "/mnt/nas/backup";
  worker.backup_path = "/data/backup";
  EXPECT_EQ(backup_base(acquisition_host, r), std::filesystem::path("/mnt/nas/backup/zenotof1/2026_10"));
  EXPECT_EQ(backup_base(worker, r), std::filesystem::path("/data/backup/zenotof1/2026_10"));
  r.backup_base_path = "/old/host/path/zenotof1";  // an unmigrated absolute path: as is
  EXPECT_EQ(backup_base(worker, r), std::filesystem::path("/old/host/path/zenotof1"));
}

TEST(Placement, KeyPrefixForFallbackProjectsAndSciexSets) {
  RawFile r = sciex_record();
  r.vendor = Vendor::thermo;
  EXPECT_EQ(s3_key_prefix(r), "");
  r.vendor = Vendor::sciex;
  EXPECT_EQ(s3_key_prefix(r), "s1.wiff2/");
  r.project_id = fallback_project;
  EXPECT_EQ(s3_key_prefix(r), "zenotof1/2026_11/s1.wiff2/");
  r.vendor = Vendor::bruker;
  EXPECT_EQ(s3_key_prefix(r), "zenotof1/2026_11/");
}

TEST(Placement, LocalBackupOnlyOnceCopyLocalFinished) {
  RawFile r = sciex_record();
  r.status = RawFileStatus::copying;
  r.backup_base_path = "/backup/zenotof1/2026_11";
  EXPECT_FALSE(has_local_backup(r));
  r.status = RawFileStatus::copying_done;
  EXPECT_TRUE(has_local_backup(r));
  r.backup_base_path.reset();
  EXPECT_FALSE(has_local_backup(r));
}

TEST(Placement, BucketIsPrefixDashProjectUnderS3Rules) {
  S3Config s3;
  s3.bucket_prefix = "alphakraken";
  RawFile r = sciex_record();
  EXPECT_EQ(*s3_bucket(s3, r), "alphakraken-prid1");
  r.project_id = std::string(60, 'p');
  auto refused = s3_bucket(s3, r);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::usage);
}

}  // namespace
}  // namespace rawbackup
