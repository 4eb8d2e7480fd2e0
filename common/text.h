// Small formatting helpers shared by tasks and logs.
#pragma once
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rawbackup {

using Clock = std::chrono::system_clock;

// "2026-11-22T04:01:53.819Z" (UTC, milliseconds).
std::string format_utc(Clock::time_point t);
// Same, from nanoseconds since the Unix epoch (file mtimes).
std::string format_utc_ns(int64_t ns_since_epoch);
std::string now_utc();
// The time format_utc() wrote (milliseconds optional); nullopt for other text.
std::optional<Clock::time_point> parse_utc(const std::string& text);

// "1.5 GiB", "812 B".
std::string format_bytes(uint64_t bytes);
// "3.2 s", "1 h 02 min".
std::string format_duration(double seconds);

std::string to_lower(std::string s);
// "a, b, c" with `separator` between items.
std::string join(const std::vector<std::string>& items, const std::string& separator);
bool ends_with_icase(const std::string& s, const std::string& suffix);

}  // namespace rawbackup
