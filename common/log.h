// Diagnostics: spdlog to stderr, coloured text on a TTY, JSON lines otherwise.
// Results never go through here; they go to stdout (see tasks/output.h).
#pragma once
#include <string>

namespace rawbackup {

enum class LogFormat { automatic, text, json };

// Configures the default logger once. `level` is an spdlog level name
// (trace, debug, info, warn, error, critical, off); throws UsageError otherwise.
void setup_logging(const std::string& level, LogFormat format);

// Task and raw-file id added to every JSON log line (and as a prefix to text lines).
void set_log_context(const std::string& task, const std::string& id);

// True when stderr is a terminal (for progress bars and colours).
bool stderr_is_tty();

}  // namespace rawbackup
