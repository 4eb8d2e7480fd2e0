#include "tasks/status.h"

#include <gmock/gmock.h>
#include <sstream>

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
  // A table's output as the user sees it: streamed, as text or as one JSON object.
  std::string table_text(StatusOptions options) {
    auto out = run(std::move(options));
    EXPECT_TRUE(out && out->stream);
    std::ostringstream text;
    EXPECT_TRUE(out->stream(text, false));
    return text.str();
  }
  nlohmann::json table_json(StatusOptions options) {
    auto out = run(std::move(options));
    EXPECT_TRUE(out && out->stream);
    std::ostringstream text;
    EXPECT_TRUE(out->stream(text, true));
    return nlohmann::json::parse(text.str());
  }
  static StatusOptions filtered(const std::string& status, const std::string& instrument) {
    StatusOptions o;
    o.status = status;
    o.instrument = instrument;
    return o;
  }
};

TEST_F(StatusTask, TableNewestFirstWithLastErrorAndUtcMarker) {
  auto j = table_json({});
  ASSERT_EQ(j["records"].size(), 2u);
  EXPECT_EQ(j["records"][0]["id"], "b.d");
  EXPECT_FALSE(j["records"][1].contains("file_info")) << "rows, not whole records";
  EXPECT_EQ(j["shown"], 2);
  EXPECT_EQ(j["total"], 2);
  std::string text = table_text({});
  EXPECT_THAT(text, ::testing::HasSubstr("S3 said no"));
  EXPECT_LT(text.find("b.d"), text.find("a.raw"));
  EXPECT_THAT(text, ::testing::HasSubstr("CREATED (UTC)"));
  EXPECT_THAT(text, ::testing::HasSubstr("2026-11-03T00:00Z")) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("\n2 record(s)\n")) << text;
}

TEST_F(StatusTask, Filters) {
  EXPECT_EQ(table_json(filtered("failed", ""))["records"].size(), 1u);
  EXPECT_EQ(table_json(filtered("", "timstof1"))["records"][0]["id"], "b.d");
  auto bad = run(filtered("broken", ""));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::usage);
}

TEST_F(StatusTask, IdsOnlyNewestFirstFiltered) {
  StatusOptions ids;
  ids.ids_only = true;
  auto out = run(ids);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->text, "b.d\na.raw");
  ids.instrument = "astral1";
  EXPECT_EQ(run(ids)->text, "a.raw");
  ids.instrument.clear();
  ids.ids_limit = 1;  // --limit 1
  EXPECT_EQ(run(ids)->text, "b.d") << "the newest";
}

// A long error keeps its end, where the cause is, and is cut between characters.
TEST_F(StatusTask, TableShowsTheStartAndTheEndOfALongError) {
  RecordChange change;
  change.error = "copy failed: a.raw: writing /backup/astral1/2026_11/.a.raw.rawbackup-tmp-host → 12 MiB: "
                 "No space left on device";
  ASSERT_TRUE(store_.update("a.raw", change));
  std::string text = table_text({});
  EXPECT_THAT(text, ::testing::HasSubstr("copy failed: a.raw: writ … ")) << text;
  EXPECT_THAT(text, ::testing::HasSubstr("No space left on device\n")) << text;
  auto line = text.substr(text.find("a.raw  "));
  line.resize(line.find('\n'));
  EXPECT_LE(line.substr(line.find("copy failed")).size(), 72U);
}

TEST_F(StatusTask, MetricsOfTheWholeStoreAndNotWithFilters) {
  StatusOptions metrics;
  metrics.metrics = true;
  auto out = run(metrics);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_THAT(out->text, ::testing::StartsWith("# HELP rawbackup_records "));
  EXPECT_THAT(out->text,
              ::testing::HasSubstr(
                  "rawbackup_records{instrument=\"timstof1\",status=\"checksumming\",backup_status=\"pending\"} 1"));
  EXPECT_THAT(out->text, ::testing::HasSubstr("rawbackup_failures_24h{instrument=\"astral1\"} 0"));
  metrics.instrument = "astral1";
  auto refused = run(metrics);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::usage);
}

TEST_F(StatusTask, TableShowsTheNewest50UnlessAskedForMore) {
  for (int i = 0; i < 60; ++i) {
    RawFile r = *store_.get("a.raw").value();
    r.id = "n" + std::to_string(100 + i) + ".raw";
    r.created_at = "2026-12-01T00:00:" + std::to_string(10 + i % 50) + ".000Z";
    ASSERT_TRUE(store_.insert(r, ""));
  }
  auto j = table_json({});
  EXPECT_EQ(j["records"].size(), 50u);
  EXPECT_EQ(j["total"], 62);
  EXPECT_THAT(table_text({}), ::testing::HasSubstr("50 of 62 record(s), newest first (--limit N or --all for more)"));
  StatusOptions few;
  few.limit = 3;
  EXPECT_EQ(table_json(few)["records"].size(), 3u);
  StatusOptions all;
  all.limit = 0;
  EXPECT_EQ(table_json(all)["records"].size(), 62u);
  EXPECT_EQ(table_json(all)["records"][61]["id"], "a.raw");
}

TEST_F(StatusTask, OneRecordInFullWithHistory) {
  StatusOptions one;
  one.ids = {"a.raw"};
  one.history = true;
  auto out = run(one);
  ASSERT_TRUE(out);
  auto& rec = out->result["records"][0];
  EXPECT_EQ(rec["backup_status"], "failed");
  EXPECT_EQ(rec["file_info"]["a.raw"]["part_size"], 5);
  ASSERT_EQ(rec["history"].size(), 1u);
  EXPECT_EQ(rec["history"][0]["message"], "made");
  EXPECT_THAT(out->text, ::testing::HasSubstr("history:"));
  EXPECT_THAT(out->text, ::testing::HasSubstr("md5a"));
}

TEST_F(StatusTask, UnknownIdIsAUsageError) {
  StatusOptions two;
  two.ids = {"a.raw", "zzz.raw"};
  auto out = run(two);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::usage);
  EXPECT_THAT(out.error().message, ::testing::HasSubstr("zzz.raw"));
}

}  // namespace
}  // namespace rawbackup
