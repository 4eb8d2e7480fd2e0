// Hashing every file of a raw-file set on a pool of workers, with progress.
#pragma once
#include <chrono>

#include "common/result.h"
#include "model/layout.h"
#include "model/raw_file.h"
#include "storage/filesystem.h"

namespace rawbackup {

// Hashes the members of `set` (MD5 and ETag for `part_size`) and checks that no file changed
// while it was read (size and mtime before and after): kind not_ready then, advising a retry
// after `settle`. `workers` files at a time; a file larger than a part on two threads when the
// set has too few of them to keep the workers busy (storage/file_hasher.h: hash_threads_for).
Result<FileInfo> hash_set(const FileSystem& fs, const RawFileSet& set, uint64_t part_size, std::chrono::seconds settle,
                          bool tty, unsigned workers);

}  // namespace rawbackup
