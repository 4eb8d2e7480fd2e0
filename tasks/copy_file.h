// One verified, atomic file copy, and the checks copy-local makes before it.
#pragma once
#include <filesystem>
#include <functional>
#include <string>

#include "common/result.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"

namespace rawbackup {

// What is at a destination, compared with the record's entry.
enum class DestinationState { missing, identical, differs, not_a_file };

struct DestinationCheck {
  DestinationState state = DestinationState::missing;
  std::string md5;  // of the existing file, when it was hashed
};

// Looks at `dest`: missing, identical (recorded size and MD5), differs, or not a regular file.
// A file of the recorded size is hashed.
Result<DestinationCheck> check_destination(const FileSystem& fs, const std::filesystem::path& dest,
                                           const FileEntry& expected);

// The source must still have the size and mtime checksum recorded (kind failed otherwise,
// saying to re-run checksum).
Status check_source_unchanged(const FileSystem& fs, const std::filesystem::path& source,
                              const std::string& key, const FileEntry& expected);

// Copies `source` to `dest`: read once, written to a temporary file beside `dest` while its
// MD5 is computed, then fsync and rename into place only if the MD5 of the bytes written
// equals `expected.md5` and the source did not change. Otherwise nothing is left behind.
Status copy_verified(const FileSystem& fs, const std::filesystem::path& source,
                     const std::filesystem::path& dest, const std::string& key,
                     const FileEntry& expected, const std::function<void(size_t)>& on_bytes);

// Moves `dest` aside to "<dest>.<n>.bkp", n the smallest free number from 1; returns that path.
Result<std::filesystem::path> move_aside(const FileSystem& fs, const std::filesystem::path& dest);

}  // namespace rawbackup
