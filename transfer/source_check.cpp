#include "transfer/source_check.h"

#include <algorithm>

namespace rawbackup {

Result<SourceChange> source_change(const FileSystem& fs, const std::filesystem::path& source,
                                   const FileEntry& expected) {
  Result<FileStat> stat = fs.stat(source, true);
  if (!stat) return std::unexpected(stat.error());
  if (stat->type != EntryType::file) return SourceChange{"missing", 0, true};
  SourceChange change{"", stat->mtime_ns, false};
  if (stat->size != expected.size) {
    change.what = "size " + std::to_string(expected.size) + " → " + std::to_string(stat->size);
  } else if (stat->mtime_ns != expected.mtime_ns) {
    change.what = "modified, same size";
  }
  return change;
}

RawFileSet recorded_set(const RawFile& record) {
  RawFileSet set;
  for (const auto& [key, entry] : record.file_info) {
    set.files.push_back({key, entry.size, entry.mtime_ns});
    set.total_size += entry.size;
    set.newest_mtime_ns = std::max(set.newest_mtime_ns, entry.mtime_ns);
  }
  return set;
}

Result<SourceChange> set_change_since_checksum(const FileSystem& fs, const InstrumentConfig& instrument,
                                               const RawFile& record) {
  Result<RawFileSet> now = find_raw_file_set(fs, instrument, record.id);
  if (!now && now.error().kind == ErrorKind::usage) return SourceChange{};  // not there (moved away)
  if (!now) return std::unexpected(now.error());
  return SourceChange{set_changes(recorded_set(record), *now), now->newest_mtime_ns, false};
}

Error changed_since_checksum(const RawFile& record, const SourceChange& change, std::chrono::seconds settle) {
  std::string rehash = "`rawbackup checksum --rehash --instrument " + record.instrument_id + " " + record.id + "`";
  std::string what = "the source changed since checksum (" + change.what + ")";
  if (SettleRule{settle, Clock::now()}.unsettled(change.mtime_ns)) {
    return {ErrorKind::conflict, what + ", modified " + modified_ago(change.mtime_ns, Clock::now()) +
                                     ": the acquisition may still be running; once nothing has changed for " +
                                     std::to_string(settle.count()) + " s, run " + rehash};
  }
  return {ErrorKind::conflict,
          what + ": the record no longer describes it; run " + rehash +
              " (it lists what differs) and, only if the new content is wanted, again with --overwrite"};
}

}  // namespace rawbackup
