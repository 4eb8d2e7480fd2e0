// `purge`: delete the instrument's copy of a raw-file set, only when its backups are proven
// in this run. The rules are the feature; each refusal deletes nothing and says why.
#pragma once
#include <optional>
#include <string>

#include "tasks/task.h"

namespace rawbackup {

struct PurgeOptions {
  std::string id;
  std::optional<double> min_age_days;  // none: purge.min_age_days (14)
  std::string require;                 // "local", "s3" or "both"; "": what backup_type says (s3: both)
  bool deep = false;                   // also re-read the instrument copy's MD5; S3: ranged GETs
  bool dry_run = false;                // make every check, list what would go; delete and record nothing
  int skip_exit_code = 0;              // exit code of a set kept because it is too young
  bool verbose = false;                // a dry run lists every file, not only a line per set
};

// The rules, in this order (a run stops at the first that fails; a dry run makes them all):
// 1. backup_status is done (else refused, exit 4);
// 2. created_at is at least the minimum age old (else kept, exit skip_exit_code);
// 3. the instrument copy is what the record lists: size and mtime of each file there, nothing
//    the record does not list among the set's entries, no symlink (else refused, exit 3);
// 4. each required backup passes a verify now: local size + MD5 re-read, S3 ETags (--deep:
//    ranged GETs) (else refused, exit 4, recorded as verify does);
// 5. with --deep, the instrument copy's MD5 re-read (else refused, exit 3).
// Then each file is deleted (re-checked on its open folder just before), the emptied folders
// of a Bruker .d after; purged_at and last_verified_at are recorded. Files already gone (an
// interrupted purge) are left as they are; a re-run finishes a set. Holds the record lock.
// A record purged before with nothing left: "unchanged", exit 0.
Result<TaskOutput> run_purge(const Context& ctx, const PurgeOptions& options);
TaskRunner bind_purge(CLI::App& command);

}  // namespace rawbackup
