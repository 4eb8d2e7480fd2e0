// What every store backend computes the same way (model/store_common.h).
#include "model/store_common.h"

#include <gtest/gtest.h>

namespace rawbackup {
namespace {

TEST(StoreCommon, EventsOnePerStatusFieldElseOneRecordEventWithAMessage) {
  RawFile before;
  RawFile after = before;
  EXPECT_TRUE(events_for(before, after, "").empty());
  auto record = events_for(before, after, "uploading");
  ASSERT_EQ(record.size(), 1u);
  EXPECT_EQ(record[0].field, "record");
  after.status = RawFileStatus::copying;
  after.backup_status = BackupStatus::in_progress;
  auto both = events_for(before, after, "why");
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].field, "status");
  EXPECT_EQ(both[0].from, "checksumming");
  EXPECT_EQ(both[0].to, "copying");
  EXPECT_EQ(both[1].field, "backup_status");
  EXPECT_EQ(both[1].message, "why");
}

TEST(StoreCommon, ApplyChangeSetsOnlyWhatIsGivenAndClearsNullables) {
  RawFile r;
  r.error = "old";
  r.project_id = "P1";
  RecordChange c;
  c.error = std::optional<std::string>{};
  c.size = 5;
  apply_change(r, c);
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.size, 5u);
  EXPECT_EQ(r.project_id, "P1");
}

TEST(StoreCommon, SummaryGroupsAddUpPerInstrumentAndInAll) {
  StoreSummary s;
  add_group(s, {"astral1", "copying_done", "done", 2, 20, 20, 10});
  add_group(s, {"astral1", "error", "failed", 1, 5, 0, 0});
  add_group(s, {"timstof1", "copying_done", "done", 3, 30, 30, 30});
  EXPECT_EQ(s.all.records, 6u);
  EXPECT_EQ(s.all.bytes_s3, 40u);
  EXPECT_EQ(s.all.status.at("copying_done"), 5u);
  EXPECT_EQ(s.instruments.at("astral1").records, 3u);
  EXPECT_EQ(s.instruments.at("astral1").backup_status.at("failed"), 1u);
}

TEST(StoreCommon, PartMd5sRoundTripAsBytesAndHexAndRefuseDamage) {
  std::vector<Md5Digest> parts{Md5Digest{1, 2, 3}, Md5Digest{0xff}};
  std::string bytes = pack_part_md5s(parts);
  EXPECT_EQ(bytes.size(), 32u);
  EXPECT_EQ(*unpack_part_md5s(std::as_bytes(std::span(bytes))), parts);
  EXPECT_FALSE(unpack_part_md5s(std::as_bytes(std::span(bytes).first(17))));
  std::string hex = part_md5s_hex(parts);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(*part_md5s_from_hex(hex), parts);
  EXPECT_FALSE(part_md5s_from_hex(hex.substr(1)));
  EXPECT_TRUE(part_md5s_from_hex("")->empty());
}

}  // namespace
}  // namespace rawbackup
