#include "tasks/batch.h"

#include <map>

#include "common/log.h"

namespace rawbackup {
namespace {

constexpr int severity_of_skip = 1;

int severity(int code) {
  switch (code) {
    case exit_codes::ok: return 0;
    case exit_codes::failed: return 2;
    case exit_codes::usage: return 3;
    case exit_codes::conflict: return 4;
    case exit_codes::mismatch: return 5;
    case exit_codes::interrupted: return 6;
    default: return severity_of_skip;  // --skip-exit-code
  }
}

// What a run counts as in the batch line: its outcome; for a dry run that has a verdict
// (purge), what the real run would do ("would be purged", "would be kept").
std::string count_key(const TaskOutput& one) {
  if (one.result.is_object() && one.result.value("dry_run", false) && one.result.contains("verdict")) {
    return "would be " + one.result["verdict"].get<std::string>();
  }
  return one.outcome;
}

struct Tally {
  std::string task;
  TaskOutput out;
  std::map<std::string, int> counts;
  std::vector<std::string> lines;
  size_t selected = 0;

  void add_success(const TaskOutput& one) {
    ++counts[count_key(one)];
    out.bytes_moved += one.bytes_moved;  // the batch's metrics: every run's bytes
    out.result["results"].push_back(one.result);
    if (!one.text.empty()) lines.push_back(one.text);
    out.exit_code = worst_exit_code(out.exit_code, one.exit_code);
  }

  void add_failure(const std::string& id, const Error& error) {
    std::string message = one_line(error.message);
    spdlog::error("{}", message);
    ++counts[to_string(error.kind)];
    lines.push_back(task + " " + id + ": " + to_string(error.kind) + ": " + message);
    out.exit_code = worst_exit_code(out.exit_code, exit_code_for(error.kind));
    out.result["results"].push_back(error_result(task, id, error));
  }

  TaskOutput finish(size_t run) {
    std::vector<std::string> parts;
    for (const auto& [outcome, n] : counts) parts.push_back(std::to_string(n) + " " + outcome);
    if (run < selected) parts.push_back(std::to_string(selected - run) + " not run");
    std::string summary = std::to_string(selected) + " raw file(s)" + (parts.empty() ? "" : ": " + join(parts, ", ")) +
                          "; exit " + std::to_string(out.exit_code);
    spdlog::info("{}", summary);
    lines.push_back(task + ": " + summary);
    out.text = join(lines, "\n");
    out.result["task"] = task;
    out.outcome = severity(out.exit_code) <= severity_of_skip ? "ok" : "failed";
    out.result["outcome"] = out.outcome;
    out.result["selected"] = selected;
    out.result["counts"] = counts;
    out.result["exit_code"] = out.exit_code;
    return std::move(out);
  }
};

// One run; a usage error it throws (no S3 credentials, found when S3 is first needed) is that
// run's error like any other, so the batch goes on and reports it per id.
Result<TaskOutput> run_catching(const std::string& id, const RunOne& run_one) {
  try {
    return run_one(id);
  } catch (const UsageError& e) {
    return fail(ErrorKind::usage, e.what());
  }
}

// The line that ends every run: its outcome, duration, and the bytes moved when it did work.
Result<TaskOutput> logged_run(const std::string& id, const RunOne& run_one) {
  auto start = std::chrono::steady_clock::now();
  Result<TaskOutput> out = run_catching(id, run_one);
  if (!out) return out;
  LogFields fields;
  fields.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (out->bytes_moved > 0) fields.bytes = out->bytes_moved;
  log_with(spdlog::level::info, fields, "finished: " + out->outcome);
  return out;
}

}  // namespace

int worst_exit_code(int a, int b) { return severity(b) > severity(a) ? b : a; }

nlohmann::json error_result(const std::string& task, const std::string& id, const Error& error) {
  int code = exit_code_for(error.kind);
  const char* outcome = error.kind == ErrorKind::not_ready ? "not-ready" : "failed";
  nlohmann::json j{{"task", task},
                   {"outcome", outcome},
                   {"kind", to_string(error.kind)},
                   {"error", one_line(error.message)},
                   {"exit_code", code}};
  if (!id.empty()) j["id"] = id;
  return j;
}

Result<TaskOutput> run_batch(const Context& ctx, const std::string& task, const Selection& selection,
                             const RunOne& run_one, bool summarize_one) {
  if (!summarize_one && selection.ids.size() == 1 && !selection.filtered()) {
    return logged_run(selection.ids.front(), run_one);
  }
  TRY_ASSIGN(ids, select_ids(ctx, selection));
  Tally tally{task, {}, {}, {}, ids.size()};
  tally.out.result["results"] = nlohmann::json::array();
  size_t run = 0;
  for (const std::string& id : ids) {
    set_log_context(task, id);
    spdlog::info("raw file {} of {}", run + 1, ids.size());
    Result<TaskOutput> one = logged_run(id, run_one);
    ++run;
    if (one) {
      tally.add_success(*one);
      continue;
    }
    tally.add_failure(id, one.error());
    if (one.error().kind == ErrorKind::interrupted) break;
  }
  set_log_context(task, "");
  return tally.finish(run);
}

}  // namespace rawbackup
