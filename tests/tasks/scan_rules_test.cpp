// The decisions of `scan` (tasks/scan_rules.h), on sightings and listings made up here.
#include "tasks/scan_rules.h"

#include <gtest/gtest.h>

#include "common/text.h"

namespace rawbackup {
namespace {

constexpr int64_t second = 1000;
constexpr int64_t minute = 60 * second;
constexpr int64_t t0 = 1'800'000'000'000;  // ms since the epoch
constexpr int64_t ns_per_ms = 1'000'000;

ScanRules rules_at(int64_t now, int64_t cache = 0) { return ScanRules{"astral1", now, 2 * minute, cache, true}; }

ListedSet listed(const std::string& name, uint64_t size, int64_t mtime_ms) {
  ListedSet s{name};
  s.stated = true;
  s.size = size;
  s.mtime_ns = mtime_ms * ns_per_ms;
  return s;
}

class ScanRulesTest : public ::testing::Test {
 protected:
  // One scan at `now`: its verdicts, with the sightings kept for the next.
  ScanJudgement scan(int64_t now, const std::vector<ListedSet>& sets, int64_t cache = 0,
                     const std::set<std::string>& recorded = {}) {
    ScanJudgement j = judge_listing(rules_at(now, cache), sets, sightings_, recorded);
    for (const std::string& name : j.forget) std::erase_if(sightings_, [&](const Sighting& s) { return s.name == name; });
    for (const Sighting& s : j.save) {
      std::erase_if(sightings_, [&](const Sighting& o) { return o.name == s.name; });
      sightings_.push_back(s);
    }
    return j;
  }

  static const ScanVerdict& of(const ScanJudgement& j, const std::string& name) {
    for (const ScanVerdict& v : j.verdicts) {
      if (v.name == name) return v;
    }
    static ScanVerdict none{"(none)", ScanState::recorded};
    ADD_FAILURE() << "no verdict for " << name;
    return none;
  }

  std::vector<Sighting> sightings_;
};

TEST_F(ScanRulesTest, NewSetIsUnsettledUntilUnchangedForTheSettleTime) {
  auto first = scan(t0, {listed("a.raw", 100, t0 - 10 * minute)});
  EXPECT_EQ(of(first, "a.raw").state, ScanState::unsettled) << "one sighting never settles, whatever the mtime says";
  EXPECT_EQ(of(first, "a.raw").retry_at_ms, t0 + 2 * minute);
  EXPECT_EQ(of(scan(t0 + minute, {listed("a.raw", 100, t0 - 10 * minute)}), "a.raw").state, ScanState::unsettled);
  auto later = scan(t0 + 2 * minute, {listed("a.raw", 100, t0 - 10 * minute)});
  EXPECT_EQ(of(later, "a.raw").state, ScanState::ready);
  EXPECT_EQ(of(later, "a.raw").first_seen_ms, t0);
}

TEST_F(ScanRulesTest, GrowingSetWithAnOldMtimeStaysUnsettled) {
  // An acquisition PC an hour behind: the mtime is old, but the size keeps changing.
  int64_t old = t0 - 60 * minute;
  scan(t0, {listed("a.raw", 100, old)});
  scan(t0 + 2 * minute, {listed("a.raw", 200, old)});
  auto j = scan(t0 + 4 * minute, {listed("a.raw", 300, old)});
  EXPECT_EQ(of(j, "a.raw").state, ScanState::unsettled);
  EXPECT_EQ(of(j, "a.raw").retry_at_ms, t0 + 6 * minute);
  EXPECT_EQ(of(scan(t0 + 6 * minute, {listed("a.raw", 300, old)}), "a.raw").state, ScanState::ready);
}

TEST_F(ScanRulesTest, SightingsCloserThanTheAttributeCacheDoNotCount) {
  int64_t cache = 30 * second;
  scan(t0, {listed("a.raw", 100, t0)}, cache);
  EXPECT_EQ(of(scan(t0 + 2 * minute, {listed("a.raw", 100, t0)}, cache), "a.raw").state, ScanState::unsettled);
  EXPECT_EQ(of(scan(t0 + 2 * minute + cache, {listed("a.raw", 100, t0)}, cache), "a.raw").state, ScanState::ready);
}

TEST_F(ScanRulesTest, ZeroSizeMissingMembersAndFutureMtimesNeverSettle) {
  ListedSet incomplete = listed("c.raw", 5, t0 - 60 * minute);
  incomplete.incomplete = "c.wiff.scan is missing";
  std::vector<ListedSet> sets{listed("a.raw", 0, t0 - 60 * minute), listed("b.raw", 5, t0 + 10 * minute), incomplete};
  scan(t0, sets);
  auto j = scan(t0 + 5 * minute, sets);
  EXPECT_EQ(of(j, "a.raw").state, ScanState::unsettled);
  EXPECT_EQ(of(j, "b.raw").state, ScanState::unsettled);
  EXPECT_NE(of(j, "b.raw").reason.find("ahead of this host's clock"), std::string::npos) << of(j, "b.raw").reason;
  EXPECT_EQ(of(j, "c.raw").state, ScanState::unsettled);
  EXPECT_EQ(of(j, "c.raw").reason, "c.wiff.scan is missing");
  // Once the mtime is past, it counts as changed then: the settle time runs from there.
  EXPECT_EQ(of(scan(t0 + 11 * minute, sets), "b.raw").state, ScanState::unsettled);
  EXPECT_EQ(of(scan(t0 + 13 * minute, sets), "b.raw").state, ScanState::ready);
}

TEST_F(ScanRulesTest, NewerSetSettlesTheOneBefore) {
  scan(t0, {listed("a.raw", 100, t0)});
  // a.raw unchanged, and b.raw appeared after a.raw's last change: the instrument moved on.
  auto j = scan(t0 + 20 * second, {listed("a.raw", 100, t0), listed("b.raw", 5, t0 + 20 * second)});
  EXPECT_EQ(of(j, "a.raw").state, ScanState::ready);
  EXPECT_NE(of(j, "a.raw").reason.find("b.raw appeared"), std::string::npos);
  EXPECT_EQ(of(j, "b.raw").state, ScanState::unsettled);
}

TEST_F(ScanRulesTest, NewerSetDoesNotSettleOneThatStillChanges) {
  scan(t0, {listed("a.raw", 100, t0)});
  auto j = scan(t0 + 20 * second, {listed("a.raw", 150, t0 + 20 * second), listed("b.raw", 5, t0 + 20 * second)});
  EXPECT_EQ(of(j, "a.raw").state, ScanState::unsettled);
}

TEST_F(ScanRulesTest, RenamedSetKeepsItsHistoryAndTheOldNameIsReported) {
  scan(t0, {listed("a.raw", 100, t0)});
  auto j = scan(t0 + 2 * minute, {listed("b.raw", 100, t0)});
  EXPECT_EQ(of(j, "a.raw").state, ScanState::renamed);
  EXPECT_EQ(of(j, "a.raw").renamed_to, "b.raw");
  EXPECT_EQ(of(j, "b.raw").state, ScanState::ready) << "it was unchanged since t0 under its old name";
  EXPECT_EQ(of(j, "b.raw").first_seen_ms, t0);
  EXPECT_EQ(sightings_.size(), 1u);
}

TEST_F(ScanRulesTest, ThermoCorruptedRenameIsAFailedAcquisition) {
  scan(t0, {listed("a.raw", 100, t0)});
  auto j = scan(t0 + 5 * minute, {listed("a_CORRUPTED.raw", 100, t0)});
  EXPECT_EQ(of(j, "a_CORRUPTED.raw").state, ScanState::renamed);
  EXPECT_NE(of(j, "a_CORRUPTED.raw").reason.find("failed acquisition"), std::string::npos);
  EXPECT_EQ(j.verdicts.size(), 1u) << "a.raw is not reported as vanished";
  EXPECT_TRUE(sightings_.empty());
}

TEST_F(ScanRulesTest, VanishedSetIsReportedADayThenForgottenAfterThirtyDays) {
  scan(t0, {listed("a.raw", 100, t0)});
  auto j = scan(t0 + minute, {});
  EXPECT_EQ(of(j, "a.raw").state, ScanState::vanished);
  ASSERT_EQ(sightings_.size(), 1u);
  EXPECT_EQ(sightings_[0].gone_ms, t0 + minute);
  EXPECT_EQ(of(scan(t0 + 12 * 60 * minute, {}), "a.raw").state, ScanState::vanished);
  EXPECT_TRUE(scan(t0 + 25 * 60 * minute, {}).verdicts.empty());
  EXPECT_EQ(sightings_.size(), 1u);
  scan(t0 + minute + sightings_kept_ms, {});
  EXPECT_TRUE(sightings_.empty());
}

TEST_F(ScanRulesTest, SetThatComesBackStartsSettlingAgain) {
  scan(t0, {listed("a.raw", 100, t0)});
  scan(t0 + 5 * minute, {});
  auto j = scan(t0 + 6 * minute, {listed("a.raw", 100, t0)});
  EXPECT_EQ(of(j, "a.raw").state, ScanState::unsettled);
}

TEST_F(ScanRulesTest, RecordedSetsAreForgottenAndNotHandedOn) {
  scan(t0, {listed("a.raw", 100, t0)});
  ListedSet recorded{"a.raw"};
  recorded.record = RecordedSet{"astral1", "2026-01-01T00:00:00.000Z", 1, false};
  auto j = scan(t0 + minute, {recorded}, 0, {"a.raw"});
  EXPECT_EQ(of(j, "a.raw").state, ScanState::recorded);
  EXPECT_TRUE(sightings_.empty());
  // Recorded and then removed from the folder: forgotten, not vanished.
  scan(t0 + 2 * minute, {listed("b.raw", 1, t0)});
  auto k = scan(t0 + 3 * minute, {}, 0, {"b.raw"});
  EXPECT_TRUE(k.verdicts.empty());
  EXPECT_TRUE(sightings_.empty());
}

// A set of 100 bytes at t0 whose name has a purged record of `size` bytes acquired at `created_ms`.
ListedSet purged_record(const std::string& instrument, uint64_t size, int64_t created_ms) {
  ListedSet set = listed("a.raw", 100, t0);
  set.record = RecordedSet{instrument, utc_of_ms(created_ms), size, true};
  return set;
}

TEST_F(ScanRulesTest, SameNameAfterAPurgeIsACollisionUnlessItIsTheRecordedSet) {
  auto newer = scan(t0, {purged_record("astral1", 100, t0 - 60 * minute)}, 0, {"a.raw"});
  EXPECT_EQ(of(newer, "a.raw").state, ScanState::collision);
  EXPECT_NE(of(newer, "a.raw").reason.find("another acquisition"), std::string::npos);
  auto resized = scan(t0, {purged_record("astral1", 99, t0)}, 0, {"a.raw"});
  EXPECT_EQ(of(resized, "a.raw").state, ScanState::collision) << "Thermo: another size is another acquisition";
  auto restored = scan(t0, {purged_record("astral1", 100, t0)}, 0, {"a.raw"});
  EXPECT_EQ(of(restored, "a.raw").state, ScanState::recorded) << "a restore puts the recorded mtime back";
  auto elsewhere = scan(t0, {purged_record("astral9", 100, t0)}, 0, {"a.raw"});
  EXPECT_EQ(of(elsewhere, "a.raw").state, ScanState::collision);
  EXPECT_NE(of(elsewhere, "a.raw").reason.find("astral9"), std::string::npos);
}

TEST_F(ScanRulesTest, InvalidNamesSayWhy) {
  ListedSet bad{"x\x01.raw"};
  bad.invalid = "contains a control character";
  auto j = scan(t0, {bad});
  EXPECT_EQ(of(j, "x\x01.raw").state, ScanState::invalid_name);
  EXPECT_EQ(of(j, "x\x01.raw").reason, "contains a control character");
  EXPECT_TRUE(sightings_.empty());
}

TEST(ScanStateTest, Names) {
  EXPECT_EQ(to_string(ScanState::invalid_name), "invalid-name");
  EXPECT_EQ(to_string(ScanState::ready), "ready");
}

}  // namespace
}  // namespace rawbackup
