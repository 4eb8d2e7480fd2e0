// The orders a listing can take (RecordQuery::order: what `serve`'s records table sorts by),
// for every backend of the StoreConformance suite (instantiated in
// record_store_conformance_test.cpp).
#include <gmock/gmock.h>

#include "store_backends.h"

namespace rawbackup::testing {
namespace {

TEST_P(StoreConformance, ListingsComeInTheOrderAsked) {
  auto store = open();
  auto add = [&](const std::string& id, const std::string& created, uint64_t size) {
    RawFile r = sample_record(id);
    r.created_at = created;
    r.size = size;
    ASSERT_TRUE(store->insert(r, ""));
  };
  add("b.raw", "2026-03-01T00:00:00.000Z", 5);
  add("c.raw", "2026-01-01T00:00:00.000Z", 50);
  add("a.raw", "2026-02-01T00:00:00.000Z", 5);
  auto listed = [&](RecordOrder order, uint64_t limit) {
    std::vector<std::string> ids;
    EXPECT_TRUE(store->list_rows(RecordQuery{{}, limit, order}, [&](const RecordRow& r) -> Status {
      ids.push_back(r.id);
      return {};
    }));
    return ids;
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(listed(RecordOrder::newest, 0), (Ids{"b.raw", "a.raw", "c.raw"}));
  EXPECT_EQ(listed(RecordOrder::oldest, 0), (Ids{"c.raw", "a.raw", "b.raw"}));
  EXPECT_EQ(listed(RecordOrder::name, 2), (Ids{"a.raw", "b.raw"}));
  EXPECT_EQ(listed(RecordOrder::largest, 0), (Ids{"c.raw", "a.raw", "b.raw"})) << "equal sizes by name";
  EXPECT_EQ(listed(RecordOrder::updated, 0).size(), 3u);
}

}  // namespace
}  // namespace rawbackup::testing
