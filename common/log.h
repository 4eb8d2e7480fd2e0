// Diagnostics: spdlog to stderr, coloured text on a TTY, JSON lines otherwise.
// Results never go through here; they go to stdout (see tasks/output.h).
#pragma once
#include <spdlog/spdlog.h>

#include <cstdint>
#include <optional>
#include <string>

namespace rawbackup {

enum class LogFormat { automatic, text, json };

// Configures the default logger once. `level` is an spdlog level name
// (trace, debug, info, warn, error, critical, off); throws UsageError otherwise.
void setup_logging(const std::string& level, LogFormat format);

// Task and raw-file id added to every JSON log line (and as a prefix to text lines).
void set_log_context(const std::string& task, const std::string& id);

// What a log line is about beyond its task and id. JSON lines get the keys "file", "bytes",
// "duration_s" and "rate_bytes_per_s" (bytes / duration, when both are known); text lines a
// suffix "(file x, 1.2 GiB in 3.4 s, 350 MiB/s)".
struct LogFields {
  std::string file{};
  std::optional<uint64_t> bytes{};
  std::optional<double> seconds{};
};
void log_with(spdlog::level::level_enum level, const LogFields& fields, const std::string& message);

// True when stderr is a terminal (for progress bars and colours).
bool stderr_is_tty();

}  // namespace rawbackup
