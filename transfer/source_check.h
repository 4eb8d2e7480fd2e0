// Is the instrument's copy of a raw file still what checksum recorded? And, when it is not,
// the way out: a changed source is a data conflict (exit 3) that a re-run cannot fix, so the
// message names the commands that do, and never advises --overwrite while the file is still
// changing (see settle.h).
#pragma once
#include <filesystem>
#include <string>

#include "common/result.h"
#include "model/layout.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"
#include "transfer/settle.h"

namespace rawbackup {

struct SourceChange {
  std::string what;      // "size 5 → 10", "modified, same size", "missing"; "" when unchanged
  int64_t mtime_ns = 0;  // the source's mtime now (0 when missing)
  bool missing = false;

  bool changed() const { return !what.empty(); }
};

// `source` against the size and mtime checksum recorded in `expected`.
Result<SourceChange> source_change(const FileSystem& fs, const std::filesystem::path& source,
                                   const FileEntry& expected);

// The record's files as a set (keys, sizes, mtimes), to compare with a fresh listing.
RawFileSet recorded_set(const RawFile& record);

// How the instrument folder's set for `record` differs from the record (files added,
// removed, resized, touched), with its newest mtime; no change when the folder no longer
// holds the set at all (moved away after its backup: the copies are checked instead).
Result<SourceChange> set_change_since_checksum(const FileSystem& fs, const InstrumentConfig& instrument,
                                               const RawFile& record);

// Kind conflict: `change` (of the set or one file) since checksum, and what to run. While
// the change is within `settle`, the advice is to wait, not to accept the new content.
Error changed_since_checksum(const RawFile& record, const SourceChange& change, std::chrono::seconds settle);

}  // namespace rawbackup
