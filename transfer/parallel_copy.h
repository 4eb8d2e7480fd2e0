// Copying the files of a set with every core: workers take parts of any file.
#pragma once
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"

namespace rawbackup {

struct CopyJob {
  std::string key;
  std::string source;  // paths as strings: a std::filesystem::path costs ~10x the memory,
  std::string dest;    // which counts for a set of 20,000 files
  FileEntry expected;  // size, MD5, ETag and the part size it was computed for
  int64_t dest_mtime_ns = 0;  // > 0: the copy's mtime (restore: the recorded one); else the time of writing
};

// Whether a job's source is still what `expected` describes, once its bytes are copied
// (called from the copying threads).
using SourceCheck = std::function<Status(const CopyJob&)>;

// Copies every job with `workers` threads. Work is split into the record's parts: each part
// is read once, written at its offset into a temporary file beside its destination and
// MD5'd, so parts hash in parallel. When a file's last part is in, the bytes written must
// have the record's ETag (the MD5 of the part MD5s; the MD5 itself for a one-part file) and
// `check_source` must pass; then the file is fsynced and renamed into place. Otherwise the
// temporary file is removed. The first failure stops all work; files already committed stay.
// Runs right before files are committed (one file, or a batch of small ones), with the jobs
// whose files are about to get their names: the place to check that the run still holds its
// lease, or to move an old copy aside only once the new one is complete. A failure commits
// none of them, and nothing more.
using BeforeCommit = std::function<Status(std::span<const CopyJob* const>)>;

// `on_bytes` (thread-safe) reports progress; `before_commit` as above.
Status copy_files(const FileSystem& fs, const std::vector<CopyJob>& jobs, unsigned workers,
                  const SourceCheck& check_source, const std::function<void(size_t)>& on_bytes,
                  const BeforeCommit& before_commit);

}  // namespace rawbackup
