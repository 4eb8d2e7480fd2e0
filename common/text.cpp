#include "common/text.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace rawbackup {

std::string format_utc_ns(int64_t ns) {
  std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  int millis = static_cast<int>((ns % 1'000'000'000) / 1'000'000);
  if (millis < 0) millis = 0;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::array<char, 96> buf{};
  std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf.data();
}

std::string format_utc(Clock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return format_utc_ns(static_cast<int64_t>(ns));
}

std::string now_utc() { return format_utc(Clock::now()); }

std::string format_bytes(uint64_t bytes) {
  static constexpr std::array<const char*, 5> units{"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < units.size()) {
    value /= 1024;
    ++unit;
  }
  std::array<char, 32> buf{};
  std::snprintf(buf.data(), buf.size(), "%.1f %s", value, units[unit]);
  return buf.data();
}

std::string format_duration(double seconds) {
  std::array<char, 32> buf{};
  if (seconds < 60) {
    std::snprintf(buf.data(), buf.size(), "%.1f s", seconds);
  } else if (seconds < 3600) {
    std::snprintf(buf.data(), buf.size(), "%d min %02d s", static_cast<int>(seconds) / 60,
                  static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(buf.data(), buf.size(), "%d h %02d min", static_cast<int>(seconds) / 3600,
                  (static_cast<int>(seconds) % 3600) / 60);
  }
  return buf.data();
}

std::string to_lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

bool ends_with_icase(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && to_lower(s.substr(s.size() - suffix.size())) == to_lower(suffix);
}

}  // namespace rawbackup

namespace rawbackup {

std::optional<Clock::time_point> parse_utc(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  int millis = 0;
  if (*rest == '.') {
    char* end = nullptr;
    millis = static_cast<int>(std::strtol(rest + 1, &end, 10));
    if (end != rest + 4) return std::nullopt;
    rest = end;
  }
  if (std::string(rest) != "Z") return std::nullopt;
  return Clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(millis);
}

}  // namespace rawbackup
