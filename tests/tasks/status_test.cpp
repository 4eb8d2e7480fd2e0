#include "tasks/status.h"

#include "task_fixture.h"

namespace rawbackup {
namespace {

class StatusTask : public TaskFixture {
 protected:
  void SetUp() override {
    RawFile a;
    a.id = "a.raw";
    a.instrument_id = "astral1";
    a.project_id = "P1";
    a.created_at = "2026-11-02T00:00:00.000Z";
    a.size = 3;
    a.file_info["a.raw"] = FileEntry{3, "md5a", "md5a", 5, 1};
    a.backup_status = BackupStatus::failed;
    a.error = "S3 said no";
    ASSERT_TRUE(store_.insert(a, "made"));
    RawFile b = a;
    b.id = "b.d";
    b.instrument_id = "timstof1";
    b.vendor = Vendor::bruker;
    b.created_at = "2026-11-03T00:00:00.000Z";
    b.backup_status = BackupStatus::pending;
    b.error.reset();
    ASSERT_TRUE(store_.insert(b, "made"));
  }
  Result<TaskOutput> run(StatusOptions options) { return run_status(context(), options); }
};

TEST_F(StatusTask, TableNewestFirstWithLastError) {
  auto out = run({});
  ASSERT_TRUE(out);
  ASSERT_EQ(out->result["records"].size(), 2u);
  EXPECT_EQ(out->result["records"][0]["id"], "b.d");
  EXPECT_EQ(out->result["records"][1]["file_info"]["a.raw"]["md5"], "md5a");
  EXPECT_NE(out->text.find("S3 said no"), std::string::npos);
  EXPECT_LT(out->text.find("b.d"), out->text.find("a.raw"));
}

TEST_F(StatusTask, Filters) {
  EXPECT_EQ(run({{}, "failed", "", false})->result["records"].size(), 1u);
  EXPECT_EQ(run({{}, "", "timstof1", false})->result["records"][0]["id"], "b.d");
  auto bad = run({{}, "broken", "", false});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
}

TEST_F(StatusTask, OneRecordInFullWithHistory) {
  auto out = run({{"a.raw"}, "", "", true});
  ASSERT_TRUE(out);
  auto& rec = out->result["records"][0];
  EXPECT_EQ(rec["backup_status"], "failed");
  EXPECT_EQ(rec["file_info"]["a.raw"]["part_size"], 5);
  ASSERT_EQ(rec["history"].size(), 1u);
  EXPECT_EQ(rec["history"][0]["message"], "made");
  EXPECT_NE(out->text.find("history:"), std::string::npos);
  EXPECT_NE(out->text.find("md5a"), std::string::npos);
}

TEST_F(StatusTask, UnknownIdIsAUsageError) {
  auto out = run({{"a.raw", "zzz.raw"}, "", "", false});
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_NE(out.error().message.find("zzz.raw"), std::string::npos);
}

}  // namespace
}  // namespace rawbackup
