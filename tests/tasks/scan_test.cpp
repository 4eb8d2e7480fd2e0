// `scan` on the in-memory file system (tasks/scan.h): sightings kept in the store, folder
// checks that never report "nothing new" by mistake, --limit, and checksum honouring what
// scan saw. The decisions themselves are tested in scan_rules_test.cpp.
#include "tasks/scan.h"

#include <gtest/gtest.h>

#include "tasks/checksum.h"
#include "tasks/copy_local.h"
#include "task_fixture.h"

namespace rawbackup {
namespace {

constexpr int64_t hour_ns = 3600LL * 1'000'000'000;

class ScanTaskTest : public TaskFixture {
 protected:
  ScanTaskTest() {
    fs_.add_dir("/data/astral1");
    fs_.add_dir("/data/timstof1");
  }

  TaskOutput scan(ScanOptions options = {}) {
    auto out = run_scan(context(), options);
    EXPECT_TRUE(out) << out.error().message;
    return out ? *out : TaskOutput{};
  }

  static std::string state_of(const TaskOutput& out, const std::string& name) {
    for (const auto& set : out.result["sets"]) {
      if (set["raw_file"] == name) return set["state"];
    }
    return "(not listed)";
  }

  // Backdates every sighting by `ms`, as if the scans so far had happened that much earlier.
  void age_sightings(const std::string& instrument, int64_t ms) {
    auto seen = store_.sightings(instrument);
    ASSERT_TRUE(seen);
    for (Sighting& s : *seen) {
      s.first_seen_ms -= ms;
      s.changed_ms -= ms;
      s.seen_ms -= ms;
    }
    std::vector<std::string> names;
    for (const Sighting& s : *seen) names.push_back(s.name);
    ASSERT_TRUE(store_.save_sightings(instrument, {}, names));
    ASSERT_TRUE(store_.save_sightings(instrument, *seen, {}));
  }
};

TEST_F(ScanTaskTest, NewSetsSettleAcrossScansAndRecordedOnesAreLeftOut) {
  fs_.add_file("/data/astral1/a.raw", "acquired", now_ns() - hour_ns);
  fs_.add_file("/data/astral1/notes.txt", "not a set");
  TaskOutput first = scan();
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_EQ(state_of(first, "a.raw"), "unsettled") << first.result.dump();
  EXPECT_EQ(state_of(first, "notes.txt"), "(not listed)");
  EXPECT_TRUE(first.result["ready"].empty());

  age_sightings("astral1", 10 * 60 * 1000);
  TaskOutput second = scan();
  EXPECT_EQ(state_of(second, "a.raw"), "ready") << second.result.dump();
  ASSERT_EQ(second.result["ready"].size(), 1u);
  EXPECT_EQ(second.result["ready"][0]["raw_file"], "a.raw");
  EXPECT_EQ(second.result["ready"][0]["instrument"], "astral1");
  EXPECT_EQ(second.result["ready"][0]["instrument_dir"], "/data/astral1") << second.result.dump();

  ChecksumOptions checksum{"astral1", "", "a.raw"};
  ASSERT_TRUE(run_checksum(context(), checksum));
  TaskOutput third = scan();
  EXPECT_EQ(state_of(third, "a.raw"), "(not listed)");
  EXPECT_EQ(third.result["counts"]["recorded"], 1);
  EXPECT_TRUE(store_.sightings("astral1")->empty()) << "a recorded set's sighting is forgotten";
  ScanOptions all;
  all.all = true;
  EXPECT_EQ(state_of(scan(all), "a.raw"), "recorded");
}

TEST_F(ScanTaskTest, ChecksumRefusesASetScanSawChangeRecentlyWhateverItsMtime) {
  // The instrument PC's clock is an hour behind: the mtime alone says "settled".
  fs_.add_file("/data/astral1/a.raw", "growing", now_ns() - hour_ns);
  scan();
  auto refused = run_checksum(context(), ChecksumOptions{"astral1", "", "a.raw"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().kind, ErrorKind::not_ready);
  EXPECT_NE(refused.error().message.find("scan saw it change"), std::string::npos) << refused.error().message;

  age_sightings("astral1", 10 * 60 * 1000);
  fs_.add_file("/data/astral1/a.raw", "grown further", now_ns() - hour_ns);
  auto changed = run_checksum(context(), ChecksumOptions{"astral1", "", "a.raw"});
  EXPECT_TRUE(changed) << "changed since a sighting 10 min old: the mtime rule decides";
}

TEST_F(ScanTaskTest, MissingFolderIsAnErrorAndOtherInstrumentsAreStillReported) {
  fs_.remove("/data/timstof1");
  fs_.add_file("/data/astral1/a.raw", "x", now_ns() - hour_ns);
  TaskOutput out = scan();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_EQ(out.outcome, "error");
  ASSERT_EQ(out.result["errors"].size(), 1u);
  EXPECT_EQ(out.result["errors"][0]["instrument"], "timstof1");
  EXPECT_NE(out.result["errors"][0]["error"].get<std::string>().find("/data/timstof1 is missing"), std::string::npos);
  EXPECT_EQ(state_of(out, "a.raw"), "unsettled");
  EXPECT_NE(out.text.find("error: timstof1"), std::string::npos) << out.text;
}

TEST_F(ScanTaskTest, FolderThatMustBeAMountPointIsCheckedAsOne) {
  config_.instruments["astral1"].must_be_mount = true;
  fs_.set_mount("/data", MountInfo{"/data", "ext4", "/dev/sda1", "rw"});
  ScanOptions astral;
  astral.instruments = {"astral1"};
  TaskOutput unmounted = scan(astral);
  EXPECT_EQ(unmounted.exit_code, 1);
  EXPECT_NE(unmounted.result["errors"][0]["error"].get<std::string>().find("not a mount point"), std::string::npos);
  fs_.set_mount("/data/astral1", MountInfo{"/data/astral1", "cifs", "//pc/raw", "rw,actimeo=1"});
  EXPECT_EQ(scan(astral).exit_code, 0);
}

TEST_F(ScanTaskTest, FolderEmptiedWithinADayIsAnError) {
  fs_.add_file("/data/astral1/a.raw", "x", now_ns() - hour_ns);
  scan();
  fs_.remove("/data/astral1/a.raw");
  TaskOutput emptied = scan();
  EXPECT_EQ(emptied.exit_code, 1);
  EXPECT_NE(emptied.result["errors"][0]["error"].get<std::string>().find("is empty, but a.raw was seen"),
            std::string::npos)
      << emptied.result.dump();
  EXPECT_EQ(scan().exit_code, 1) << "still, on the next scan: nothing was marked gone";
}

TEST_F(ScanTaskTest, EmptyFolderWithARecentUnpurgedRecordIsAnError) {
  fs_.add_file("/data/astral1/a.raw", "x", now_ns() - hour_ns);
  ASSERT_TRUE(run_checksum(context(), ChecksumOptions{"astral1", "", "a.raw"}));
  fs_.remove("/data/astral1/a.raw");
  TaskOutput out = scan();
  EXPECT_EQ(out.exit_code, 1);
  EXPECT_NE(out.result["errors"][0]["error"].get<std::string>().find("a.raw (acquired"), std::string::npos);
}

TEST_F(ScanTaskTest, FolderEmptiedAfterTheLocalBackupIsNothingNew) {
  fs_.add_file("/data/astral1/a.raw", "x", now_ns() - hour_ns);
  scan();
  age_sightings("astral1", 2 * 3600 * 1000);  // seen unchanged for two hours
  ASSERT_TRUE(run_checksum(context(), ChecksumOptions{"astral1", "", "a.raw"}));
  ASSERT_TRUE(run_copy_local(context(), CopyLocalOptions{"a.raw", false, false}));
  fs_.remove("/data/astral1/a.raw");  // the workflow moved it to processing
  TaskOutput out = scan();
  EXPECT_EQ(out.exit_code, 0) << out.result.dump();
  EXPECT_TRUE(out.result["errors"].empty());
}

TEST_F(ScanTaskTest, VanishedAndInvalidNamesAreReported) {
  fs_.add_file("/data/astral1/a.raw", "x", now_ns() - hour_ns);
  fs_.add_file("/data/astral1/b.raw", "y", now_ns() - hour_ns);
  scan();
  fs_.remove("/data/astral1/a.raw");
  fs_.add_file("/data/astral1/bad\x7fname.raw", "z");
  TaskOutput out = scan();
  EXPECT_EQ(state_of(out, "a.raw"), "vanished");
  EXPECT_EQ(state_of(out, "bad\x7fname.raw"), "invalid-name");
  EXPECT_NE(out.text.find("control character"), std::string::npos);
}

TEST_F(ScanTaskTest, LimitHandsOnTheOldestReadySetsFirst) {
  fs_.add_file("/data/astral1/c.raw", "x", now_ns() - 3 * hour_ns);
  fs_.add_file("/data/astral1/a.raw", "x", now_ns() - 1 * hour_ns);
  fs_.add_file("/data/astral1/b.raw", "x", now_ns() - 2 * hour_ns);
  scan();
  age_sightings("astral1", 10 * 60 * 1000);
  ScanOptions limited;
  limited.limit = 2;
  TaskOutput out = scan(limited);
  ASSERT_EQ(out.result["ready"].size(), 2u) << out.result.dump();
  EXPECT_EQ(out.result["ready"][0]["raw_file"], "c.raw");
  EXPECT_EQ(out.result["ready"][1]["raw_file"], "b.raw");
  EXPECT_EQ(out.result["more_ready"], 1);
}

TEST_F(ScanTaskTest, BrukerSetIsJudgedByItsMainFile) {
  // timstof1 has required_members: [] in the fixture: the .d folder itself is its main file.
  fs_.add_file("/data/timstof1/s.d/analysis.tdf", "x", now_ns() - hour_ns);
  ScanOptions bruker;
  bruker.instruments = {"timstof1"};
  EXPECT_EQ(state_of(scan(bruker), "s.d"), "unsettled");
  config_.instruments["timstof1"].required_members = std::vector<std::string>{"analysis.tdf", "analysis.tdf_bin"};
  TaskOutput out = scan(bruker);
  EXPECT_EQ(state_of(out, "s.d"), "unsettled");
  EXPECT_NE(out.text.find("s.d/analysis.tdf_bin is missing"), std::string::npos) << out.text;
}

}  // namespace
}  // namespace rawbackup
