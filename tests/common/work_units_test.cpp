#include "common/work_units.h"

#include <gmock/gmock.h>

#include <atomic>
#include <stdexcept>

namespace rawbackup {
namespace {

TEST(WorkUnits, RunsEveryUnitOnce) {
  std::vector<std::atomic<int>> runs(1000);
  Status done = WorkUnits().run(runs.size(), 4, [&](size_t i) -> Status {
    ++runs[i];
    return {};
  });
  EXPECT_TRUE(done);
  for (const auto& r : runs) EXPECT_EQ(r, 1);
  EXPECT_TRUE(WorkUnits().run(0, 4, [](size_t) -> Status { return fail("never"); })) << "no units: nothing fails";
}

// The first failure is the one returned, and no unit starts after it.
TEST(WorkUnits, TheFirstFailureStopsTheRest) {
  std::atomic<int> started{0};
  WorkUnits units;
  Status done = units.run(1000, 1, [&](size_t i) -> Status {
    ++started;
    if (i == 10) return fail(ErrorKind::conflict, "unit 10 failed");
    if (i == 11) return fail("never reached");
    return {};
  });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().kind, ErrorKind::conflict);
  EXPECT_EQ(done.error().message, "unit 10 failed");
  EXPECT_EQ(started, 11);
  EXPECT_TRUE(units.stopping());
}

// An exception in a worker thread is an error, never std::terminate.
TEST(WorkUnits, AnExceptionInAUnitIsAnError) {
  Status done = WorkUnits().run(8, 4, [](size_t i) -> Status {
    if (i == 5) throw std::runtime_error("prepare failed");
    return {};
  });
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().message, "unexpected error: prepare failed");
}

}  // namespace
}  // namespace rawbackup
