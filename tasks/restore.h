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
  // Objects in an archive class (GLACIER, DEEP_ARCHIVE): ask S3 for a copy readable this many
  // days, then exit 1 until it is there (0: say they are archived, exit 4).
  int request_archive_restore_days = 0;
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
