#include "tasks/selection.h"

#include <CLI/CLI.hpp>
#include <array>
#include <ctime>
#include <regex>

namespace rawbackup {
namespace {

constexpr std::array<const char*, 7> weekdays{"sunday",   "monday", "tuesday", "wednesday",
                                              "thursday", "friday", "saturday"};

// Local midnight `days_back` days before the day of `now`.
Clock::time_point local_midnight(Clock::time_point now, int days_back) {
  std::time_t t = Clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  tm.tm_mday -= days_back;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return Clock::from_time_t(std::mktime(&tm));
}

std::optional<Clock::time_point> named_day(const std::string& text, Clock::time_point now) {
  if (text == "today") return local_midnight(now, 0);
  if (text == "yesterday") return local_midnight(now, 1);
  for (int day = 0; day < 7; ++day) {
    if (text != weekdays[static_cast<size_t>(day)]) continue;
    std::time_t t = Clock::to_time_t(now);
    std::tm tm{};
    localtime_r(&t, &tm);
    return local_midnight(now, (tm.tm_wday - day + 7) % 7);
  }
  return std::nullopt;
}

std::optional<Clock::time_point> age(const std::string& text, Clock::time_point now) {
  static const std::regex pattern(R"((\d{1,6})(m|h|d|w))");
  std::smatch m;
  if (!std::regex_match(text, m, pattern)) return std::nullopt;
  long count = std::stol(m[1].str());
  long minutes_per_unit = m[2] == "m" ? 1 : m[2] == "h" ? 60 : m[2] == "d" ? 1440 : 10080;
  return now - std::chrono::minutes(count * minutes_per_unit);
}

std::optional<Clock::time_point> calendar(const std::string& text) {
  static const std::regex pattern(R"((\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z)?)");
  std::smatch m;
  if (!std::regex_match(text, m, pattern)) return std::nullopt;
  auto number = [&](size_t i) { return m[i].matched ? std::stoi(m[i].str()) : 0; };
  std::tm tm{};
  tm.tm_year = number(1) - 1900;
  tm.tm_mon = number(2) - 1;
  tm.tm_mday = number(3);
  tm.tm_hour = number(4);
  tm.tm_min = number(5);
  tm.tm_sec = number(6);
  tm.tm_isdst = -1;
  bool in_range = tm.tm_year >= 70 && tm.tm_year <= 300 &&  // 1970–2200: fits the ns timestamps
                  tm.tm_mon <= 11 && tm.tm_mday >= 1 && tm.tm_mday <= 31 && tm.tm_hour <= 23 && tm.tm_min <= 59 &&
                  tm.tm_sec <= 60;
  if (!in_range) {
    return std::nullopt;
  }
  std::time_t t = m[7].matched ? timegm(&tm) : std::mktime(&tm);
  if (t == -1) return std::nullopt;
  return Clock::from_time_t(t);
}

Status check_status_name(const std::string& option, const std::string& name) {
  if (name.empty() || raw_file_status_from(name) || backup_status_from(name)) return {};
  return fail(ErrorKind::usage, option + ": unknown status '" + name +
                                    "' (status: checksumming, checksummed, copying, copying_done, error; "
                                    "backup: pending, in_progress, done, failed, skipped, attention)");
}

}  // namespace

Result<RecordFilter> record_filter(const std::string& status_option, const std::string& status,
                                   const std::string& instrument, const std::string& since) {
  TRY(check_status_name(status_option, status));
  RecordFilter filter;
  if (!status.empty()) filter.status = status;
  if (!instrument.empty()) filter.instrument_id = instrument;
  if (!since.empty()) {
    TRY_ASSIGN(parsed, parse_since(since, Clock::now()));
    filter.changed_since = parsed;
  }
  return filter;
}

Result<std::string> parse_since(const std::string& text, Clock::time_point now) {
  std::string lower = to_lower(text);
  std::optional<Clock::time_point> t = named_day(lower, now);
  if (!t) t = age(lower, now);
  if (!t) t = calendar(text);
  if (!t) {
    return fail(ErrorKind::usage, "--since: cannot read '" + text +
                                      "' (e.g. 2026-11-16, 2026-11-16T08:00, monday, "
                                      "yesterday, 12h, 3d)");
  }
  return format_utc(*t);
}

void add_selection_options(CLI::App& command, Selection& selection, const std::string& ids_help, bool with_instrument,
                           const std::string& positional) {
  command.add_option(positional, selection.ids, ids_help + " (or select with --all-status/--instrument/--since)");
  command.add_option("--all-status", selection.status,
                     "Every record with this status or backup_status (e.g. failed, error, attention)");
  if (with_instrument) {
    command.add_option("--instrument", selection.instrument, "Every record of this instrument");
  }
  command.add_option("--since", selection.since,
                     "Every record changed since DATE (2026-11-16, monday, yesterday, 12h, 3d)");
}

Result<std::vector<std::string>> select_ids(const Context& ctx, const Selection& selection) {
  if (!selection.ids.empty() && selection.filtered()) {
    return fail(ErrorKind::usage, "give raw file ids or --all-status/--instrument/--since, not both");
  }
  if (!selection.ids.empty()) return selection.ids;
  if (!selection.filtered()) {
    return fail(ErrorKind::usage, "no raw file: give an ID or select with --all-status/--instrument/--since");
  }
  TRY_ASSIGN(filter, record_filter("--all-status", selection.status, selection.instrument, selection.since));
  filter.unpurged_only = selection.unpurged_only;
  filter.backup_purged_before = selection.backup_purged_before;
  return ctx.store->list_ids(filter);
}

}  // namespace rawbackup
