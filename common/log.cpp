#include "common/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

#include <cmath>
#include <mutex>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/text.h"

namespace rawbackup {
namespace {

std::mutex context_mutex;
std::string context_task;
std::string context_id;

thread_local const LogFields* line_fields = nullptr;  // of the line being logged (JSON)

std::optional<double> rate_of(const LogFields& f) {
  if (!f.bytes || *f.bytes == 0 || !f.seconds || *f.seconds <= 0) return std::nullopt;
  return static_cast<double>(*f.bytes) / *f.seconds;
}

void add_fields(nlohmann::json& line, const LogFields& f) {
  if (!f.file.empty()) line["file"] = f.file;
  if (f.bytes) line["bytes"] = *f.bytes;
  if (f.seconds) line["duration_s"] = std::round(*f.seconds * 1000) / 1000;
  if (auto rate = rate_of(f)) line["rate_bytes_per_s"] = static_cast<uint64_t>(*rate);
}

std::string fields_text(const LogFields& f) {
  std::vector<std::string> parts;
  if (!f.file.empty()) parts.push_back("file " + f.file);
  std::string amount = f.bytes ? format_bytes(*f.bytes) : "";
  if (f.seconds) amount += (amount.empty() ? "" : " in ") + format_duration(*f.seconds);
  if (!amount.empty()) parts.push_back(amount);
  if (auto rate = rate_of(f)) parts.push_back(format_bytes(static_cast<uint64_t>(*rate)) + "/s");
  return parts.empty() ? "" : " (" + join(parts, ", ") + ")";
}

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
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    if (!task.empty()) line["task"] = task;
    if (!id.empty()) line["id"] = id;
    if (line_fields != nullptr) add_fields(line, *line_fields);
    std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
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
    throw UsageError("--log-level: unknown level '" + level + "' (trace, debug, info, warn, error, critical, off)");
  }
  use_json = format == LogFormat::json || (format == LogFormat::automatic && !stderr_is_tty());
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(use_json ? spdlog::color_mode::never
                                                                             : spdlog::color_mode::automatic);
  auto logger = std::make_shared<spdlog::logger>("rawbackup", sink);
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  if (use_json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern(text_pattern());
  }
}

void log_with(spdlog::level::level_enum level, const LogFields& fields, const std::string& message) {
  if (!spdlog::should_log(level)) return;
  if (!use_json) {
    spdlog::log(level, "{}{}", message, fields_text(fields));
    return;
  }
  line_fields = &fields;
  spdlog::log(level, "{}", message);
  line_fields = nullptr;
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
