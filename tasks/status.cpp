#include "tasks/status.h"

#include <CLI/CLI.hpp>
#include <ostream>

#include "tasks/selection.h"
#include "tasks/status_format.h"
#include "tasks/status_metrics.h"
#include "tasks/status_summary.h"

namespace rawbackup {
namespace {

// The records of `ids`, each read by its key; kind usage naming those that do not exist.
Result<std::vector<RawFile>> records_of(const Context& ctx, const std::vector<std::string>& ids) {
  std::vector<RawFile> records;
  std::vector<std::string> missing;
  for (const std::string& id : ids) {
    auto record = ctx.store->get(id);
    if (!record) return std::unexpected(record.error());
    if (*record) {
      records.push_back(std::move(**record));
    } else {
      missing.push_back(id);
    }
  }
  if (!missing.empty()) return fail(ErrorKind::usage, "no record for " + join(missing, ", "));
  return records;
}

// Whole records (status ID…), with their events when asked (--history).
struct RecordsResult {
  std::vector<RawFile> records;
  std::vector<std::vector<Event>> histories;  // one per record with --history, else empty

  std::string outcome() const { return "ok"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    nlohmann::json j{{"records", nlohmann::json::array()}};
    for (size_t i = 0; i < records.size(); ++i) {
      nlohmann::json record = rawbackup::to_json(records[i]);
      if (!histories.empty()) {
        record["history"] = nlohmann::json::array();
        for (const Event& e : histories[i]) record["history"].push_back(event_json(e));
      }
      j["records"].push_back(std::move(record));
    }
    return j;
  }
  std::string to_text() const {
    std::string text;
    for (size_t i = 0; i < records.size(); ++i) {
      text += format_record_detail(records[i]);
      if (!histories.empty()) text += format_history(histories[i]);
      text += "\n";
    }
    if (!text.empty()) text.pop_back();
    return text;
  }
};

// The ids of the matching records, newest first (status --ids).
struct IdsResult {
  std::vector<std::string> ids;

  std::string outcome() const { return "ok"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const { return {{"ids", ids}}; }
  std::string to_text() const { return join(ids, "\n"); }
};

Result<TaskOutput> describe(const Context& ctx, std::vector<RawFile> records, bool history) {
  RecordsResult result{std::move(records), {}};
  if (history) {
    for (const RawFile& r : result.records) {
      TRY_ASSIGN(events, ctx.store->history(r.id));
      result.histories.push_back(std::move(events));
    }
  }
  return output_of(result);
}

// Prometheus text (the textfile collector's format); with --json {"metrics": text}.
struct MetricsResult {
  std::string metrics;

  std::string outcome() const { return "ok"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const { return {{"metrics", metrics}}; }
  std::string to_text() const { return metrics.substr(0, metrics.size() - 1); }  // print adds the last newline
};

Result<TaskOutput> metrics_output(const Context& ctx) {
  TRY_ASSIGN(metrics, metrics_of_store(*ctx.store, *ctx.config, Clock::now()));
  return output_of(MetricsResult{std::move(metrics)});
}

Result<TaskOutput> summary_output(const Context& ctx, const RecordFilter& filter) {
  TRY_ASSIGN(summary, ctx.store->summarize(filter, 10));
  return output_of(SummaryResult{std::move(summary)});
}

// The table, streamed from the store: JSON in one pass; text in two (column widths, then
// the rows), so memory stays the same for 50 rows or 100,000.
TaskOutput table_output(const Context& ctx, const RecordQuery& query) {
  TaskOutput out;
  // The store, not the context: the stream runs after run_status returned (while the app
  // still holds the store open).
  out.stream = [store = ctx.store, query](std::ostream& os, bool json) -> Status {
    auto total = store->count(query.filter);
    if (!total) return std::unexpected(total.error());
    uint64_t shown = 0;
    if (json) {
      os << "{\"records\":[";
      Status listed = store->list_rows(query, [&](const RecordRow& row) -> Status {
        os << (shown++ ? "," : "") << to_json(row).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        return {};
      });
      if (!listed) return listed;
      os << "],\"shown\":" << shown << ",\"total\":" << *total << "}\n";
      return {};
    }
    TableLayout layout;
    Status measured = store->list_rows(query, [&](const RecordRow& row) -> Status {
      layout.measure(row);
      return {};
    });
    if (!measured) return measured;
    if (*total == 0) {
      os << "no records\n";
      return {};
    }
    os << layout.header();
    Status printed = store->list_rows(query, [&](const RecordRow& row) -> Status {
      os << layout.line(row);
      ++shown;
      return {};
    });
    if (!printed) return printed;
    os << table_footer(shown, *total);
    return {};
  };
  return out;
}

}  // namespace

Result<TaskOutput> run_status(const Context& ctx, const StatusOptions& options) {
  TRY_ASSIGN(filter, record_filter("--status", options.status, options.instrument, options.since));
  bool filtered = !options.status.empty() || !options.instrument.empty() || !options.since.empty();
  if (options.metrics) {
    if (filtered || !options.ids.empty()) {
      return fail(ErrorKind::usage,
                  "--metrics describes the whole store: drop the ids and --status/--instrument/--since");
    }
    return metrics_output(ctx);
  }
  if (options.summary) return summary_output(ctx, filter);
  if (options.ids_only) {
    if (!options.ids_limit) {
      TRY_ASSIGN(ids, ctx.store->list_ids(filter));
      return output_of(IdsResult{std::move(ids)});
    }
    IdsResult newest;
    TRY(ctx.store->list_rows(RecordQuery{filter, *options.ids_limit}, [&](const RecordRow& row) -> Status {
      newest.ids.push_back(row.id);
      return {};
    }));
    return output_of(newest);
  }
  if (!options.ids.empty() && filtered) {
    return fail(ErrorKind::usage, "give raw file ids or --status/--instrument/--since, not both");
  }
  if (!options.ids.empty()) {
    auto records = records_of(ctx, options.ids);
    if (!records) return std::unexpected(records.error());
    return describe(ctx, std::move(*records), options.history);
  }
  RecordQuery query{filter, options.limit};
  if (!options.history) return table_output(ctx, query);
  std::vector<std::string> ids;  // --history without ids: the listed records in full
  TRY(ctx.store->list_rows(query, [&](const RecordRow& row) -> Status {
    ids.push_back(row.id);
    return {};
  }));
  auto records = records_of(ctx, ids);
  if (!records) return std::unexpected(records.error());
  return describe(ctx, std::move(*records), true);
}

TaskRunner bind_status(CLI::App& command) {
  auto options = std::make_shared<StatusOptions>();
  auto all = std::make_shared<bool>(false);
  command.add_option("ID", options->ids, "Raw file ids to show in full (default: a table of the newest)");
  command.add_option("--status,--all-status", options->status,
                     "Only records with this status or backup_status (e.g. error, failed)");
  command.add_option("--instrument", options->instrument, "Only records of this instrument");
  command.add_option("--since", options->since,
                     "Only records changed since DATE (2026-11-16, monday, yesterday, 12h, 3d)");
  CLI::Option* limit = command.add_option("--limit", options->limit, "Rows of the table: the newest N (default 50); with --ids, the newest N ids (default all)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}));
  command.add_flag("--all", *all, "Every matching record in the table (streamed)");
  command.add_flag("--history", options->history, "Also show every status change (events)");
  command.add_flag("--ids", options->ids_only, "Only the ids of the matching records, one per line (newest first)");
  command.add_flag("--metrics", options->metrics,
                   "Prometheus metrics of the whole store (node_exporter textfile format): records, bytes, "
                   "oldest not backed up, last verify, failures in 24 h");
  command.add_flag("--summary", options->summary,
                   "Counts per status and backup_status per instrument, bytes backed up, last errors");
  return [options, all, limit](const Context& ctx) {
    StatusOptions chosen = *options;
    if (*all) chosen.limit = 0;
    if (limit->count() > 0 && !*all) chosen.ids_limit = chosen.limit;
    return run_status(ctx, chosen);
  };
}

}  // namespace rawbackup
