// Batch selection (--all-status/--instrument/--since), the batch runner, dry runs and the
// status summary, on the in-memory filesystem.
#include "tasks/batch.h"

#include <gmock/gmock.h>
#include <cstdlib>

#include "error_of.h"
#include "scoped_env.h"
#include "task_fixture.h"
#include "tasks/checksum.h"
#include "tasks/copy_local.h"
#include "tasks/status.h"
#include "tasks/verify.h"

namespace rawbackup {
namespace {

constexpr int64_t t0 = 1'763'000'000'000'000'000;  // 2025-11-13

class Batch : public TaskFixture {
 protected:
  void SetUp() override {
    for (const char* name : {"a.raw", "b.raw", "c.raw"}) {
      fs_.add_file(std::string("/data/astral1/") + name, name, t0);
      checksum(name, "astral1");
    }
    fs_.add_file("/data/timstof1/t.d/x", "x", t0);
    checksum("t.d", "timstof1");
  }
  void checksum(const std::string& name, const std::string& instrument) {
    ChecksumOptions options;
    options.instrument = instrument;
    options.name = name;
    ASSERT_TRUE(run_checksum(context(), options));
  }
  Result<TaskOutput> copy_batch(const Selection& selection) {
    return run_batch(context(), "copy-local", selection, [&](const std::string& id) {
      return run_copy_local(context(), CopyLocalOptions{id, false, false});
    });
  }
  static Selection filter(std::string status, std::string instrument = "", std::string since = "") {
    Selection s;
    s.status = std::move(status);
    s.instrument = std::move(instrument);
    s.since = std::move(since);
    return s;
  }
};

// A usage error thrown inside a run (S3 credentials missing, found when S3 is first needed) is
// that id's error: the batch goes on and reports it per id, exit 2.
TEST_F(Batch, AUsageErrorThrownByOneRunIsThatIdsError) {
  auto out = run_batch(context(), "upload-s3", filter("checksummed", "astral1"),
                       [&](const std::string& id) -> Result<TaskOutput> {
                         if (id == "b.raw") throw UsageError("backup_type s3 needs credentials: set AWS_ACCESS_KEY_ID");
                         return TaskOutput{{{"id", id}, {"outcome", "done"}}, id + " done", 0, "done"};
                       });
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->exit_code, exit_codes::usage);
  EXPECT_EQ(out->result["counts"]["done"], 2);
  EXPECT_EQ(out->result["counts"]["usage"], 1);
  EXPECT_THAT(out->text, ::testing::HasSubstr("upload-s3 b.raw: usage: backup_type s3 needs credentials"));
}

TEST_F(Batch, EachSelectedIdRunsAndTheWorstOutcomeIsTheExitCode) {
  fs_.remove("/data/astral1/b.raw");  // b's copy fails; a and c must still be copied
  auto out = copy_batch(filter("checksummed", "astral1"));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->exit_code, exit_codes::failed);
  EXPECT_EQ(out->result["selected"], 3);
  EXPECT_EQ(out->result["counts"]["done"], 2);
  EXPECT_EQ(out->result["counts"]["failed"], 1);
  EXPECT_EQ(out->result["outcome"], "failed");
  EXPECT_EQ(record("a.raw").status, RawFileStatus::copying_done);
  EXPECT_EQ(record("c.raw").status, RawFileStatus::copying_done);
  EXPECT_EQ(record("b.raw").backup_status, BackupStatus::failed);
  EXPECT_EQ(record("t.d").status, RawFileStatus::checksummed);  // other instrument untouched
  EXPECT_THAT(out->text, ::testing::HasSubstr("copy-local: 3 raw file(s): 2 done, 1 failed; exit 1"));

  fs_.add_file("/data/astral1/b.raw", "b.raw", t0);  // back: re-run only the failed one
  auto again = copy_batch(filter("failed"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->exit_code, 0);
  EXPECT_EQ(again->result["selected"], 1);
  EXPECT_EQ(again->result["results"][0]["id"], "b.raw");
}

TEST_F(Batch, OneNamedIdKeepsTheSingleRunOutputAndError) {
  Selection one;
  one.ids = {"a.raw"};
  auto out = copy_batch(one);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["id"], "a.raw");
  EXPECT_FALSE(out->result.contains("selected"));
  one.ids = {"nope.raw"};
  auto missing = copy_batch(one);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::usage);
}

TEST_F(Batch, SelectionMistakesAreUsageErrorsAndNoMatchIsNothingToDo) {
  Selection both = filter("failed");
  both.ids = {"a.raw"};
  EXPECT_EQ(error_of(copy_batch(both)).kind, ErrorKind::usage);
  EXPECT_EQ(error_of(copy_batch(Selection{})).kind, ErrorKind::usage);
  EXPECT_EQ(error_of(copy_batch(filter("broken"))).kind, ErrorKind::usage);
  EXPECT_EQ(error_of(copy_batch(filter("", "", "last tuesday-ish"))).kind, ErrorKind::usage);
  auto none = copy_batch(filter("", "", "2199-01-01"));
  ASSERT_TRUE(none);
  EXPECT_EQ(none->exit_code, 0);
  EXPECT_EQ(none->result["selected"], 0);
  EXPECT_EQ(copy_batch(filter("", "", "1h"))->result["selected"], 4);
}

TEST(WorstExitCode, InterruptedThenMismatchThenConflictThenUsageThenFailedThenSkip) {
  std::vector<int> ascending{0, 99, 1, 2, 3, 4, 130};
  for (size_t i = 0; i < ascending.size(); ++i) {
    for (size_t j = 0; j < ascending.size(); ++j) {
      EXPECT_EQ(worst_exit_code(ascending[i], ascending[j]), ascending[std::max(i, j)]);
    }
  }
}

TEST(ParseSince, DatesWeekdaysAndAges) {
  ScopedEnv utc("TZ", "UTC");
  auto now = Clock::from_time_t(1795305600);  // 2026-11-22T00:00:00Z, a Sunday
  now += std::chrono::hours(15);
  EXPECT_EQ(*parse_since("2026-11-16", now), "2026-11-16T00:00:00.000Z");
  EXPECT_EQ(*parse_since("2026-11-16T08:30", now), "2026-11-16T08:30:00.000Z");
  EXPECT_EQ(*parse_since("2026-11-16 08:30:05Z", now), "2026-11-16T08:30:05.000Z");
  EXPECT_EQ(*parse_since("Monday", now), "2026-11-16T00:00:00.000Z");
  EXPECT_EQ(*parse_since("sunday", now), "2026-11-22T00:00:00.000Z");
  EXPECT_EQ(*parse_since("yesterday", now), "2026-11-21T00:00:00.000Z");
  EXPECT_EQ(*parse_since("12h", now), "2026-11-22T03:00:00.000Z");
  EXPECT_EQ(*parse_since("2w", now), "2026-11-08T15:00:00.000Z");
  for (const char* bad : {"", "soon", "2026-13-01", "2999-01-01", "2026-11-16T25:00", "12y", "-3d"}) {
    EXPECT_FALSE(parse_since(bad, now)) << bad;
  }
}

TEST_F(Batch, ChecksumDryRunWritesNothing) {
  fs_.add_file("/data/astral1/new.raw", "new", t0);
  ChecksumOptions options;
  options.instrument = "astral1";
  options.name = "new.raw";
  options.dry_run = true;
  auto out = run_checksum(context(), options);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["would_hash"], true);
  EXPECT_EQ(out->result["new_record"], true);
  EXPECT_FALSE(*store_.get("new.raw"));
  options.name = "a.raw";
  EXPECT_EQ(run_checksum(context(), options)->result["would_hash"], false);
}

TEST_F(Batch, VerifyDryRunSaysWhatItWouldReadAndRecordsNothing) {
  ASSERT_TRUE(copy_batch(filter("", "astral1")));
  std::string before = record("a.raw").updated_at;
  size_t events = store_.history("a.raw")->size();
  VerifyOptions options;
  options.ids = {"a.raw"};
  options.dry_run = true;
  auto out = run_verify(context(), options);
  ASSERT_TRUE(out);
  EXPECT_EQ(out->result["results"][0]["local"], true);  // verify always gives the batch result
  EXPECT_THAT(out->text, ::testing::HasSubstr("would re-read"));
  EXPECT_EQ(record("a.raw").updated_at, before);
  EXPECT_EQ(store_.history("a.raw")->size(), events);
}

TEST_F(Batch, StatusSummaryCountsPerInstrumentBytesAndLastErrors) {
  fs_.remove("/data/astral1/b.raw");
  ASSERT_TRUE(copy_batch(filter("", "astral1")));
  StatusOptions options;
  options.summary = true;
  auto out = run_status(context(), options);
  ASSERT_TRUE(out);
  const auto& s = out->result["summary"];
  EXPECT_EQ(s["records"], 4);
  EXPECT_EQ(s["instruments"]["astral1"]["records"], 3);
  EXPECT_EQ(s["instruments"]["astral1"]["status"]["copying_done"], 2);
  EXPECT_EQ(s["instruments"]["astral1"]["backup_status"]["failed"], 1);
  EXPECT_EQ(s["instruments"]["astral1"]["bytes_local"], 10);  // a.raw + c.raw
  EXPECT_EQ(s["instruments"]["timstof1"]["bytes_local"], 0);
  ASSERT_EQ(s["last_errors"].size(), 1u);
  EXPECT_EQ(s["last_errors"][0]["id"], "b.raw");
  EXPECT_THAT(out->text, ::testing::HasSubstr("last errors:"));
  options.instrument = "timstof1";
  EXPECT_EQ(run_status(context(), options)->result["summary"]["records"], 1);
}

}  // namespace
}  // namespace rawbackup
