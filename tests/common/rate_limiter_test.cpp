#include "common/rate_limiter.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

namespace rawbackup {
namespace {

TEST(ParseRate, UnitsAndForms) {
  EXPECT_EQ(parse_rate("50MB/s"), 50'000'000U);
  EXPECT_EQ(parse_rate("500 KiB/s"), 512'000U);
  EXPECT_EQ(parse_rate("1.5GB"), 1'500'000'000U);
  EXPECT_EQ(parse_rate("1000000"), 1'000'000U);
  EXPECT_FALSE(parse_rate("fast"));
  EXPECT_FALSE(parse_rate("0MB/s"));
  EXPECT_FALSE(parse_rate("5 parsecs"));
  for (const char* absurd : {"inf", "nan", "1e300GB/s", "1e16"}) EXPECT_FALSE(parse_rate(absurd)) << absurd;
}

// A simulated clock: sleeping advances it. Threads share it, so the time when the last of them
// is let through is the schedule the limiter kept, independent of the machine's speed.
class SimulatedClock {
 public:
  RateLimiter::Timing timing() {
    return {[this] { return now(); }, [this](RateLimiter::Clock::duration d) {
              std::lock_guard lock(mutex_);
              elapsed_ += d;
            }};
  }
  RateLimiter::Clock::time_point now() {
    std::lock_guard lock(mutex_);
    return RateLimiter::Clock::time_point{} + elapsed_;
  }

 private:
  std::mutex mutex_;
  RateLimiter::Clock::duration elapsed_{};
};

TEST(RateLimiter, HoldsTheRateAcrossThreads) {
  SimulatedClock clock;
  RateLimiter limiter(4'000'000, clock.timing());  // 4 MB/s: each 100 kB takes 25 ms
  std::vector<std::thread> threads;
  std::mutex mutex;
  RateLimiter::Clock::time_point last_let_through{};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(limiter.acquire(100'000));
        std::lock_guard lock(mutex);
        last_let_through = std::max(last_let_through, clock.now());
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(last_let_through.time_since_epoch()).count();
  // The 12th reservation starts at 11 × 25 ms; the simulated clock may overshoot it by the
  // waiting threads' concurrent sleeps (at most one 20 ms step each).
  EXPECT_GE(seconds, 0.275);
  EXPECT_LE(seconds, 0.275 + 3 * 0.020);
}

TEST(RateLimiter, IdleTimeIsNotSavedBeyondOneBurst) {
  SimulatedClock clock;
  RateLimiter limiter(1'000'000, clock.timing());
  clock.timing().sleep(std::chrono::seconds(10));  // idle for 10 s
  auto before = clock.now();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(limiter.acquire(100'000));  // 1 MB: 1 s at 1 MB/s
  double seconds = std::chrono::duration<double>(clock.now() - before).count();
  EXPECT_GE(seconds, 0.85 - 0.001) << "only 50 ms of the idle time is let through at once";
  EXPECT_LE(seconds, 0.85 + 0.020);
}

}  // namespace
}  // namespace rawbackup
