// `restore`: get a raw-file set back from S3 (or the local backup) into a folder, every file
// verified against the record before it gets its name.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "model/placement.h"
#include "tasks/task.h"

namespace rawbackup {

struct RestoreOptions {
  std::string id;
  std::optional<BackupPlace> from;  // none: S3 when upload-s3 finished, else local
  std::filesystem::path to;         // files land at <to>/<relative key>
  bool dry_run = false;             // say what would be restored or skipped; write nothing
};

// Files already there and identical are skipped; a differing one stops the task before
// anything is written (exit 3). Each file is written under a temporary name (S3: parts
// fetched in parallel ranged GETs and written at their offsets), must give the record's ETag,
// then is fsynced and renamed; so a re-run after an interruption keeps the files finished
// and redoes only the rest. Holds the record lock (one restore of a set at a time). Records
// "restored … to DIR" as an event.
Result<TaskOutput> run_restore(const Context& ctx, const RestoreOptions& options);
TaskRunner bind_restore(CLI::App& command);

}  // namespace rawbackup
