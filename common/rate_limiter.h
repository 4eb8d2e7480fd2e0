// A shared cap on bytes per second (--max-bandwidth): callers reserve bytes and wait for
// their turn. Thread-safe; fair in the order of reservations.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace rawbackup {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // The time source and the wait; tests pass a simulated clock, so the schedule is checked
  // exactly and no test depends on how fast the machine is.
  struct Timing {
    std::function<Clock::time_point()> now = [] { return Clock::now(); };
    std::function<void(Clock::duration)> sleep = [](Clock::duration d) { std::this_thread::sleep_for(d); };
  };
  explicit RateLimiter(uint64_t bytes_per_second);
  RateLimiter(uint64_t bytes_per_second, Timing timing);
  // Waits until `bytes` more fit under the cap (a burst of up to 50 ms of traffic is let
  // through at once). Returns early, false, when the process is interrupted.
  bool acquire(uint64_t bytes);

 private:
  Timing timing_;
  double bytes_per_second_;
  std::mutex mutex_;
  Clock::time_point next_free_;
};

// "50MB/s", "500 KiB/s", "1.5GB", "1000000" (bytes) → bytes per second; nullopt when it is
// not a positive rate. Units: B, KB, MB, GB (10^3ⁿ), KiB, MiB, GiB (2^10ⁿ); "/s" optional.
std::optional<uint64_t> parse_rate(const std::string& text);

}  // namespace rawbackup
