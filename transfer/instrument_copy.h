// The instrument's copy of a record's set, as `purge` finds it before deleting it, and its
// deletion. Every entry that belongs to the set in the instrument folder is looked at without
// following a symlink; only files the record lists, still as it recorded them, are deleted.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"

namespace rawbackup {

struct InstrumentCopy {
  std::filesystem::path root;          // the instrument folder, resolved
  std::vector<std::string> present;    // recorded files there with the recorded size and mtime
  std::vector<std::string> gone;       // recorded files not there: purged before, or removed by hand
  std::vector<std::string> differing;  // "KEY: size 10, record 12", "KEY: a symlink (…)", "KEY: MD5 …"
  std::vector<std::string> extra;      // entries of the set the record does not list ("x.d/new.tdf")
  std::vector<std::string> folders;    // the set's folders (a Bruker .d and its subfolders), deepest first
  uint64_t present_bytes = 0;

  // Nothing the record does not describe: purge may delete the present files.
  bool matches() const { return differing.empty() && extra.empty(); }
};

// The set of `record` in `instrument`'s folder against the record. Kind failed when the
// instrument folder cannot be reached (a share not mounted: nothing can be told about the
// set, and nothing is taken for gone).
Result<InstrumentCopy> inspect_instrument_copy(const FileSystem& fs, const InstrumentConfig& instrument,
                                               const RawFile& record);

// --deep: re-reads every present file; one whose bytes are not the recorded ones moves from
// `present` to `differing`.
Status reread_instrument_copy(const FileSystem& fs, const RawFile& record, InstrumentCopy& copy,
                              const std::function<void(size_t)>& on_bytes);

struct Deletion {
  size_t files = 0;    // removed by this run
  uint64_t bytes = 0;  // their recorded sizes
  size_t folders = 0;  // emptied folders removed
};

// Deletes each present file (only while it still has its recorded size and mtime, never
// through a symlink), then each folder of the set left empty, then syncs the instrument
// folder. Stops at the first error or interruption (kind interrupted) with `done` telling
// what was deleted by then; a re-run finishes the rest.
// `fence` runs before each unlink: a failure (the run lost its lease) deletes nothing more.
Status delete_instrument_copy(const FileSystem& fs, const RawFile& record, const InstrumentCopy& copy, Deletion& done,
                              const std::function<Status()>& fence);

}  // namespace rawbackup
