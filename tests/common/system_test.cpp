#include "common/system.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <thread>

namespace rawbackup {
namespace {

TEST(UsableCores, AQuotaIsWholeCoresRoundedUp) {
  EXPECT_EQ(cores_of_cpu_max("200000 100000\n"), 2u);
  EXPECT_EQ(cores_of_cpu_max("150000 100000"), 2u);  // --cpus=1.5: two threads share it
  EXPECT_EQ(cores_of_cpu_max("50000 100000"), 1u);
  EXPECT_EQ(cores_of_cpu_max("max 100000"), std::nullopt);
  EXPECT_EQ(cores_of_cpu_max(""), std::nullopt);
  EXPECT_EQ(cores_of_cpu_max("x 100000"), std::nullopt);
  EXPECT_EQ(cores_of_cpu_max("100000 0"), std::nullopt);
}

// The kernel's affinity mask, as taskset, a SLURM job or a container's cpuset set it: a thread
// pinned to one CPU may use one core.
TEST(UsableCores, FollowTheAffinityMask) {
  EXPECT_GE(usable_cores(), 1u);
  EXPECT_LE(usable_cores(), std::max(1U, std::thread::hardware_concurrency()));
  unsigned pinned = 0;
  std::thread([&] {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(sched_getcpu(), &one);
    if (sched_setaffinity(0, sizeof one, &one) == 0) pinned = usable_cores();
  }).join();
  EXPECT_EQ(pinned, 1u);
}

}  // namespace
}  // namespace rawbackup
