#include "tasks/scan.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "common/log.h"
#include "common/text.h"
#include "model/layout.h"
#include "storage/mounts.h"
#include "tasks/scan_result.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

constexpr int64_t day_ms = 24LL * 3600 * 1000;

int64_t epoch_ms(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The folder to list, resolved, after the checks that tell "nothing new" from "not there";
// and the attribute cache of its mount (sightings closer than that do not count).
struct Folder {
  fs::path root;
  int64_t cache_ms = 0;
};

Result<Folder> open_folder(const FileSystem& files, const InstrumentConfig& instrument) {
  const std::string shown = instrument.path.string();
  TRY_ASSIGN(stat, files.stat(instrument.path, true));
  if (stat.type == EntryType::missing) return fail(ErrorKind::failed, "instrument folder " + shown + " is missing");
  if (stat.type != EntryType::directory) return fail(ErrorKind::failed, "instrument folder " + shown + " is not a folder");
  TRY_ASSIGN(root, files.canonical(instrument.path));
  TRY_ASSIGN(mount, files.mount_of(root));
  if (instrument.must_be_mount && (!mount || mount->mount_point != root)) {
    return fail(ErrorKind::failed, "instrument folder " + shown + " is not a mount point (instruments." +
                                       instrument.id + ".mount: true): the share is not mounted");
  }
  int64_t cache_s = mount ? attribute_cache_seconds(*mount).value_or(0) : 0;
  return Folder{root, cache_s * 1000};
}

// A listing without sets is "nothing new" only if no set that still belongs there was there
// within a day: a set scan saw and nobody recorded, or a recorded one whose local backup is not
// done (the workflow moves a set away only after copy-local). Else the share is most likely not
// mounted (or the files were removed), which an operator must see.
Status check_not_emptied(RecordStore& store, const InstrumentConfig& instrument, const std::vector<Sighting>& before,
                         const std::set<std::string>& recorded, int64_t now_ms) {
  const std::string folder = "instrument folder " + instrument.path.string() + " is empty, but ";
  const std::string hint = " within the last day: is the share mounted? (a folder emptied on purpose scans clean a day later)";
  for (const Sighting& s : before) {
    if (s.gone_ms == 0 && now_ms - s.seen_ms < day_ms && !recorded.contains(s.name)) {
      return fail(ErrorKind::failed, folder + s.name + " was seen there at " +
                                         utc_of_ms(s.seen_ms) + hint);
    }
  }
  std::optional<RecordRow> unfinished;
  std::string since = utc_of_ms(now_ms - day_ms);
  RecordQuery query{RecordFilter{std::nullopt, instrument.id, since, true}, 0};
  TRY(store.list_rows(query, [&](const RecordRow& row) -> Status {
    auto created = parse_utc(row.created_at);
    if (!unfinished && row.status != RawFileStatus::copying_done && created && now_ms - epoch_ms(*created) < day_ms) {
      unfinished = row;
    }
    return {};
  }));
  if (unfinished) {
    return fail(ErrorKind::failed, folder + unfinished->id + " (acquired " + unfinished->created_at +
                                       ", not backed up locally yet) is recorded there" + hint);
  }
  return {};
}

// Size and newest mtime of the set's main files: a stat each, nothing else.
ListedSet stat_main_files(const FileSystem& files, const InstrumentConfig& instrument, const fs::path& root,
                          ListedSet set) {
  set.stated = true;
  for (const std::string& key : main_file_keys(instrument, set.name)) {
    Result<FileStat> stat = files.stat(root / key, true);
    if (!stat) {
      set.incomplete = key + ": " + stat.error().message;
    } else if (stat->type == EntryType::missing) {
      set.incomplete = key + " is missing";
    } else if (stat->type == EntryType::file && stat->size == 0) {
      set.incomplete = key + " is empty (0 bytes)";
    }
    if (!stat || !set.incomplete.empty()) break;
    set.size += stat->size;
    set.mtime_ns = std::max(set.mtime_ns, stat->mtime_ns);
  }
  return set;
}

Result<std::vector<ScanVerdict>> scan_instrument(const Context& ctx, const InstrumentConfig& instrument, int64_t now_ms) {
  RecordStore& store = *ctx.store;
  TRY_ASSIGN(folder, open_folder(*ctx.fs, instrument));
  TRY_ASSIGN(entries, ctx.fs->list_dir(folder.root));
  TRY_ASSIGN(before, store.sightings(instrument.id));
  std::vector<std::string> names;
  for (std::string& entry : entries) {
    if (has_set_extension(instrument.vendor, entry)) names.push_back(std::move(entry));
  }
  std::vector<std::string> lookup = names;
  for (const Sighting& s : before) lookup.push_back(s.name);
  std::map<std::string, RecordedSet> records;
  std::set<std::string> recorded;
  TRY(store.rows_named(lookup, [&](const RecordRow& row) -> Status {
    recorded.insert(row.id);
    records.emplace(row.id, RecordedSet{row.instrument_id, row.created_at, row.size, row.purged_at.has_value()});
    return {};
  }));
  if (names.empty()) TRY(check_not_emptied(store, instrument, before, recorded, now_ms));
  std::vector<ListedSet> listed;
  listed.reserve(names.size());
  for (const std::string& name : names) {
    ListedSet set{name};
    if (Status valid = validate_raw_file_name(instrument.vendor, name); !valid) set.invalid = valid.error().message;
    if (auto it = records.find(name); it != records.end()) set.record = std::move(it->second);
    bool same_instrument = set.record && set.record->instrument_id == instrument.id;
    bool needs_stat = set.invalid.empty() && (!set.record || (same_instrument && set.record->purged));
    listed.push_back(needs_stat ? stat_main_files(*ctx.fs, instrument, folder.root, std::move(set)) : std::move(set));
  }
  ScanRules rules{instrument.id, now_ms, ctx.config->settle_seconds * 1000, folder.cache_ms,
                  instrument.vendor == Vendor::thermo};
  ScanJudgement judged = judge_listing(rules, listed, before, recorded);
  if (!judged.save.empty() || !judged.forget.empty()) {
    TRY(store.save_sightings(instrument.id, judged.save, judged.forget));
  }
  return std::move(judged.verdicts);
}

std::vector<const InstrumentConfig*> chosen_instruments(const Config& config, const std::vector<std::string>& ids) {
  std::vector<const InstrumentConfig*> chosen;
  if (ids.empty()) {
    for (const auto& [id, instrument] : config.instruments) chosen.push_back(&instrument);
  }
  for (const std::string& id : ids) chosen.push_back(&config.instrument(id));  // throws for an unknown id
  return chosen;
}

}  // namespace

Result<TaskOutput> run_scan(const Context& ctx, const ScanOptions& options) {
  set_log_context("scan", "");
  ScanResult result{{}, {}, options.limit, options.all};
  const int64_t now_ms = epoch_ms(Clock::now());
  for (const InstrumentConfig* instrument : chosen_instruments(*ctx.config, options.instruments)) {
    Result<std::vector<ScanVerdict>> verdicts = scan_instrument(ctx, *instrument, now_ms);
    if (!verdicts) {
      spdlog::error("{}: {}", instrument->id, verdicts.error().message);
      result.errors.push_back({instrument->id, verdicts.error().message});
      continue;
    }
    for (ScanVerdict& v : *verdicts) result.sets.push_back({instrument->id, std::move(v), instrument->path.string()});
  }
  sort_scanned(result.sets);
  return output_of(result, result.errors.empty() ? 0 : 1);
}

TaskRunner bind_scan(CLI::App& command) {
  auto options = std::make_shared<ScanOptions>();
  command.add_option("--instrument", options->instruments, "Only this instrument (repeat for more; default: all)");
  command.add_option("--limit", options->limit, "At most N ready sets, the oldest first (an Airflow cap on mapped runs)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}));
  command.add_flag("--all", options->all, "Also list the sets that are recorded already");
  return [options](const Context& ctx) { return run_scan(ctx, *options); };
}

}  // namespace rawbackup
