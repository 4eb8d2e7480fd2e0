#include "transfer/hash_set.h"

#include <algorithm>

#include "common/log.h"
#include "common/progress.h"
#include "common/work_units.h"
#include "integrity/etag.h"
#include "storage/file_hasher.h"
#include "transfer/settle.h"

namespace rawbackup {
namespace {

// How the file differs from what the listing saw, "" when it does not.
std::string change_of(const SetMember& member, const FileStat& now) {
  if (now.type != EntryType::file) return "it disappeared";
  if (now.size != member.size) return "size " + std::to_string(member.size) + " → " + std::to_string(now.size);
  if (now.mtime_ns != member.mtime_ns) return "modified, same size";
  return "";
}

Result<FileEntry> hash_member(const FileSystem& fs, const std::filesystem::path& path, const SetMember& member,
                              uint64_t configured_part_size, std::chrono::seconds settle, HashThreads threads,
                              Progress& progress) {
  uint64_t part_size = part_size_for(member.size, configured_part_size);
  auto start = std::chrono::steady_clock::now();
  Result<FileDigest> digest = hash_file(fs, path, part_size, [&](size_t n) { progress.advance(n); }, threads);
  if (!digest && digest.error().kind == ErrorKind::interrupted) return std::unexpected(digest.error());
  // A read error or a short read is most often the file changing under us: say so, once.
  Result<FileStat> after = fs.stat(path, true);
  if (!after) return std::unexpected(after.error());
  if (std::string change = change_of(member, *after); !change.empty()) {
    return std::unexpected(changed_while_read(member.key, change, settle));
  }
  if (!digest) return std::unexpected(digest.error());
  if (digest->size != member.size) {
    return std::unexpected(changed_while_read(
        member.key, "read " + std::to_string(digest->size) + " of " + std::to_string(member.size) + " bytes", settle));
  }
  log_with(spdlog::level::debug,
           {member.key, member.size, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()},
           "hashed");
  return FileEntry{digest->size, std::move(digest->md5), std::move(digest->etag),
                   part_size,    member.mtime_ns,        std::move(digest->part_md5s)};
}

}  // namespace

Result<FileInfo> hash_set(const FileSystem& fs, const RawFileSet& set, uint64_t part_size, std::chrono::seconds settle,
                          bool tty, unsigned workers) {
  Progress progress("hashing", set.total_size, tty);
  // Entries made up front (the map is not changed while workers fill them in): no second
  // copy of 20,000 results on the way.
  FileInfo info;
  std::vector<FileEntry*> slots;
  slots.reserve(set.files.size());
  for (const SetMember& m : set.files) slots.push_back(&info[m.key]);
  size_t large = std::count_if(set.files.begin(), set.files.end(), [&](const SetMember& m) {
    return m.size > part_size_for(m.size, part_size);
  });
  HashThreads threads = hash_threads_for(large, workers);
  // Each worker fills its own slot: no lock on the way.
  Status hashed = WorkUnits().run(set.files.size(), workers, [&](size_t i) -> Status {
    TRY_ASSIGN(entry, hash_member(fs, set.path_of(set.files[i]), set.files[i], part_size, settle, threads, progress));
    *slots[i] = std::move(entry);
    return {};
  });
  progress.finish();
  if (!hashed) return std::unexpected(hashed.error());
  return info;
}

}  // namespace rawbackup
