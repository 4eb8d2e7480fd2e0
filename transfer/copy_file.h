// One verified, atomic file copy, and the checks copy-local makes before it.
#pragma once
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/raw_file.h"
#include "storage/file_hasher.h"
#include "storage/filesystem.h"

namespace rawbackup {

// What is at a destination, compared with the record's entry.
enum class DestinationState { missing, identical, differs, not_a_file };

struct DestinationCheck {
  DestinationState state = DestinationState::missing;
  std::string md5;  // of the existing file, when it was hashed
};

// Looks at `dest`: missing, identical (recorded size and MD5), differs, or not a regular file.
// A file of the recorded size is hashed (`on_bytes` reports its progress).
Result<DestinationCheck> check_destination(const FileSystem& fs, const std::filesystem::path& dest,
                                           const FileEntry& expected, const std::function<void(size_t)>& on_bytes = {},
                                           HashThreads threads = HashThreads::two);

struct Destination {
  std::filesystem::path path;
  const FileEntry* expected;
};
// check_destination of each, `workers` files at a time (`on_bytes` is called from all of
// them); the checks in the order of `destinations`. The first error stops the rest.
Result<std::vector<DestinationCheck>> check_destinations(const FileSystem& fs, std::span<const Destination> destinations,
                                                         unsigned workers,
                                                         const std::function<void(size_t)>& on_bytes = {});

// Moves `dest` aside to "<dest>.<n>.bkp", n the smallest free number from 1; returns that path.
Result<std::filesystem::path> move_aside(const FileSystem& fs, const std::filesystem::path& dest);

}  // namespace rawbackup
