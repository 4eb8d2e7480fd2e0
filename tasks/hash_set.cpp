#include "tasks/hash_set.h"

#include <atomic>
#include <thread>

#include "common/log.h"
#include "common/progress.h"
#include "integrity/etag.h"
#include "integrity/file_hasher.h"

namespace rawbackup {
namespace {

Result<FileEntry> hash_member(const FileSystem& fs, const SetMember& member, uint64_t configured_part_size,
                              Progress& progress) {
  uint64_t part_size = part_size_for(member.size, configured_part_size);
  auto start = std::chrono::steady_clock::now();
  Result<FileDigest> digest =
      hash_file(fs, member.path, part_size, [&](size_t n) { progress.advance(n); });
  if (!digest) return std::unexpected(digest.error());
  Result<FileStat> after = fs.stat(member.path, true);
  if (!after) return std::unexpected(after.error());
  if (after->size != member.size || after->mtime_ns != member.mtime_ns ||
      digest->size != member.size) {
    return fail(member.key + " changed while it was read; re-run checksum once the "
                             "acquisition has finished");
  }
  log_with(spdlog::level::debug,
           {member.key, member.size, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()},
           "hashed");
  return FileEntry{digest->size, digest->md5, digest->etag, part_size, member.mtime_ns};
}

}  // namespace

Result<FileInfo> hash_set(const FileSystem& fs, const RawFileSet& set, uint64_t part_size,
                          bool tty, unsigned workers) {
  Progress progress("hashing", set.total_size, tty);
  std::vector<std::optional<Result<FileEntry>>> results(set.files.size());
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i = next++; i < set.files.size() && !failed; i = next++) {
      results[i] = hash_member(fs, set.files[i], part_size, progress);
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
