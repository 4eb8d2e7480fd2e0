#include "common/metrics_text.h"

#include <gtest/gtest.h>

#include "common/text.h"

namespace rawbackup {
namespace {

TEST(MetricsText, FamiliesWithHelpTypeAndEscapedLabels) {
  MetricsText m;
  m.family("records", "Records by \\ instrument\nand status.").sample({{"instrument", "a\"b\\c\nd"}, {"s", "x"}}, 3);
  m.family("age_seconds", "Age.").sample({}, 1.5).sample({}, 12345678901234.0);
  EXPECT_EQ(m.text(),
            "# HELP rawbackup_records Records by \\\\ instrument\\nand status.\n"
            "# TYPE rawbackup_records gauge\n"
            "rawbackup_records{instrument=\"a\\\"b\\\\c\\nd\",s=\"x\"} 3\n"
            "# HELP rawbackup_age_seconds Age.\n"
            "# TYPE rawbackup_age_seconds gauge\n"
            "rawbackup_age_seconds 1.5\n"
            "rawbackup_age_seconds 12345678901234\n");
}

TEST(ParseUtc, ReadsWhatFormatUtcWrites) {
  auto t = Clock::from_time_t(1'795'000'000) + std::chrono::milliseconds(819);
  EXPECT_EQ(parse_utc(format_utc(t)), t);
  EXPECT_EQ(parse_utc("2026-11-22T04:01:53Z"), parse_utc("2026-11-22T04:01:53.000Z"));
  EXPECT_FALSE(parse_utc("2026-11-22 04:01:53"));
  EXPECT_FALSE(parse_utc("2026-11-22T04:01:53.8Z"));
  EXPECT_FALSE(parse_utc(""));
}

}  // namespace
}  // namespace rawbackup
