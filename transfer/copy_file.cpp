#include "transfer/copy_file.h"

#include "storage/file_hasher.h"

namespace rawbackup {

namespace fs = std::filesystem;

Result<DestinationCheck> check_destination(const FileSystem& fs, const fs::path& dest, const FileEntry& expected,
                                           const std::function<void(size_t)>& on_bytes) {
  Result<FileStat> stat = fs.stat(dest, false);
  if (!stat) return std::unexpected(stat.error());
  if (stat->type == EntryType::missing) return DestinationCheck{};
  if (stat->type != EntryType::file) return DestinationCheck{DestinationState::not_a_file, ""};
  if (stat->size != expected.size)
    return DestinationCheck{DestinationState::differs, "size " + std::to_string(stat->size)};
  Result<FileDigest> digest = hash_file(fs, dest, expected.part_size, on_bytes);
  if (!digest) return std::unexpected(digest.error());
  DestinationState state = digest->md5 == expected.md5 ? DestinationState::identical : DestinationState::differs;
  return DestinationCheck{state, digest->md5};
}

Result<fs::path> move_aside(const FileSystem& fs, const fs::path& dest) {
  for (int n = 1; n < 10000; ++n) {
    fs::path backup = dest;
    backup += "." + std::to_string(n) + ".bkp";
    Result<FileStat> stat = fs.stat(backup, false);
    if (!stat) return std::unexpected(stat.error());
    if (stat->type != EntryType::missing) continue;
    Status moved = fs.rename_no_replace(dest, backup);
    if (moved) return backup;
    if (moved.error().kind != ErrorKind::conflict) return std::unexpected(moved.error());
  }
  return fail("no free .bkp name for " + dest.string());
}

}  // namespace rawbackup
