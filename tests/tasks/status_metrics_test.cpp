#include "tasks/status_metrics.h"

#include <gmock/gmock.h>

#include "tasks/run_metrics.h"

namespace rawbackup {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(StoreMetrics, EveryConfiguredInstrumentHasItsSeriesAndAgesCountFromNow) {
  StoreSummary summary;
  summary.groups.push_back({"astral1", "copying_done", "done", 2, 30, 30, 20, "", "2026-11-23T11:00:00.000Z"});
  summary.groups.push_back({"astral1", "checksummed", "pending", 1, 5, 0, 0, "2026-11-23T10:00:00.000Z", ""});
  StatusCounts& astral = summary.instruments["astral1"];
  astral.bytes_local = 30;
  astral.bytes_s3 = 20;
  astral.oldest_unbacked_at = "2026-11-23T10:00:00.000Z";
  astral.last_verified_at = "2026-11-23T11:00:00.000Z";
  auto now = *parse_utc("2026-11-23T12:00:00.000Z");
  std::string text = store_metrics(summary, {{"astral1", 4}}, {"astral1", "timstof1"}, now);
  EXPECT_THAT(
      text,
      HasSubstr("rawbackup_records{instrument=\"astral1\",status=\"checksummed\",backup_status=\"pending\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_backed_up_bytes{instrument=\"astral1\",target=\"s3\"} 20\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_backed_up_bytes{instrument=\"timstof1\",target=\"local\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_oldest_unbacked_age_seconds{instrument=\"astral1\"} 7200\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_oldest_unbacked_age_seconds{instrument=\"timstof1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_last_verify_age_seconds{instrument=\"astral1\"} 3600\n"));
  EXPECT_THAT(text, Not(HasSubstr("rawbackup_last_verify_age_seconds{instrument=\"timstof1\"}"))) << "never verified";
  EXPECT_THAT(text, HasSubstr("rawbackup_failures_24h{instrument=\"astral1\"} 4\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_failures_24h{instrument=\"timstof1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_metrics_timestamp_seconds 1795435200\n"));
}

TEST(RunMetrics, DurationBytesOutcomeExitCodeAndEnd) {
  RunFacts run{"upload-s3", "done", 0, 1024, 2.5, *parse_utc("2026-11-23T12:00:00.000Z")};
  std::string text = run_metrics(run);
  EXPECT_THAT(text, HasSubstr("rawbackup_run_duration_seconds{task=\"upload-s3\"} 2.5\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_run_bytes{task=\"upload-s3\"} 1024\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_run_exit_code{task=\"upload-s3\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_run_success{task=\"upload-s3\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_run_outcome{task=\"upload-s3\",outcome=\"done\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rawbackup_run_end_timestamp_seconds{task=\"upload-s3\"} 1795435200\n"));
}

}  // namespace
}  // namespace rawbackup
