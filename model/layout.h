// Raw-file set layouts by vendor: which files make up one acquisition.
//   thermo: the single file NAME (.raw)              key "NAME"
//   bruker: every regular file under folder NAME (.d) keys "NAME/sub/file"
//   sciex:  the siblings "STEM.*" of NAME (.wiff/.wiff2) flat keys "STEM.wiff.scan"
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/config.h"
#include "storage/filesystem.h"

namespace rawbackup {

struct SetMember {
  std::string key;  // relative to the instrument folder, '/'-separated
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

struct RawFileSet {
  std::filesystem::path root;    // the instrument folder, resolved: a member is root / key
  std::vector<SetMember> files;  // sorted by key (a set of 20,000 files stays a few MiB)
  uint64_t total_size = 0;
  int64_t newest_mtime_ns = 0;

  std::filesystem::path path_of(const SetMember& member) const { return root / member.key; }
};

// Checks that NAME is a plain file name with the vendor's extension and a stem.
// Errors are ErrorKind::usage.
Status validate_raw_file_name(Vendor vendor, const std::string& name);

// Whether `entry`, a name in an instrument folder, ends with one of the vendor's set
// extensions (.raw; .d; .wiff or .wiff2), in any case: the names `scan` treats as sets.
bool has_set_extension(Vendor vendor, const std::string& entry);

// The keys of set NAME whose size and mtime show an acquisition still being written (what
// `scan` stats): thermo NAME; sciex NAME and its required siblings (STEM.wiff.scan); bruker
// the required members inside the .d (analysis.tdf, analysis.tdf_bin), else the .d itself.
std::vector<std::string> main_file_keys(const InstrumentConfig& instrument, const std::string& name);

// Whether `entry`, a name in the instrument folder, belongs to the set NAME (a valid name of
// `vendor`): NAME itself (thermo, bruker) or, for sciex, every "STEM.*" sibling.
bool belongs_to_set(Vendor vendor, const std::string& name, const std::string& entry);

// Why `key`, a file key of the record of set NAME, cannot be a file of that set: "" when it
// is a relative path of plain names (no "", ".", ".." segment, not absolute, no NUL or
// backslash) whose first name belongs to the set. Keys become paths beneath a folder (the
// instrument's, the backup's, restore's --to): a key that fails here would reach outside it.
std::string set_key_problem(Vendor vendor, const std::string& name, const std::string& key);

// The members without which an acquisition of `instrument` is not complete: the config's
// instruments.<id>.required_members, else the vendor's — bruker: paths inside the .d
// (a timsTOF's analysis.tdf and analysis.tdf_bin); sciex and thermo: suffixes of the stem
// (sciex: ".wiff.scan", the data beside STEM.wiff; thermo: none).
std::vector<std::string> required_members(const InstrumentConfig& instrument);

// Kind not_ready naming the first required member of set NAME that is missing or empty:
// an acquisition still being written (a .d holding only analysis.tdf), retried later.
Status check_complete(const InstrumentConfig& instrument, const std::string& name, const RawFileSet& set);

// Finds the set for NAME under the instrument folder. Errors (kind usage) for a bad name,
// no files, symlinks leading out of the folder, special files; kind failed for I/O errors.
// `expected_files` (a count seen before) sizes the list up front, so listing a large set
// again does not hold it twice while the list grows.
Result<RawFileSet> find_raw_file_set(const FileSystem& fs, const InstrumentConfig& instrument, const std::string& name,
                                     size_t expected_files = 0);

}  // namespace rawbackup
