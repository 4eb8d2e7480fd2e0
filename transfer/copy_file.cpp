#include "transfer/copy_file.h"

#include <algorithm>

#include "common/work_units.h"

namespace rawbackup {

namespace fs = std::filesystem;

Result<DestinationCheck> check_destination(const FileSystem& fs, const fs::path& dest, const FileEntry& expected,
                                           const std::function<void(size_t)>& on_bytes, HashThreads threads) {
  Result<FileStat> stat = fs.stat(dest, false);
  if (!stat) return std::unexpected(stat.error());
  if (stat->type == EntryType::missing) return DestinationCheck{};
  if (stat->type != EntryType::file) return DestinationCheck{DestinationState::not_a_file, ""};
  if (stat->size != expected.size)
    return DestinationCheck{DestinationState::differs, "size " + std::to_string(stat->size)};
  Result<FileDigest> digest = hash_file(fs, dest, expected.part_size, on_bytes, threads);
  if (!digest) return std::unexpected(digest.error());
  DestinationState state = digest->md5 == expected.md5 ? DestinationState::identical : DestinationState::differs;
  return DestinationCheck{state, digest->md5};
}

Result<std::vector<DestinationCheck>> check_destinations(const FileSystem& fs, std::span<const Destination> destinations,
                                                         unsigned workers,
                                                         const std::function<void(size_t)>& on_bytes) {
  size_t large = std::count_if(destinations.begin(), destinations.end(), [](const Destination& d) {
    return d.expected->size > d.expected->part_size;
  });
  HashThreads threads = hash_threads_for(large, workers);
  std::vector<DestinationCheck> checks(destinations.size());
  Status checked = WorkUnits().run(destinations.size(), workers, [&](size_t i) -> Status {
    TRY_ASSIGN(check, check_destination(fs, destinations[i].path, *destinations[i].expected, on_bytes, threads));
    checks[i] = std::move(check);
    return {};
  });
  if (!checked) return std::unexpected(checked.error());
  return checks;
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
