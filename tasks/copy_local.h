// `copy-local`: copy a checksummed raw-file set to the local backup, verified and atomic;
// identical copies are skipped, differing ones are never overwritten silently.
#pragma once
#include <string>

#include "tasks/task.h"

namespace rawbackup {

struct CopyLocalOptions {
  std::string id;
  bool overwrite = false;  // move differing destinations aside to <file>.<n>.bkp, then copy
  bool dry_run = false;    // say what would happen; write nothing (not even the store)
};

// Destination: <locations.backup>/<instrument>/<YYYY_MM of created_at>/<relative key>.
// Exit 3 when a destination differs (unless overwrite), 1 when a copy fails.
Result<TaskOutput> run_copy_local(const Context& ctx, const CopyLocalOptions& options);
TaskRunner bind_copy_local(CLI::App& command);

}  // namespace rawbackup
