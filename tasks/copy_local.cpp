#include "tasks/copy_local.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <thread>

#include "common/log.h"
#include "common/progress.h"
#include "common/text.h"
#include "tasks/batch.h"
#include "tasks/copy_file.h"
#include "tasks/parallel_copy.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

struct PlannedFile {
  std::string key;
  fs::path source;
  fs::path dest;
  FileEntry entry;
  DestinationCheck check;
};

struct CopyPlan {
  fs::path base;
  std::vector<PlannedFile> files;
  uint64_t bytes_to_copy = 0;
  size_t to_copy = 0;
};

fs::path backup_base(const Config& config, const RawFile& record) {
  std::string month = record.created_at.substr(0, 4) + "_" + record.created_at.substr(5, 2);
  return config.backup_path / record.instrument_id / month;
}

Result<CopyPlan> make_plan(const Context& ctx, const RawFile& record) {
  const InstrumentConfig& instrument = ctx.config->instrument(record.instrument_id);
  CopyPlan plan;
  plan.base = backup_base(*ctx.config, record);
  for (const auto& [key, entry] : record.file_info) {
    PlannedFile file{key, instrument.path / key, plan.base / key, entry, {}};
    auto check = check_destination(*ctx.fs, file.dest, entry);
    if (!check) return std::unexpected(check.error());
    file.check = *check;
    if (file.check.state != DestinationState::identical) {
      plan.bytes_to_copy += entry.size;
      ++plan.to_copy;
    }
    plan.files.push_back(std::move(file));
  }
  return plan;
}

// Destinations that must not be touched: differing files (without --overwrite), non-files.
std::vector<std::string> refusals(const CopyPlan& plan, bool overwrite) {
  std::vector<std::string> out;
  for (const PlannedFile& f : plan.files) {
    if (f.check.state == DestinationState::not_a_file) {
      out.push_back(f.dest.string() + " is not a regular file");
    } else if (f.check.state == DestinationState::differs && !overwrite) {
      out.push_back(f.dest.string() + " differs (" + f.check.md5 + ", record " + f.entry.md5 + ")");
    }
  }
  return out;
}

const char* action_of(const PlannedFile& f) {
  switch (f.check.state) {
    case DestinationState::missing: return "copy";
    case DestinationState::identical: return "skip";
    case DestinationState::differs: return "replace";
    case DestinationState::not_a_file: return "refuse";
  }
  return "?";
}

TaskOutput dry_run_output(const RawFile& record, const CopyPlan& plan, bool overwrite) {
  TaskOutput out;
  out.result = {{"id", record.id}, {"task", "copy-local"}, {"outcome", "dry-run"},
                {"destination", plan.base.string()}, {"files", nlohmann::json::array()}};
  out.text = "copy-local " + record.id + " (dry run) → " + plan.base.string() + "\n";
  for (const PlannedFile& f : plan.files) {
    std::string action = action_of(f);
    if (action == "replace" && !overwrite) action = "refuse";
    out.result["files"].push_back({{"path", f.key}, {"action", action}, {"bytes", f.entry.size}});
    out.text += "  " + action + "  " + f.key + "\n";
  }
  out.text.pop_back();
  return out;
}

bool tracks_local_backup(const Config& config) { return config.backup_type == BackupType::local; }

Status set_status(const Context& ctx, const std::string& id, RawFileStatus status,
                  std::optional<BackupStatus> backup, RecordChange change) {
  change.status = status;
  if (tracks_local_backup(*ctx.config)) change.backup_status = backup;
  auto updated = ctx.store->update(id, change);
  if (!updated) return std::unexpected(updated.error());
  return {};
}

// Checks every source first, moves differing copies aside (--overwrite), then copies.
Status copy_all(const Context& ctx, const CopyPlan& plan, Progress& progress) {
  std::vector<CopyJob> jobs;
  for (const PlannedFile& f : plan.files) {
    if (f.check.state == DestinationState::identical) continue;
    if (Status s = check_source_unchanged(*ctx.fs, f.source, f.key, f.entry); !s) return s;
    jobs.push_back({f.key, f.source, f.dest, f.entry});
  }
  for (const PlannedFile& f : plan.files) {
    if (f.check.state != DestinationState::differs) continue;
    auto aside = move_aside(*ctx.fs, f.dest);
    if (!aside) return std::unexpected(aside.error());
    spdlog::warn("{}: differing copy moved aside to {}", f.key, aside->string());
  }
  unsigned workers = std::min(4U, std::max(2U, std::thread::hardware_concurrency()));
  return copy_files(*ctx.fs, jobs, workers, [&](size_t n) { progress.advance(n); });
}

TaskOutput done_output(const RawFile& record, const CopyPlan& plan, double seconds) {
  size_t skipped = plan.files.size() - plan.to_copy;
  TaskOutput out;
  out.result = {{"id", record.id},         {"task", "copy-local"},
                {"outcome", plan.to_copy ? "done" : "skipped"},
                {"copied", plan.to_copy},  {"skipped", skipped},
                {"bytes", plan.bytes_to_copy}, {"seconds", seconds},
                {"destination", plan.base.string()}};
  out.text = "copy-local " + record.id + ": " + (plan.to_copy ? "done" : "skipped") + ", copied " +
             std::to_string(plan.to_copy) + " file(s) (" + format_bytes(plan.bytes_to_copy) +
             "), skipped " + std::to_string(skipped) + " identical, in " + format_duration(seconds) +
             " → " + plan.base.string();
  return out;
}

// Nothing to copy and the record already says so: a re-run then writes no events.
bool record_needs_update(const Context& ctx, const RawFile& record, const CopyPlan& plan) {
  return plan.to_copy > 0 || record.status != RawFileStatus::copying_done ||
         (tracks_local_backup(*ctx.config) && record.backup_status != BackupStatus::done);
}

Result<TaskOutput> copy_and_record(const Context& ctx, const RawFile& record, const CopyPlan& plan,
                                   std::chrono::steady_clock::time_point start) {
  bool update = record_needs_update(ctx, record, plan);
  RecordChange started;
  started.message = "copying " + std::to_string(plan.to_copy) + " file(s) to " + plan.base.string();
  if (update) {
    if (Status s = set_status(ctx, record.id, RawFileStatus::copying, BackupStatus::in_progress, started); !s) {
      return std::unexpected(s.error());
    }
  }
  Progress progress("copying", plan.bytes_to_copy, ctx.tty);
  Status copied = copy_all(ctx, plan, progress);
  progress.finish();
  RecordChange end;
  if (!copied) {
    end.error = copied.error().message;
    end.message = "copy failed: " + copied.error().message;
    (void)set_status(ctx, record.id, RawFileStatus::error, BackupStatus::failed, end);
    return std::unexpected(copied.error());
  }
  if (update) {
    end.error = std::optional<std::string>{};
    end.backup_base_path = plan.base.string();
    end.message = "verified " + std::to_string(plan.files.size()) + " file(s) in " + plan.base.string();
    if (Status s = set_status(ctx, record.id, RawFileStatus::copying_done, BackupStatus::done, end); !s) {
      return std::unexpected(s.error());
    }
  }
  return done_output(record, plan, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

}  // namespace

Result<TaskOutput> run_copy_local(const Context& ctx, const CopyLocalOptions& options) {
  auto start = std::chrono::steady_clock::now();
  set_log_context("copy-local", options.id);
  auto held = hold_checksummed_record(ctx, options.id, !options.dry_run);
  if (!held) return std::unexpected(held.error());
  const RawFile* record = &held->record;
  auto plan = make_plan(ctx, *record);
  if (!plan) return std::unexpected(plan.error());
  if (options.dry_run) return dry_run_output(*record, *plan, options.overwrite);
  if (auto refused = refusals(*plan, options.overwrite); !refused.empty()) {
    RecordChange change;
    change.error = "destination differs: " + join(refused, "; ");
    change.message = "copy refused: " + join(refused, "; ");
    (void)ctx.store->update(options.id, change);
    return fail(ErrorKind::conflict, "destination differs, left untouched (use --overwrite to move it aside): " + join(refused, "; "));
  }
  return copy_and_record(ctx, *record, *plan, start);
}

TaskRunner bind_copy_local(CLI::App& command) {
  auto options = std::make_shared<CopyLocalOptions>();
  command.add_flag("--overwrite", options->overwrite,
                   "Move a differing destination aside to <file>.<n>.bkp, then copy");
  command.add_flag("--dry-run", options->dry_run, "Show what would be copied, skipped or refused");
  auto selection = std::make_shared<Selection>();
  add_selection_options(command, *selection, "Raw file ids (checksummed)");
  return per_selected_id("copy-local", options, selection, &run_copy_local);
}

}  // namespace rawbackup
