// One copy of a record's set in a folder (the instrument's, or the local backup's), as `purge`
// finds it before deleting it, and its deletion. Every entry that belongs to the set is looked
// at without following a symlink; only files the record lists, still as they were found, are
// deleted.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"

namespace rawbackup {

// A differing copy copy-local --overwrite moved aside ("x.d/analysis.tdf.1.bkp").
struct AsideCopy {
  std::string key;           // relative to the folder, as the set's keys
  uint64_t size = 0;
  int64_t mtime_ns = 0;      // to delete it only as found
  int64_t changed_ns = 0;    // status change time: when it was moved aside (a rename sets it)
};

struct SetCopy {
  std::filesystem::path root;          // the folder, resolved
  std::vector<std::string> present;    // recorded files there as recorded (size; the instrument's: mtime too)
  std::map<std::string, int64_t> present_mtimes;  // the mtime each present file was found with
  std::vector<std::string> gone;       // recorded files not there: purged before, or removed by hand
  std::vector<std::string> differing;  // "KEY: size 10, record 12", "KEY: a symlink (…)", "KEY: MD5 …"
  std::vector<std::string> extra;      // entries of the set the record does not list ("x.d/new.tdf")
  std::vector<std::string> folders;    // the set's folders (a Bruker .d and its subfolders), deepest first
  std::vector<AsideCopy> aside;        // the local backup's .N.bkp copies of the set's files
  uint64_t present_bytes = 0;

  // Nothing the record does not describe: purge may delete the present files.
  bool matches() const { return differing.empty() && extra.empty(); }
};

// The set of `record` in `instrument`'s folder against the record: size and mtime as
// recorded. Kind failed when the folder cannot be reached (a share not mounted: nothing can be
// told about the set, and nothing is taken for gone).
Result<SetCopy> inspect_instrument_copy(const FileSystem& fs, const InstrumentConfig& instrument, const RawFile& record);

// The set of `record` in its local backup folder `base`: sizes as recorded (a backup's mtime is
// when it was copied), and the .N.bkp copies beside its files in `aside`. Kind failed when
// `base` cannot be reached.
Result<SetCopy> inspect_backup_copy(const FileSystem& fs, const std::filesystem::path& base, const RawFile& record);

// --deep: re-reads every present file; one whose bytes are not the recorded ones moves from
// `present` to `differing`.
Status reread_set_copy(const FileSystem& fs, const RawFile& record, SetCopy& copy,
                       const std::function<void(size_t)>& on_bytes);

struct Deletion {
  size_t files = 0;    // removed by this run
  uint64_t bytes = 0;  // their sizes
  size_t folders = 0;  // emptied folders removed
};

// Deletes each present file (only while it still has the size and mtime it was found with,
// never through a symlink), then each folder of the set left empty, then syncs the folder.
// Stops at the first error or interruption (kind interrupted) with `done` telling what was
// deleted by then; a re-run finishes the rest.
// `fence` runs before each unlink: a failure (the run lost its lease) deletes nothing more.
Status delete_set_copy(const FileSystem& fs, const RawFile& record, const SetCopy& copy, Deletion& done,
                       const std::function<Status()>& fence);

// Deletes the `copies` under `root` (each only as found), then syncs `root`; as delete_set_copy.
Status delete_aside_copies(const FileSystem& fs, const std::filesystem::path& root,
                           const std::vector<AsideCopy>& copies, Deletion& done, const std::function<Status()>& fence);

}  // namespace rawbackup
