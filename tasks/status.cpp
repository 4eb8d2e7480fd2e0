#include "tasks/status.h"

#include <CLI/CLI.hpp>

#include "tasks/selection.h"
#include "tasks/status_format.h"
#include "tasks/status_summary.h"

namespace rawbackup {
namespace {

nlohmann::json event_json(const Event& e) {
  auto nullable = [](const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
  };
  return {{"at", e.at},        {"task", e.task},           {"host", e.host},
          {"pid", e.pid},      {"field", e.field},         {"from", nullable(e.from)},
          {"to", nullable(e.to)}, {"message", e.message}};
}

Status check_all_found(const std::vector<std::string>& ids, const std::vector<RawFile>& found) {
  std::string missing;
  for (const std::string& id : ids) {
    bool present = std::any_of(found.begin(), found.end(), [&](const RawFile& r) { return r.id == id; });
    if (!present) missing += (missing.empty() ? "" : ", ") + id;
  }
  if (missing.empty()) return {};
  return fail(ErrorKind::usage, "no record for " + missing);
}

// Detail view with optional history for each requested id.
Result<TaskOutput> describe(const Context& ctx, const std::vector<RawFile>& records, bool history) {
  TaskOutput out;
  out.result = {{"records", nlohmann::json::array()}};
  for (const RawFile& r : records) {
    nlohmann::json j = to_json(r);
    out.text += format_record_detail(r);
    if (history) {
      auto events = ctx.store->history(r.id);
      if (!events) return std::unexpected(events.error());
      j["history"] = nlohmann::json::array();
      for (const Event& e : *events) j["history"].push_back(event_json(e));
      out.text += format_history(*events);
    }
    out.result["records"].push_back(std::move(j));
    out.text += "\n";
  }
  if (!out.text.empty()) out.text.pop_back();
  return out;
}

TaskOutput summary_output(const std::vector<RawFile>& records) {
  TaskOutput out;
  out.result = {{"summary", summarize(records, 10)}};
  out.text = format_summary(out.result["summary"]);
  if (!out.text.empty() && out.text.back() == '\n') out.text.pop_back();
  return out;
}

}  // namespace

Result<TaskOutput> run_status(const Context& ctx, const StatusOptions& options) {
  auto filter = record_filter("--status", options.status, options.instrument, options.since);
  if (!filter) return std::unexpected(filter.error());
  filter->ids = options.ids;
  auto records = ctx.store->list(*filter);
  if (!records) return std::unexpected(records.error());
  if (options.summary) return summary_output(*records);
  if (!options.ids.empty()) {
    if (options.status.empty() && options.instrument.empty() && options.since.empty()) {
      if (Status s = check_all_found(options.ids, *records); !s) return std::unexpected(s.error());
    }
    return describe(ctx, *records, options.history);
  }
  if (options.history) return describe(ctx, *records, true);
  TaskOutput out;
  out.result = {{"records", nlohmann::json::array()}};
  for (const RawFile& r : *records) out.result["records"].push_back(to_json(r));
  out.text = format_record_table(*records);
  if (!out.text.empty() && out.text.back() == '\n') out.text.pop_back();
  return out;
}

TaskRunner bind_status(CLI::App& command) {
  auto options = std::make_shared<StatusOptions>();
  command.add_option("ID", options->ids, "Raw file ids to show in full (default: a table of all)");
  command.add_option("--status,--all-status", options->status,
                     "Only records with this status or backup_status (e.g. error, failed)");
  command.add_option("--instrument", options->instrument, "Only records of this instrument");
  command.add_option("--since", options->since,
                     "Only records changed since DATE (2026-11-16, monday, yesterday, 12h, 3d)");
  command.add_flag("--history", options->history, "Also show every status change (events)");
  command.add_flag("--summary", options->summary,
                   "Counts per status and backup_status per instrument, bytes backed up, last errors");
  return [options](const Context& ctx) { return run_status(ctx, *options); };
}

}  // namespace rawbackup
