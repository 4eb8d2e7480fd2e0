// `checksum`: inventory a raw-file set and record size, MD5 and S3 ETag of every file.
#pragma once
#include <optional>
#include <string>

#include "tasks/task.h"

namespace rawbackup {

struct ChecksumOptions {
  std::string instrument;
  std::string project;  // empty: from project_pattern, else _FALLBACK
  std::string name;
  bool overwrite = false;                   // accept content that differs from the record
  bool rehash = false;                      // hash even when sizes and mtimes are unchanged
  bool dry_run = false;                     // find the set, say whether it would be hashed; write nothing
  std::optional<int64_t> settle_seconds{};  // --settle; default: the config's checksum.settle_seconds
};

// Kind not_ready (exit 1) while a file changed within the settle time, or changes while it
// is read; nothing is recorded as done then. Outcome "unchanged" (no hashing) when the
// record's files have the same sizes, mtimes and part size; conflict (exit 3) when re-hashed
// content differs, unless overwrite.
Result<TaskOutput> run_checksum(const Context& ctx, const ChecksumOptions& options);
TaskRunner bind_checksum(CLI::App& command);

}  // namespace rawbackup
