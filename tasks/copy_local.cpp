#include "tasks/copy_local.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <mutex>
#include <set>

#include "common/log.h"
#include "common/progress.h"
#include "common/text.h"
#include "model/placement.h"
#include "tasks/batch.h"
#include "transfer/copy_file.h"
#include "transfer/parallel_copy.h"
#include "transfer/source_check.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

// A file of the record (key and entry point into the record, which outlives the plan).
struct PlannedFile {
  const std::string& key;
  const FileEntry& entry;
  std::string dest;
  DestinationCheck check;
};

struct CopyPlan {
  fs::path base;
  fs::path source_base;  // the instrument folder
  std::vector<PlannedFile> files;
  uint64_t bytes_to_copy = 0;
  size_t to_copy = 0;
  SourceChange source_change;  // of the instrument's set since checksum
};

// Bytes of the destinations that exist with their recorded size: what checking them re-reads.
uint64_t existing_bytes(const FileSystem& fs, const fs::path& base, const RawFile& record) {
  uint64_t total = 0;
  for (const auto& [key, entry] : record.file_info) {
    auto stat = fs.stat(base / key, false);
    if (stat && stat->type == EntryType::file && stat->size == entry.size) total += entry.size;
  }
  return total;
}

// Lists the instrument's set (a file added since checksum must not go unnoticed) and looks
// at every destination; existing copies are re-read, with progress.
Result<CopyPlan> make_plan(const Context& ctx, const RawFile& record) {
  const InstrumentConfig& instrument = ctx.config->instrument(record.instrument_id);
  CopyPlan plan;
  plan.base = backup_base(*ctx.config, record);
  plan.source_base = instrument.path;
  plan.files.reserve(record.file_info.size());
  TRY_ASSIGN(changed, set_change_since_checksum(*ctx.fs, instrument, record));
  plan.source_change = changed;
  Progress progress("checking existing copies", existing_bytes(*ctx.fs, plan.base, record), ctx.tty);
  std::vector<Destination> destinations;
  for (const auto& [key, entry] : record.file_info) {
    destinations.push_back({plan.base / key, &entry});
    ctx.fs->remove_stale_temporaries(destinations.back().path.parent_path());  // a stopped run's, before looking
  }
  TRY_ASSIGN(checks, check_destinations(*ctx.fs, destinations, file_workers(*ctx.config),
                                        [&](size_t n) { progress.advance(n); }));
  auto check = checks.begin();
  for (const auto& [key, entry] : record.file_info) {
    PlannedFile file{key, entry, (plan.base / key).string(), *check++};
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
      out.push_back(f.dest + " is not a regular file");
    } else if (f.check.state == DestinationState::differs && !overwrite) {
      out.push_back(f.dest + " differs (" + f.check.md5 + ", record " + f.entry.md5 + ")");
    }
  }
  return out;
}

std::string action_of(const PlannedFile& f, const CopyPlan& plan, bool overwrite) {
  switch (f.check.state) {
    case DestinationState::missing: return plan.source_change.changed() ? "refuse (source changed)" : "copy";
    case DestinationState::identical: return "skip";
    case DestinationState::differs:
      if (plan.source_change.changed()) return "refuse (source changed)";
      return overwrite ? "replace" : "refuse";
    case DestinationState::not_a_file: return "refuse";
  }
  return "?";
}

struct CopyDryRun {
  const RawFile& record;
  const CopyPlan& plan;
  bool overwrite = false;

  std::string outcome() const { return "dry-run"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    nlohmann::json j{{"id", record.id},
                     {"task", "copy-local"},
                     {"outcome", outcome()},
                     {"destination", plan.base.string()},
                     {"files", nlohmann::json::array()}};
    if (plan.source_change.changed()) j["source_changed"] = plan.source_change.what;
    for (const PlannedFile& f : plan.files) {
      j["files"].push_back({{"path", f.key}, {"action", action_of(f, plan, overwrite)}, {"bytes", f.entry.size}});
    }
    return j;
  }
  std::string to_text() const {
    std::string text = "copy-local " + record.id + " (dry run) → " + plan.base.string();
    for (const PlannedFile& f : plan.files) text += "\n  " + action_of(f, plan, overwrite) + "  " + f.key;
    return text;
  }
};

bool tracks_local_backup(const Config& config) { return config.backup_type == BackupType::local; }

Status set_status(const Context& ctx, const std::string& id, RawFileStatus status, std::optional<BackupStatus> backup,
                  RecordChange change) {
  change.status = status;
  if (tracks_local_backup(*ctx.config)) change.backup_status = backup;
  TRY(ctx.store->update(id, change));
  return {};
}

// The instrument's file must still have the size and mtime checksum recorded: a conflict
// naming the way out otherwise; a missing one is an I/O failure (a share may come back).
Status check_source(const Context& ctx, const RawFile& record, const CopyJob& job) {
  TRY_ASSIGN(change, source_change(*ctx.fs, job.source, job.expected));
  if (change.missing) return fail(job.key + ": source " + job.source + " is missing");
  if (!change.changed()) return {};
  change.what = job.key + ": " + change.what;
  return std::unexpected(changed_since_checksum(record, change, std::chrono::seconds(ctx.config->settle_seconds)));
}

// Checks every source first, then copies; a differing copy (--overwrite) is moved aside only
// once its replacement is complete and verified, right before the replacement is committed,
// so a full disk or a crash mid-copy leaves the old copy under its name.
Status copy_all(const Context& ctx, const RawFile& record, const CopyPlan& plan, Progress& progress,
                const std::function<Status()>& fence) {
  SourceCheck unchanged = [&](const CopyJob& job) { return check_source(ctx, record, job); };
  std::vector<CopyJob> jobs;
  jobs.reserve(plan.to_copy);
  std::set<std::string> differing;
  for (const PlannedFile& f : plan.files) {
    if (f.check.state == DestinationState::identical) continue;
    jobs.push_back({f.key, (plan.source_base / f.key).string(), f.dest, f.entry, 0});
    TRY(unchanged(jobs.back()));
    if (f.check.state == DestinationState::differs) differing.insert(f.dest);
  }
  std::mutex aside_mutex;
  BeforeCommit before_commit = [&](std::span<const CopyJob* const> committing) -> Status {
    TRY(fence());
    std::lock_guard lock(aside_mutex);
    for (const CopyJob* job : committing) {
      if (differing.erase(job->dest) == 0) continue;
      TRY_ASSIGN(aside, move_aside(*ctx.fs, job->dest));
      spdlog::warn("{}: differing copy moved aside to {}", job->key, aside.string());
    }
    return {};
  };
  return copy_files(
      *ctx.fs, jobs, file_workers(*ctx.config), unchanged, [&](size_t n) { progress.advance(n); }, before_commit);
}

struct CopyResult {
  const RawFile& record;
  const CopyPlan& plan;
  double seconds = 0;

  std::string outcome() const { return plan.to_copy ? "done" : "skipped"; }
  uint64_t bytes_moved() const { return plan.bytes_to_copy; }
  size_t skipped() const { return plan.files.size() - plan.to_copy; }
  nlohmann::json to_json() const {
    return {{"id", record.id},      {"task", "copy-local"},
            {"outcome", outcome()}, {"copied", plan.to_copy},
            {"skipped", skipped()}, {"bytes", plan.bytes_to_copy},
            {"seconds", seconds},   {"destination", plan.base.string()}};
  }
  std::string to_text() const {
    return "copy-local " + record.id + ": " + outcome() + ", copied " + std::to_string(plan.to_copy) + " file(s) (" +
           format_bytes(plan.bytes_to_copy) + "), skipped " + std::to_string(skipped()) + " identical, in " +
           format_duration(seconds) + " → " + plan.base.string();
  }
};

// A set whose local backup `purge --target backup` deleted: S3 holds it; copying it again
// would undo the retention (a restore --to brings it back where someone wants it).
struct CopyNotWanted {
  const RawFile& record;

  std::string reason() const {
    return "its local backup was purged at " + *record.backup_purged_at +
           " (purge --target backup; S3 holds the set): nothing copied";
  }
  std::string outcome() const { return "skipped"; }
  uint64_t bytes_moved() const { return 0; }
  nlohmann::json to_json() const {
    return {{"id", record.id}, {"task", "copy-local"}, {"outcome", outcome()}, {"reason", reason()}};
  }
  std::string to_text() const { return "copy-local " + record.id + ": skipped, " + reason(); }
};

// Nothing to copy and the record already says so: a re-run then writes no events.
bool record_needs_update(const Context& ctx, const RawFile& record, const CopyPlan& plan) {
  return plan.to_copy > 0 || record.status != RawFileStatus::copying_done ||
         (tracks_local_backup(*ctx.config) && record.backup_status != BackupStatus::done);
}

Result<TaskOutput> copy_and_record(const Context& ctx, const HeldRecord& held, const CopyPlan& plan,
                                   std::chrono::steady_clock::time_point start) {
  const RawFile& record = held.record;
  bool update = record_needs_update(ctx, record, plan);
  RecordChange started;
  started.message = "copying " + std::to_string(plan.to_copy) + " file(s) to " + plan.base.string();
  if (update) {
    if (Status s = set_status(ctx, record.id, RawFileStatus::copying, BackupStatus::in_progress, started); !s) {
      return std::unexpected(s.error());
    }
  }
  Progress progress("copying", plan.bytes_to_copy, ctx.tty);
  Status copied = copy_all(ctx, record, plan, progress, fence_of(held.lock.get()));
  progress.finish();
  RecordChange end;
  if (!copied) {
    end.error = copied.error().message;
    end.message = "copy failed: " + copied.error().message;
    Status recorded = set_status(ctx, record.id, RawFileStatus::error, BackupStatus::failed, end);
    if (!recorded && recorded.error().message != copied.error().message) {  // not the same lost lease
      // A store on the full disk: say that the record still shows the copy running.
      return fail(copied.error(), "the failure could not be recorded (" + recorded.error().message +
                                      "; the record still says copying)");
    }
    return std::unexpected(copied.error());
  }
  if (update) {
    end.error = std::optional<std::string>{};
    end.backup_base_path = backup_folder(record);  // relative: every host resolves it under its own root
    end.message = "verified " + std::to_string(plan.files.size()) + " file(s) in " + plan.base.string();
    // Under backup_type s3 a refused copy's attention ends here when no upload was made yet
    // (with one, upload-s3 or verify says whether the S3 backup is good).
    if (record.backup_status == BackupStatus::attention && !record.s3_upload_path) {
      end.backup_status = BackupStatus::pending;
    }
    if (Status s = set_status(ctx, record.id, RawFileStatus::copying_done, BackupStatus::done, end); !s) {
      return std::unexpected(s.error());
    }
  }
  return output_of(
      CopyResult{record, plan, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()});
}

}  // namespace

Result<TaskOutput> run_copy_local(const Context& ctx, const CopyLocalOptions& options) {
  auto start = std::chrono::steady_clock::now();
  set_log_context("copy-local", options.id);
  auto held = hold_checksummed_record(ctx, options.id, !options.dry_run);
  if (!held) return std::unexpected(held.error());
  const RawFile* record = &held->record;
  if (record->backup_purged_at) return output_of(CopyNotWanted{*record});
  TRY_ASSIGN(plan, make_plan(ctx, *record));
  if (options.dry_run) return output_of(CopyDryRun{*record, plan, options.overwrite});
  if (plan.source_change.changed()) {
    Error e = changed_since_checksum(*record, plan.source_change, std::chrono::seconds(ctx.config->settle_seconds));
    RecordChange change;
    change.error = e.message;
    change.message = "copy refused: " + e.message;
    record_best_effort(ctx, options.id, change, "the refusal");
    return std::unexpected(e);
  }
  if (auto refused = refusals(plan, options.overwrite); !refused.empty()) {
    RecordChange change;
    change.error = "destination differs: " + join(refused, "; ");
    change.backup_status = BackupStatus::attention;  // a person decides: --overwrite, or the copy there is right
    change.message = "copy refused: " + join(refused, "; ");
    record_best_effort(ctx, options.id, change, "the refusal");
    return fail(ErrorKind::conflict,
                "destination differs, left untouched (use --overwrite to move it aside): " + join(refused, "; "));
  }
  return copy_and_record(ctx, *held, plan, start);
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
