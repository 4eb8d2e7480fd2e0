// The sightings `scan` keeps (model/sighting.h) and its one-query name lookup, for every
// backend of the StoreConformance suite (instantiated in record_store_conformance_test.cpp).
#include <gmock/gmock.h>

#include "store_backends.h"

namespace rawbackup::testing {
namespace {

Sighting seen(const std::string& name, uint64_t size, int64_t mtime, int64_t first, int64_t changed, int64_t at) {
  return Sighting{"", name, size, mtime, first, changed, at, 0};
}

TEST_P(StoreConformance, RowsNamedReturnsOnlyRecordedNames) {
  auto store = open();
  ASSERT_TRUE(store->insert(sample_record("a.raw"), "created"));
  ASSERT_TRUE(store->insert(sample_record("c.raw"), "created"));
  std::vector<RecordRow> rows;
  auto collect = [&](const RecordRow& row) -> Status {
    rows.push_back(row);
    return {};
  };
  Status named = store->rows_named({"a.raw", "b.raw", "c.raw", "it's \"quoted\".raw"}, collect);
  ASSERT_TRUE(named) << named.error().message;
  std::vector<std::string> ids;
  for (const RecordRow& row : rows) ids.push_back(row.id);
  EXPECT_THAT(ids, ::testing::UnorderedElementsAre("a.raw", "c.raw"));
  EXPECT_EQ(rows[0].instrument_id, sample_record("a.raw").instrument_id);
  rows.clear();
  ASSERT_TRUE(store->rows_named({}, collect));
  EXPECT_TRUE(rows.empty());
}

TEST_P(StoreConformance, SightingsMergeAsTwoHostsWouldWriteThem) {
  auto store = open();
  ASSERT_TRUE(store->save_sightings("astral1", {seen("a.raw", 10, 5, 1000, 1000, 1000)}, {}));
  // Another host saw the same state earlier and later: the earliest change, the latest look.
  ASSERT_TRUE(store->save_sightings("astral1", {seen("a.raw", 10, 5, 900, 900, 2000)}, {}));
  ASSERT_TRUE(store->save_sightings("astral1", {seen("a.raw", 10, 5, 1500, 1500, 1500)}, {}));
  auto got = store->sightings("astral1");
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].first_seen_ms, 900);
  EXPECT_EQ((*got)[0].changed_ms, 900);
  EXPECT_EQ((*got)[0].seen_ms, 2000);
  EXPECT_EQ((*got)[0].instrument_id, "astral1");

  // Another state replaces it (judged from the newer sighting); first_seen stays the earliest.
  ASSERT_TRUE(store->save_sightings("astral1", {seen("a.raw", 20, 6, 3000, 3000, 3000)}, {}));
  got = store->sightings("astral1");
  ASSERT_TRUE(got);
  EXPECT_EQ((*got)[0].size, 20u);
  EXPECT_EQ((*got)[0].mtime_ns, 6);
  EXPECT_EQ((*got)[0].first_seen_ms, 900);
  EXPECT_EQ((*got)[0].changed_ms, 3000);

  Sighting gone = (*got)[0];
  gone.gone_ms = 4000;
  ASSERT_TRUE(store->save_sightings("astral1", {gone}, {}));
  EXPECT_EQ((*store->sightings("astral1"))[0].gone_ms, 4000);
}

TEST_P(StoreConformance, SightingsAreKeptPerInstrumentAndForgotten) {
  auto store = open();
  ASSERT_TRUE(store->save_sightings("astral1", {seen("a.raw", 1, 1, 1, 1, 1), seen("b.raw", 2, 2, 2, 2, 2)}, {}));
  ASSERT_TRUE(store->save_sightings("astral2", {seen("a.raw", 3, 3, 3, 3, 3)}, {}));
  ASSERT_TRUE(store->save_sightings("astral1", {seen("c.raw", 4, 4, 4, 4, 4)}, {"a.raw", "never-seen.raw"}));
  auto one = store->sightings("astral1");
  ASSERT_TRUE(one);
  ASSERT_EQ(one->size(), 2u);
  EXPECT_EQ((*one)[0].name, "b.raw") << "by name";
  EXPECT_EQ((*one)[1].name, "c.raw");
  auto two = store->sightings("astral2");
  ASSERT_TRUE(two);
  ASSERT_EQ(two->size(), 1u);
  EXPECT_EQ((*two)[0].size, 3u);
}

TEST_P(StoreConformance, ReadOnlyStoreRefusesSightings) {
  { auto writer = open(); ASSERT_TRUE(writer->insert(sample_record("a.raw"), "created")); }
  auto reader = open({"test", "host", 7}, StoreOptions{.read_only = true});
  ASSERT_TRUE(reader);
  EXPECT_FALSE(reader->save_sightings("astral1", {seen("a.raw", 1, 1, 1, 1, 1)}, {}));
  EXPECT_TRUE(reader->sightings("astral1"));
}

}  // namespace
}  // namespace rawbackup::testing
