#include "tasks/checksum.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>

#include "common/log.h"
#include "common/text.h"
#include "integrity/etag.h"
#include "model/layout.h"
#include "model/placement.h"
#include "tasks/batch.h"
#include "transfer/hash_set.h"
#include "transfer/settle.h"

namespace rawbackup {
namespace {

// Sizes, mtimes and part size as recorded: the content can be trusted without hashing.
bool stat_unchanged(const FileInfo& recorded, const RawFileSet& set, uint64_t part_size) {
  if (recorded.size() != set.files.size()) return false;
  for (const SetMember& m : set.files) {
    auto it = recorded.find(m.key);
    if (it == recorded.end() || it->second.size != m.size || it->second.mtime_ns != m.mtime_ns ||
        it->second.part_size != part_size_for(m.size, part_size)) {
      return false;
    }
  }
  return true;
}

// What a re-hash compares with: each recorded file's size and MD5, sorted by key and kept
// compact (a record of 20,000 files is held while its files are hashed again).
struct RecordedFile {
  std::string key;
  uint64_t size = 0;
  Md5Digest md5{};
};
using RecordedContent = std::vector<RecordedFile>;

RecordedContent recorded_content(FileInfo files) {
  RecordedContent content;
  content.reserve(files.size());
  for (auto node = files.begin(); node != files.end(); node = files.erase(node)) {
    content.push_back({node->first, node->second.size, md5_from_hex(node->second.md5).value_or(Md5Digest{})});
  }
  return content;
}

const RecordedFile* find_recorded(const RecordedContent& recorded, const std::string& key) {
  auto it = std::lower_bound(recorded.begin(), recorded.end(), key,
                             [](const RecordedFile& f, const std::string& k) { return f.key < k; });
  return it != recorded.end() && it->key == key ? &*it : nullptr;
}

// Paths whose content (size or MD5) differs, including added and removed files.
std::vector<std::string> content_differences(const RecordedContent& recorded, const FileInfo& now) {
  std::vector<std::string> paths;
  for (const auto& [key, entry] : now) {
    const RecordedFile* before = find_recorded(recorded, key);
    if (before == nullptr) {
      paths.push_back(key + " (new)");
    } else if (before->size != entry.size || to_hex(before->md5) != entry.md5) {
      paths.push_back(key + " (md5 " + to_hex(before->md5) + " → " + entry.md5 + ")");
    }
  }
  for (const RecordedFile& f : recorded) {
    if (!now.contains(f.key)) paths.push_back(f.key + " (missing)");
  }
  return paths;
}

// A set hashed ("done") or found unchanged since the last checksum ("unchanged").
struct ChecksumResult {
  std::string id;
  bool hashed = false;
  const RawFileSet& set;
  double seconds = 0;

  std::string outcome() const { return hashed ? "done" : "unchanged"; }
  uint64_t bytes_moved() const { return hashed ? set.total_size : 0; }
  nlohmann::json to_json() const {
    return {{"id", id},
            {"task", "checksum"},
            {"outcome", outcome()},
            {"files", set.files.size()},
            {"bytes", set.total_size},
            {"seconds", seconds}};
  }
  std::string to_text() const {
    std::string text = "checksum " + id + ": " + outcome() + ", " + std::to_string(set.files.size()) + " file(s), " +
                       format_bytes(set.total_size) + " in " + format_duration(seconds);
    if (hashed && seconds > 0) {
      text += " (" + format_bytes(static_cast<uint64_t>(static_cast<double>(set.total_size) / seconds)) + "/s)";
    }
    return text;
  }
};

struct ChecksumDryRun {
  std::string id;
  const RawFileSet& set;
  bool known = false;      // a record exists
  bool unchanged = false;  // sizes and mtimes as recorded
  std::string project;
  std::string not_ready;  // the settle rule's refusal, "" when the set has settled

  std::string outcome() const { return "dry-run"; }
  uint64_t bytes_moved() const { return 0; }
  bool would_hash() const { return !unchanged && not_ready.empty(); }
  nlohmann::json to_json() const {
    nlohmann::json j{{"id", id},
                     {"task", "checksum"},
                     {"outcome", outcome()},
                     {"dry_run", true},
                     {"would_hash", would_hash()},
                     {"new_record", !known},
                     {"files", set.files.size()},
                     {"bytes", set.total_size}};
    if (!not_ready.empty()) j["not_ready"] = not_ready;
    return j;
  }
  std::string to_text() const {
    std::string would = !not_ready.empty() ? not_ready + "; would not hash"
                        : unchanged        ? "unchanged since the last checksum: would not hash"
                        : known            ? "would re-hash (sizes or mtimes changed, or --rehash)"
                                           : "would create the record (project " + project + ") and hash";
    std::string text = "checksum " + id + " (dry run): " + would + " " + std::to_string(set.files.size()) +
                       " file(s), " + format_bytes(set.total_size);
    for (const SetMember& m : set.files) text += "\n  " + m.key + "  " + format_bytes(m.size);
    return text;
  }
};

RawFile new_record(const std::string& name, const InstrumentConfig& instrument, const std::string& project,
                   const RawFileSet& set) {
  RawFile record;
  record.id = name;
  record.instrument_id = instrument.id;
  record.project_id = project;
  record.vendor = instrument.vendor;
  record.created_at = format_utc_ns(set.newest_mtime_ns);
  record.size = set.total_size;
  record.status = RawFileStatus::checksumming;
  record.backup_status = BackupStatus::pending;
  return record;
}

// The change that stores freshly hashed `info`. A first checksum, or accepted new content
// (--overwrite), makes the record "checksummed" with its backups pending again.
RecordChange hashed_change(bool first, const RawFileSet& set, FileInfo info, bool content_changed,
                           const std::string& project) {
  RecordChange change;
  change.file_info = std::move(info);
  change.size = set.total_size;
  change.error = std::optional<std::string>{};
  // created_at places the set (its backup month) and dates its acquisition: a re-hash of the
  // same content (files restored with new mtimes, --rehash) never moves it.
  if (first || content_changed) {
    change.created_at = format_utc_ns(set.newest_mtime_ns);
    change.status = RawFileStatus::checksummed;
    change.backup_status = BackupStatus::pending;
    change.project_id = project;
  }
  change.message = first             ? "hashed " + std::to_string(set.files.size()) + " file(s)"
                   : content_changed ? "content changed, accepted with --overwrite"
                                     : "re-hashed, content unchanged";
  return change;
}

// Hashes the set, then lists it again: a file added, removed or changed meanwhile (a Bruker
// acquisition writing a new file) makes the hashes those of a set that no longer exists.
Result<FileInfo> hash_unchanged_set(const Context& ctx, const RawFileSet& set, const InstrumentConfig& instrument,
                                    const std::string& name, std::chrono::seconds settle) {
  Result<FileInfo> info = hash_set(*ctx.fs, set, ctx.config->part_size(), settle, ctx.tty, file_workers(*ctx.config));
  if (!info) return info;
  Result<RawFileSet> again = find_raw_file_set(*ctx.fs, instrument, name, set.files.size());
  if (!again) return std::unexpected(again.error());
  if (std::string changes = set_changes(set, *again); !changes.empty()) {
    return std::unexpected(changed_while_read(name, changes, settle));
  }
  return info;
}

// A failed first checksum leaves the record in status error; a failed re-hash only notes
// the error (the recorded hashes stay valid).
Result<FileInfo> hash_or_record_failure(const Context& ctx, const RawFileSet& set, const std::string& id, bool first,
                                        const InstrumentConfig& instrument, std::chrono::seconds settle) {
  Result<FileInfo> info = hash_unchanged_set(ctx, set, instrument, id, settle);
  if (!info) {
    RecordChange change;
    change.error = info.error().message;
    if (first) change.status = RawFileStatus::error;
    change.message = "checksum failed: " + info.error().message;
    record_best_effort(ctx, id, change, "the failure");
  }
  return info;
}

Status record_conflict(const Context& ctx, const std::string& id, const std::vector<std::string>& differences) {
  std::string message =
      "content differs from the record: " + join(differences, ", ") + " (use --overwrite to accept the new content)";
  RecordChange change;
  change.error = message;
  change.message = "checksum conflict: " + join(differences, ", ");
  TRY(ctx.store->update(id, change));
  return fail(ErrorKind::conflict, message);
}

// S3 allows keys of at most 1,024 bytes: a set with a longer one is refused before anything
// is hashed or recorded (when the config has an S3 backup), not at its upload.
Status check_s3_key_lengths(const Config& config, const InstrumentConfig& instrument, const std::string& name,
                            const std::string& project, const RawFileSet& set) {
  constexpr size_t max_key_bytes = 1024;
  if (!config.s3) return {};
  std::string prefix = s3_key_prefix(new_record(name, instrument, project, set));
  for (const SetMember& member : set.files) {
    size_t bytes = prefix.size() + member.key.size();
    if (bytes <= max_key_bytes) continue;
    std::string shown = member.key.size() > 80
                            ? member.key.substr(0, 40) + "…" + member.key.substr(member.key.size() - 30)
                            : member.key;
    return fail(ErrorKind::usage, shown + ": its S3 key would be " + std::to_string(bytes) + " bytes; S3 allows " +
                                      std::to_string(max_key_bytes) + " (shorten the folder or file names)");
  }
  return {};
}

// check_sighted() when `scan` has a sighting of the set; store errors are the run's.
Status check_scan_sighting(const Context& ctx, const InstrumentConfig& instrument, const std::string& name,
                           const RawFileSet& set, std::chrono::seconds settle) {
  if (settle.count() == 0) return {};
  TRY_ASSIGN(sightings, ctx.store->sightings(instrument.id));
  for (const Sighting& s : sightings) {
    if (s.name == name) return check_sighted(instrument, name, set, s, SettleRule{settle, Clock::now()});
  }
  return {};
}

}  // namespace

Result<TaskOutput> run_checksum(const Context& ctx, const ChecksumOptions& options) {
  auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  set_log_context("checksum", options.name);
  const InstrumentConfig& instrument = ctx.config->instrument(options.instrument);
  Result<RawFileSet> set = find_raw_file_set(*ctx.fs, instrument, options.name);
  if (!set) return std::unexpected(set.error());
  std::string project = project_id_for(*ctx.config, options.name, options.project);
  TRY(check_s3_key_lengths(*ctx.config, instrument, options.name, project, *set));
  std::chrono::seconds settle(options.settle_seconds.value_or(ctx.config->settle_seconds));
  Status settled = check_settled(*set, SettleRule{settle, Clock::now()});
  if (settled) settled = check_scan_sighting(ctx, instrument, options.name, *set, settle);
  if (!settled && !options.dry_run) return std::unexpected(settled.error());
  std::unique_ptr<RecordLock> lock;
  if (!options.dry_run) {
    TRY_ASSIGN(taken, lock_record(ctx, options.name));
    lock = std::move(taken);
  }
  auto existing = ctx.store->get(options.name);
  if (!existing) return std::unexpected(existing.error());
  if (*existing && (*existing)->instrument_id != instrument.id) {
    return fail(ErrorKind::conflict, "record " + options.name + " belongs to instrument " + (*existing)->instrument_id +
                                         ", not " + instrument.id +
                                         ": raw-file names are unique across the facility (one record per "
                                         "name); rename this acquisition");
  }
  // A set not hashed yet only: one recorded was complete then, and a member gone since is a
  // change that the comparison with the record reports.
  if (settled && (!*existing || (*existing)->file_info.empty())) {
    settled = check_complete(instrument, options.name, *set);
  }
  if (!settled && !options.dry_run) return std::unexpected(settled.error());
  uint64_t part_size = ctx.config->part_size();
  bool unchanged = *existing && !options.rehash && stat_unchanged((*existing)->file_info, *set, part_size);
  if (options.dry_run) {  // with the exit code the real run would give (1 for not ready)
    return output_of(ChecksumDryRun{options.name, *set, existing->has_value(), unchanged, project,
                                    settled ? "" : settled.error().message},
                     settled ? exit_codes::ok : exit_code_for(settled.error().kind));
  }
  if (unchanged) {
    spdlog::info("{} file(s) unchanged since the last checksum; not hashing (--rehash forces it)", set->files.size());
    return output_of(ChecksumResult{options.name, false, *set, seconds()});
  }
  if (!*existing) {
    *existing = new_record(options.name, instrument, project, *set);
    TRY(ctx.store->insert(**existing, "checksum started"));
  }
  RecordedContent recorded = recorded_content(std::move((*existing)->file_info));
  bool first = recorded.empty();
  spdlog::info("hashing {} file(s), {} (part size {}), {} at a time", set->files.size(),
               format_bytes(set->total_size), format_bytes(part_size),
               std::min<size_t>(file_workers(*ctx.config), set->files.size()));
  Result<FileInfo> info = hash_or_record_failure(ctx, *set, options.name, first, instrument, settle);
  if (!info) return std::unexpected(info.error());
  std::vector<std::string> differences;
  if (!first) differences = content_differences(recorded, *info);
  recorded = {};
  if (!differences.empty() && !options.overwrite) {
    return std::unexpected(record_conflict(ctx, options.name, differences).error());
  }
  if (!differences.empty()) spdlog::warn("accepting changed content: {}", join(differences, ", "));
  TRY(ctx.store->update(options.name, hashed_change(first, *set, std::move(*info), !differences.empty(), project)));
  return output_of(ChecksumResult{options.name, true, *set, seconds()});
}

namespace {

// Named files are looked for in --instrument's folder; selected records in their own, with
// their project unless --project says otherwise.
Result<TaskOutput> checksum_one(const Context& ctx, ChecksumOptions options, bool named) {
  if (named) {
    if (options.instrument.empty()) return fail(ErrorKind::usage, "checksum NAME needs --instrument");
    return run_checksum(ctx, options);
  }
  auto record = ctx.store->get(options.name);
  if (!record) return std::unexpected(record.error());
  if (!*record) return fail(ErrorKind::usage, "no record for " + options.name);
  options.instrument = (*record)->instrument_id;
  if (options.project.empty()) options.project = (*record)->project_id;
  return run_checksum(ctx, options);
}

}  // namespace

TaskRunner bind_checksum(CLI::App& command) {
  auto options = std::make_shared<ChecksumOptions>();
  auto selection = std::make_shared<Selection>();
  command.add_option("--instrument", selection->instrument,
                     "Instrument id from the config (where NAME is); without NAME, every record of it");
  command.add_option("--project", options->project, "Project id (default: from project_pattern, else _FALLBACK)");
  command.add_flag("--overwrite", options->overwrite,
                   "Accept content that differs from the record (backups become pending)");
  command.add_flag("--rehash", options->rehash, "Hash even if sizes and mtimes are unchanged");
  command.add_flag("--dry-run", options->dry_run, "Find the set and say whether it would be hashed; write nothing");
  command
      .add_option("--settle", options->settle_seconds,
                  "Refuse the set while a file changed within SECONDS (default checksum.settle_seconds, 120; 0: off)")
      ->check(CLI::Range(0, 86400));
  add_selection_options(command, *selection, "Raw file names (x.raw, x.d, x.wiff)", false, "NAME");
  return [options, selection](const Context& ctx) {
    Selection chosen = *selection;
    bool named = !chosen.ids.empty();
    if (named) chosen.instrument.clear();  // with names it says where they are, not a filter
    return run_batch(ctx, "checksum", chosen, [&](const std::string& name) {
      ChecksumOptions one = *options;
      one.name = name;
      one.instrument = selection->instrument;
      return checksum_one(ctx, one, named);
    });
  };
}

}  // namespace rawbackup
