#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <mutex>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/text.h"

namespace rawbackup {
namespace {

std::mutex context_mutex;
std::string context_task;
std::string context_id;

std::pair<std::string, std::string> log_context() {
  std::lock_guard lock(context_mutex);
  return {context_task, context_id};
}

// One JSON object per line: {"ts","level","task","id","msg"}.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto [task, id] = log_context();
    nlohmann::json line{{"ts", format_utc(msg.time)},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(), spdlog::level::to_string_view(msg.level).size())},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    if (!task.empty()) line["task"] = task;
    if (!id.empty()) line["id"] = id;
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

// spdlog patterns treat '%' as a flag: a raw file name may contain one.
std::string escape_pattern(const std::string& text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '%') out += '%';
  }
  return out;
}

std::string text_pattern() {
  auto [task, id] = log_context();
  std::string prefix = task.empty() ? "" : escape_pattern(task + (id.empty() ? "" : " " + id)) + ": ";
  return "%H:%M:%S %^%l%$ " + prefix + "%v";
}

bool use_json = false;

}  // namespace

bool stderr_is_tty() { return isatty(STDERR_FILENO) == 1; }

void setup_logging(const std::string& level, LogFormat format) {
  auto parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw UsageError("--log-level: unknown level '" + level +
                     "' (trace, debug, info, warn, error, critical, off)");
  }
  use_json = format == LogFormat::json || (format == LogFormat::automatic && !stderr_is_tty());
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      use_json ? spdlog::color_mode::never : spdlog::color_mode::automatic);
  auto logger = std::make_shared<spdlog::logger>("rawbackup", sink);
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  if (use_json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern(text_pattern());
  }
}

void set_log_context(const std::string& task, const std::string& id) {
  {
    std::lock_guard lock(context_mutex);
    context_task = task;
    context_id = id;
  }
  if (!use_json) spdlog::default_logger()->set_pattern(text_pattern());
}

}  // namespace rawbackup
