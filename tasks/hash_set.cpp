#include "tasks/hash_set.h"

#include <atomic>
#include <thread>

#include "common/log.h"
#include "common/progress.h"
#include "integrity/etag.h"
#include "integrity/file_hasher.h"
#include "tasks/settle.h"

namespace rawbackup {
namespace {

// How the file differs from what the listing saw, "" when it does not.
std::string change_of(const SetMember& member, const FileStat& now) {
  if (now.type != EntryType::file) return "it disappeared";
  if (now.size != member.size) return "size " + std::to_string(member.size) + " → " + std::to_string(now.size);
  if (now.mtime_ns != member.mtime_ns) return "modified, same size";
  return "";
}

Result<FileEntry> hash_member(const FileSystem& fs, const SetMember& member, uint64_t configured_part_size,
                              std::chrono::seconds settle, Progress& progress) {
  uint64_t part_size = part_size_for(member.size, configured_part_size);
  auto start = std::chrono::steady_clock::now();
  Result<FileDigest> digest =
      hash_file(fs, member.path, part_size, [&](size_t n) { progress.advance(n); });
  if (!digest && digest.error().kind == ErrorKind::interrupted) return std::unexpected(digest.error());
  // A read error or a short read is most often the file changing under us: say so, once.
  Result<FileStat> after = fs.stat(member.path, true);
  if (!after) return std::unexpected(after.error());
  if (std::string change = change_of(member, *after); !change.empty()) {
    return std::unexpected(changed_while_read(member.key, change, settle));
  }
  if (!digest) return std::unexpected(digest.error());
  if (digest->size != member.size) {
    return std::unexpected(changed_while_read(member.key, "read " + std::to_string(digest->size) + " of " +
                                                              std::to_string(member.size) + " bytes", settle));
  }
  log_with(spdlog::level::debug,
           {member.key, member.size, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()},
           "hashed");
  return FileEntry{digest->size, digest->md5, digest->etag, part_size, member.mtime_ns};
}

}  // namespace

Result<FileInfo> hash_set(const FileSystem& fs, const RawFileSet& set, uint64_t part_size,
                          std::chrono::seconds settle, bool tty, unsigned workers) {
  Progress progress("hashing", set.total_size, tty);
  std::vector<std::optional<Result<FileEntry>>> results(set.files.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i = next++; i < set.files.size() && !failed; i = next++) {
      results[i] = hash_member(fs, set.files[i], part_size, settle, progress);
      if (!*results[i]) failed = true;
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned w = 1; w < std::max(1U, workers); ++w) pool.emplace_back(work);
    work();
  }
  progress.finish();
  FileInfo info;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i] && !*results[i]) return std::unexpected(results[i]->error());
    if (results[i]) info[set.files[i].key] = **results[i];
  }
  if (info.size() != set.files.size()) return fail("hashing stopped early");
  return info;
}

}  // namespace rawbackup
