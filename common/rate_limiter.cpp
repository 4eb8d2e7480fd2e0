#include "common/rate_limiter.h"

#include <array>
#include <cctype>
#include <thread>
#include <utility>

#include "common/interrupt.h"
#include "common/text.h"

namespace rawbackup {

RateLimiter::RateLimiter(uint64_t bytes_per_second) : RateLimiter(bytes_per_second, Timing{}) {}

RateLimiter::RateLimiter(uint64_t bytes_per_second, Timing timing)
    : timing_(std::move(timing)), bytes_per_second_(static_cast<double>(bytes_per_second)), next_free_(timing_.now()) {}

bool RateLimiter::acquire(uint64_t bytes) {
  constexpr auto burst = std::chrono::milliseconds(50);
  Clock::time_point start;
  {
    std::lock_guard lock(mutex_);
    Clock::time_point now = timing_.now();
    if (next_free_ < now - burst) next_free_ = now - burst;  // idle time is not saved up beyond a burst
    start = next_free_;
    next_free_ += std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(static_cast<double>(bytes) / bytes_per_second_));
  }
  for (Clock::time_point now = timing_.now(); now < start; now = timing_.now()) {
    if (interrupted()) return false;
    timing_.sleep(std::min<Clock::duration>(start - now, std::chrono::milliseconds(20)));
  }
  return !interrupted();
}

std::optional<uint64_t> parse_rate(const std::string& text) {
  std::string s = to_lower(text);
  std::erase(s, ' ');
  if (s.ends_with("/s")) s.resize(s.size() - 2);
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(s, &end);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  static const std::array<std::pair<std::string_view, double>, 8> units{{{"", 1},
                                                                         {"b", 1},
                                                                         {"kb", 1e3},
                                                                         {"mb", 1e6},
                                                                         {"gb", 1e9},
                                                                         {"kib", 1024.0},
                                                                         {"mib", 1024.0 * 1024},
                                                                         {"gib", 1024.0 * 1024 * 1024}}};
  for (const auto& [unit, factor] : units) {
    // finite and below 2^53 B/s: the conversion to an integer is defined
    if (s.substr(end) == unit && value > 0 && value * factor < 9e15) return static_cast<uint64_t>(value * factor);
  }
  return std::nullopt;
}

}  // namespace rawbackup
