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
  std::string key;              // relative to the instrument folder, '/'-separated
  std::filesystem::path path;   // absolute
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

struct RawFileSet {
  std::vector<SetMember> files;  // sorted by key
  uint64_t total_size = 0;
  int64_t newest_mtime_ns = 0;
};

// Checks that NAME is a plain file name with the vendor's extension and a stem.
// Errors are ErrorKind::usage.
Status validate_raw_file_name(Vendor vendor, const std::string& name);

// Finds the set for NAME under the instrument folder. Errors (kind usage) for a bad name,
// no files, symlinks leading out of the folder, special files; kind failed for I/O errors.
Result<RawFileSet> find_raw_file_set(const FileSystem& fs, const InstrumentConfig& instrument,
                                     const std::string& name);

}  // namespace rawbackup
