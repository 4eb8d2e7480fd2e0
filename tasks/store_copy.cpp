#include "tasks/store_copy.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <set>

#include "common/interrupt.h"
#include "common/log.h"
#include "common/system.h"
#include "config/store_url.h"
#include "model/store/open_store.h"

namespace rawbackup {
namespace {

constexpr size_t records_per_batch = 200;  // one transaction each

struct CopyCounts {
  uint64_t copied = 0;
  uint64_t events = 0;
  uint64_t already_there = 0;
};

Result<std::unique_ptr<RecordStore>> open_end(const std::string& url, bool read_only) {
  StoreOptions options;
  options.read_only = read_only;
  return open_store(url, Actor{"store copy", host_id(), getpid()}, options);
}

// Ids of the target that the source does not have: a target that holds other records is
// another facility's store, or a store already in use.
std::vector<std::string> foreign_ids(const std::vector<std::string>& source, const std::vector<std::string>& target) {
  std::set<std::string> known(source.begin(), source.end());
  std::vector<std::string> foreign;
  for (const std::string& id : target) {
    if (!known.contains(id)) foreign.push_back(id);
  }
  return foreign;
}

// The records of `ids` that are missing in the target, copied a batch at a time.
Status copy_missing(RecordStore& from, RecordStore& to, const std::vector<std::string>& ids,
                    const std::set<std::string>& present, bool dry_run, CopyCounts& counts) {
  std::vector<StoredRecord> batch;
  auto flush = [&]() -> Status {
    if (batch.empty() || dry_run) return {};
    TRY(to.import(batch));
    spdlog::info("copied {} of {} record(s)", counts.copied, ids.size() - present.size());
    batch.clear();
    return {};
  };
  for (const std::string& id : ids) {
    if (present.contains(id)) {
      ++counts.already_there;
      continue;
    }
    if (interrupted())
      return fail(ErrorKind::interrupted,
                  "interrupted after " + std::to_string(counts.copied) + " record(s); a re-run copies the rest");
    TRY_ASSIGN(record, from.get(id));
    if (!record) continue;  // gone from the source meanwhile
    TRY_ASSIGN(events, from.history(id));
    ++counts.copied;
    counts.events += events.size();
    batch.push_back({std::move(*record), std::move(events)});
    if (batch.size() == records_per_batch) {
      TRY(flush());
    }
  }
  return flush();
}

struct StoreCopyResult {
  bool dry_run = false;
  std::string from;  // locations, passwords redacted
  std::string to;
  CopyCounts counts;
  double seconds = 0;

  std::string outcome() const { return dry_run ? "dry-run" : counts.copied > 0 ? "done" : "unchanged"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    return {{"task", "store copy"},
            {"outcome", outcome()},
            {"from", from},
            {"to", to},
            {"copied", counts.copied},
            {"events", counts.events},
            {"already_there", counts.already_there},
            {"seconds", seconds}};
  }
  std::string to_text() const {
    return "store copy " + from + " → " + to + ": " + outcome() + ", " + (dry_run ? "would copy " : "copied ") +
           std::to_string(counts.copied) + " record(s) with " + std::to_string(counts.events) + " event(s), " +
           std::to_string(counts.already_there) + " already there";
  }
};

}  // namespace

Result<TaskOutput> run_store_copy(const Context&, const StoreCopyOptions& options) {
  auto start = std::chrono::steady_clock::now();
  if (redact_store_url(options.from) == redact_store_url(options.to)) {
    return fail(ErrorKind::usage, "store copy: FROM and TO are the same store");
  }
  TRY_ASSIGN(from, open_end(options.from, true));
  TRY_ASSIGN(to, open_end(options.to, options.dry_run));
  TRY_ASSIGN(source_ids, from->list_ids({}));
  TRY_ASSIGN(target_ids, to->list_ids({}));
  if (auto foreign = foreign_ids(source_ids, target_ids); !foreign.empty()) {
    return fail(ErrorKind::conflict, "store copy: " + to->location() + " holds " + std::to_string(foreign.size()) +
                                         " record(s) that " + from->location() + " does not have (e.g. " +
                                         foreign.front() + "); stores are moved, not merged: copy into an empty one");
  }
  CopyCounts counts;
  std::set<std::string> present(target_ids.begin(), target_ids.end());
  TRY(copy_missing(*from, *to, source_ids, present, options.dry_run, counts));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return output_of(StoreCopyResult{options.dry_run, from->location(), to->location(), counts, seconds});
}

TaskRunner bind_store(CLI::App& command) {
  command.require_subcommand(1);
  CLI::App* copy =
      command.add_subcommand("copy", "Copy every record and event from one store into another (empty) one");
  auto options = std::make_shared<StoreCopyOptions>();
  copy->add_option("FROM", options->from, "Source store URL (sqlite:///abs/path.sqlite or postgresql://…)")->required();
  copy->add_option("TO", options->to, "Target store URL; must hold no other records")->required();
  copy->add_flag("--dry-run", options->dry_run, "Count what would be copied; write nothing");
  return [options](const Context& ctx) { return run_store_copy(ctx, *options); };
}

}  // namespace rawbackup
