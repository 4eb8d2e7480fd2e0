#include "common/rate_limiter.h"

#include <gtest/gtest.h>

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

TEST(RateLimiter, HoldsTheRateAcrossThreads) {
  RateLimiter limiter(4'000'000);  // 4 MB/s: 1.2 MB takes 0.3 s (less one burst)
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 4; ++i) limiter.acquire(100'000);
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(seconds, 0.22);
  EXPECT_LE(seconds, 0.6);
}

}  // namespace
}  // namespace rawbackup
