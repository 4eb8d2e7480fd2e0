// `verify`: re-check the backups a record claims (local copy, S3 objects) against it.
#pragma once
#include <string>
#include <vector>

#include "tasks/task.h"

namespace rawbackup {

struct VerifyOptions {
  std::vector<std::string> ids;
  bool local = false;    // only the local backup (with --s3: both, required)
  bool s3 = false;       // only the S3 backup
  bool deep = false;     // S3: download and hash every object instead of trusting ETags
  bool dry_run = false;  // say what would be checked; read no data, write nothing
};

// Read-only for the data. Per id: the local backup when copy-local finished (or --local), the
// S3 backup when upload-s3 finished (or --s3); a record claiming no backup fails its check.
// Records "verified ok" (and last_verified_at) or "verify failed: …" as an event.
// Per id: exit 0 when everything holds, 4 when a file is missing or differs, the error's code
// when it could not be checked; the task exits with the worst (worst_exit_code). The result
// is run_batch's, also for one id, and lists every file.
Result<TaskOutput> run_verify(const Context& ctx, const VerifyOptions& options);
TaskRunner bind_verify(CLI::App& command);

}  // namespace rawbackup
