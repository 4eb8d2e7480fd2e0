#include "tasks/restore.h"

#include <CLI/CLI.hpp>
#include <chrono>
#include <set>

#include "common/log.h"
#include "common/progress.h"
#include "common/text.h"
#include "model/placement.h"
#include "tasks/batch.h"
#include "transfer/archived_objects.h"
#include "transfer/copy_file.h"
#include "transfer/parallel_copy.h"
#include "transfer/s3_fetch.h"
#include "transfer/s3_set_listing.h"
#include "transfer/source_check.h"
#include "transfer/verify_checks.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

struct RestoreItem {
  std::string key;
  FileEntry entry;
  fs::path dest;
  DestinationCheck check;
};

struct RestorePlan {
  BackupPlace from;    // s3 or local
  std::string source;  // s3://bucket/prefix or the backup folder
  std::vector<RestoreItem> items;
  uint64_t bytes_to_restore = 0;
  size_t to_restore = 0;
  std::string id{};
  int request_archive_restore_days = 0;
};

// `from` as asked (--from), else S3 when uploaded, else the local backup.
Result<BackupPlace> choose_source(const Context& ctx, const RawFile& record, std::optional<BackupPlace> from) {
  BackupPlace chosen = from.value_or(has_s3_backup(record) ? BackupPlace::s3 : BackupPlace::local);
  if (chosen == BackupPlace::s3 && !record.s3_upload_path) {
    return fail(ErrorKind::usage, record.id + " has no S3 backup recorded");
  }
  if (chosen == BackupPlace::s3 && !ctx.objects) return fail(ErrorKind::usage, "the config has no backup.s3 section");
  if (chosen == BackupPlace::local && record.backup_purged_at) {
    return fail(ErrorKind::usage, record.id + ": the local backup was purged at " + *record.backup_purged_at +
                                      " (purge --target backup); restore from S3 (--from s3)");
  }
  if (chosen == BackupPlace::local && !has_local_backup(record)) {
    return fail(ErrorKind::usage, record.id + " has no finished local backup recorded");
  }
  return chosen;
}

// Refuses (kind conflict) a folder on the way from `to` to `key` that is a symlink: restore
// writes beneath --to only through folders that are folders, never through a link it did not
// create. `checked` holds the folders seen fine already (a .d of 20,000 files has few).
Status check_no_link_on_the_way(const FileSystem& fs, const fs::path& to, const std::string& key,
                                std::set<fs::path>& checked) {
  fs::path folder = to;
  fs::path parent = fs::path(key).parent_path();
  for (const fs::path& part : parent) {
    folder /= part;
    if (checked.contains(folder)) continue;
    TRY_ASSIGN(st, fs.stat(folder, false));
    if (st.type == EntryType::symlink) {
      return fail(ErrorKind::conflict, folder.string() + " is a symlink; restore writes only through real folders");
    }
    checked.insert(folder);
  }
  return {};
}

Result<RestorePlan> make_plan(const Context& ctx, const RawFile& record, const RestoreOptions& options) {
  TRY_ASSIGN(from, choose_source(ctx, record, options.from));
  std::string source = from == BackupPlace::s3 ? *record.s3_upload_path : backup_base(*ctx.config, record).string();
  RestorePlan plan{from, source, {}, 0, 0, record.id, options.request_archive_restore_days};
  std::set<fs::path> checked;
  std::vector<Destination> destinations;
  for (const auto& [key, entry] : record.file_info) {
    TRY(check_no_link_on_the_way(*ctx.fs, options.to, key, checked));
    destinations.push_back({options.to / key, &entry});
  }
  TRY_ASSIGN(checks, check_destinations(*ctx.fs, destinations, file_workers(*ctx.config)));
  auto check = checks.begin();
  for (const auto& [key, entry] : record.file_info) {
    RestoreItem item{key, entry, options.to / key, *check++};
    if (item.check.state != DestinationState::identical) {
      plan.bytes_to_restore += entry.size;
      ++plan.to_restore;
    }
    plan.items.push_back(std::move(item));
  }
  return plan;
}

Status refuse_differing(const RestorePlan& plan) {
  std::vector<std::string> refused;
  for (const RestoreItem& item : plan.items) {
    if (item.check.state == DestinationState::differs || item.check.state == DestinationState::not_a_file) {
      refused.push_back(item.dest.string());
    }
  }
  if (refused.empty()) return {};
  return fail(ErrorKind::conflict, "existing files differ from the record, left untouched: " + join(refused, "; "));
}

// Every object to fetch is there with the recorded size (HEAD, or a listing for many files):
// one gone, shorter or longer is a verification failure (exit 4) found before anything is
// fetched or written, as verify reports it. Then each is readable: not archived, or restored
// (transfer/archived_objects.h: exit 4 naming what to do, or 1 while restores are under way).
Status check_object_sizes(const Context& ctx, const S3Location& where, const RestorePlan& plan) {
  FileInfo wanted;
  for (const RestoreItem& item : plan.items) {
    if (item.check.state != DestinationState::identical) wanted[item.key] = item.entry;
  }
  TRY_ASSIGN(found, find_set_objects(ctx.objects(), where.bucket, where.prefix, wanted, true));
  std::vector<std::string> problems;
  for (const auto& [key, entry] : wanted) {
    std::string problem = object_size_problem(found, where.bucket, where.prefix, key, entry.size);
    if (!problem.empty()) problems.push_back(problem);
  }
  if (!problems.empty()) return fail(ErrorKind::mismatch, join(problems, "; ") + "; nothing written");
  SetObjects to_read;  // a listing may hold other keys of the folder
  for (const auto& [key, entry] : wanted) to_read[where.prefix + key] = found.at(where.prefix + key);
  return require_readable(ctx.objects(), where.bucket, to_read, plan.id, plan.request_archive_restore_days);
}

// Each object into a temporary file beside its destination, committed only when its bytes
// give the record's ETag (parts that arrive different are fetched once more); s3.concurrency
// GETs at once over the parts of any file, so a set of many small files is fetched side by
// side. A file is opened when its first part starts, so only those under way are open.
Status restore_from_s3(const Context& ctx, const RestorePlan& plan, Progress& progress,
                       const std::function<Status()>& fence) {
  auto where = parse_s3_url(plan.source);
  if (!where) return fail(ErrorKind::usage, "recorded S3 path " + plan.source + " is not s3://bucket/prefix");
  TRY(check_object_sizes(ctx, *where, plan));
  std::optional<RateLimiter> limiter;  // one cap for the whole restore
  if (ctx.config->s3->max_bandwidth) limiter.emplace(*ctx.config->s3->max_bandwidth);
  std::vector<const RestoreItem*> items;
  std::vector<FetchJob> jobs;
  for (const RestoreItem& item : plan.items) {
    if (item.check.state == DestinationState::identical) continue;
    items.push_back(&item);
    jobs.push_back({{where->bucket, where->prefix + item.key}, item.entry, nullptr});
  }
  std::vector<std::unique_ptr<OutputFile>> outs(jobs.size());
  std::vector<std::chrono::steady_clock::time_point> began(jobs.size());
  std::vector<RangeWriter> writers(jobs.size());
  for (size_t j = 0; j < jobs.size(); ++j) {
    writers[j] = [&outs, j](uint64_t offset, std::span<const std::byte> bytes) {
      return outs[j]->write_at(offset, bytes);
    };
    jobs[j].write = &writers[j];
  }
  FetchHooks hooks;
  hooks.start = [&](size_t j) -> Status {
    began[j] = std::chrono::steady_clock::now();
    TRY(ctx.fs->create_directories(items[j]->dest.parent_path()));
    TRY_ASSIGN(out, ctx.fs->create_file(items[j]->dest));
    outs[j] = std::move(out);
    return {};
  };
  hooks.done = [&](size_t j, Result<FetchCheck> check) -> Status {
    std::unique_ptr<OutputFile> out = std::move(outs[j]);  // removed unless committed
    if (!check) return std::unexpected(check.error());
    if (!check->matches) {
      return fail(ErrorKind::mismatch, s3_url(jobs[j].target) + ": " + check->difference + "; nothing written");
    }
    if (items[j]->entry.mtime_ns > 0) {  // the record's mtime; refused: the verified bytes still count
      if (Status s = out->set_mtime(items[j]->entry.mtime_ns); !s) {
        spdlog::warn("{}; it keeps the time of writing", s.error().message);
      }
    }
    TRY(fence());
    TRY(out->commit());
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began[j]).count();
    log_with(spdlog::level::debug, {items[j]->key, items[j]->entry.size, seconds}, "restored and verified");
    return {};
  };
  FetchOptions fetch;
  fetch.fallback_part_size = ctx.config->part_size();
  fetch.workers = ctx.config->s3->concurrency;
  fetch.limiter = limiter ? &*limiter : nullptr;
  fetch.on_bytes = [&](uint64_t n) { progress.advance(n); };
  return fetch_and_check_all(ctx.objects(), jobs, fetch, hooks);
}

// The backup copy's own mtime stands in for the record's (copy_files checks the source).
Status restore_from_local(const Context& ctx, const RestorePlan& plan, Progress& progress,
                          const std::function<Status()>& fence) {
  std::vector<CopyJob> jobs;
  for (const RestoreItem& item : plan.items) {
    if (item.check.state == DestinationState::identical) continue;
    fs::path source = fs::path(plan.source) / item.key;
    TRY_ASSIGN(st, ctx.fs->stat(source, true));
    if (st.type != EntryType::file)
      return fail(ErrorKind::mismatch, source.string() + " is missing from the local backup");
    FileEntry expected = item.entry;
    expected.mtime_ns = st.mtime_ns;
    jobs.push_back({item.key, source.string(), item.dest.string(), expected, item.entry.mtime_ns});
  }
  SourceCheck unchanged = [&](const CopyJob& job) -> Status {
    TRY_ASSIGN(change, source_change(*ctx.fs, job.source, job.expected));
    if (change.changed()) return fail(job.source + " changed while it was read (" + change.what + ")");
    return {};
  };
  return copy_files(
      *ctx.fs, jobs, file_workers(*ctx.config), unchanged, [&](size_t n) { progress.advance(n); },
      [&](std::span<const CopyJob* const>) { return fence(); });
}

// `to` is the set's instrument folder (however it is spelled): the restore brings a purged
// instrument copy back.
bool is_instrument_folder(const Context& ctx, const RawFile& record, const fs::path& to) {
  auto instrument = ctx.config->instruments.find(record.instrument_id);
  if (instrument == ctx.config->instruments.end()) return false;
  auto plain = [](const fs::path& p) { return p.has_filename() ? p : p.parent_path(); };  // "x/" is "x"
  auto a = ctx.fs->canonical(plain(to.lexically_normal()));
  auto b = ctx.fs->canonical(plain(instrument->second.path.lexically_normal()));
  return a && b && *a == *b;
}

const char* action_of(const RestoreItem& item) {
  if (item.check.state == DestinationState::identical) return "skip";
  bool refuse = item.check.state == DestinationState::differs || item.check.state == DestinationState::not_a_file;
  return refuse ? "refuse" : "restore";
}

// A restore done, skipped (everything identical) or planned (--dry-run: with each file's action).
struct RestoreResult {
  const RawFile& record;
  const RestorePlan& plan;
  const RestoreOptions& options;
  double seconds = 0;

  std::string outcome() const { return options.dry_run ? "dry-run" : plan.to_restore ? "done" : "skipped"; }
  uint64_t bytes_moved() const { return options.dry_run ? 0 : plan.bytes_to_restore; }
  size_t skipped() const { return plan.items.size() - plan.to_restore; }
  nlohmann::json to_json() const {
    nlohmann::json j{{"id", record.id},
                     {"task", "restore"},
                     {"outcome", outcome()},
                     {"from", to_string(plan.from)},
                     {"source", plan.source},
                     {"to", options.to.string()},
                     {"restored", plan.to_restore},
                     {"skipped", skipped()},
                     {"bytes", plan.bytes_to_restore},
                     {"seconds", seconds}};
    if (!options.dry_run) return j;
    j["files"] = nlohmann::json::array();
    for (const RestoreItem& item : plan.items) {
      j["files"].push_back({{"path", item.key}, {"action", action_of(item)}, {"bytes", item.entry.size}});
    }
    return j;
  }
  std::string to_text() const {
    std::string text = "restore " + record.id + ": " + outcome() + ", " + std::to_string(plan.to_restore) +
                       " file(s) (" + format_bytes(plan.bytes_to_restore) + ") from " + plan.source + " to " +
                       options.to.string() + ", skipped " + std::to_string(skipped()) + " identical";
    if (!options.dry_run) return text;
    for (const RestoreItem& item : plan.items) text += std::string("\n  ") + action_of(item) + "  " + item.key;
    return text;
  }
};

}  // namespace

Result<TaskOutput> run_restore(const Context& ctx, const RestoreOptions& options) {
  auto start = std::chrono::steady_clock::now();
  set_log_context("restore", options.id);
  // Under the record lock: concurrent restores of one set then find each other's files
  // identical (skipped) instead of racing for the names (found by integration/race_test.sh).
  auto held = hold_checksummed_record(ctx, options.id, !options.dry_run);
  if (!held) return std::unexpected(held.error());
  const RawFile* record = &held->record;
  TRY_ASSIGN(plan, make_plan(ctx, *record, options));
  Status refused = refuse_differing(plan);
  if (options.dry_run) {  // lists every file, with the exit code the real run would give (3 for a refusal)
    return output_of(RestoreResult{*record, plan, options, 0}, refused ? exit_codes::ok : exit_code_for(refused.error().kind));
  }
  TRY(refused);
  spdlog::info("restoring {} of {} file(s) ({}) from {} to {}", plan.to_restore, plan.items.size(),
               format_bytes(plan.bytes_to_restore), plan.source, options.to.string());
  Progress progress("restoring", plan.bytes_to_restore, ctx.tty);
  auto fence = fence_of(held->lock.get());
  Status done = plan.from == BackupPlace::s3 ? restore_from_s3(held->fenced(ctx), plan, progress, fence)
                                             : restore_from_local(ctx, plan, progress, fence);
  progress.finish();
  if (!done) return std::unexpected(done.error());
  bool back_on_instrument = record->purged_at && is_instrument_folder(ctx, *record, options.to);
  if (plan.to_restore > 0 || back_on_instrument) {
    RecordChange change;
    change.message =
        "restored " + std::to_string(plan.to_restore) + " file(s) from " + plan.source + " to " + options.to.string();
    if (back_on_instrument) {
      change.purged_at = std::optional<std::string>{};
      change.message += ": the instrument copy is back (purged_at cleared)";
    }
    record_best_effort(ctx, record->id, change, "the restore");
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return output_of(RestoreResult{*record, plan, options, seconds});
}

TaskRunner bind_restore(CLI::App& command) {
  auto options = std::make_shared<RestoreOptions>();
  command
      .add_option_function<std::string>(
          "--from",
          [options](const std::string& from) { options->from = from == "s3" ? BackupPlace::s3 : BackupPlace::local; },
          "s3 or local (default: s3 when uploaded, else local)")
      ->check(CLI::IsMember({"s3", "local"}));
  command.add_option("--to", options->to, "Folder to restore into (files keep their relative keys)")->required();
  command.add_flag("--dry-run", options->dry_run, "Show what would be restored, skipped or refused");
  command
      .add_option("--request-archive-restore", options->request_archive_restore_days,
                  "DAYS: objects in GLACIER or DEEP_ARCHIVE are asked back for that many days (tier Standard); "
                  "exit 1 until they are readable, then re-run")
      ->check(CLI::Range(1, 365));
  auto selection = std::make_shared<Selection>();
  add_selection_options(command, *selection, "Raw file ids");
  return with_concurrency_option(command, per_selected_id("restore", options, selection, &run_restore));
}

}  // namespace rawbackup
