// `store copy FROM TO`: moves a facility's records from one store to another (the demo's
// SQLite file into PostgreSQL, say): every record with its files and events, as they are.
#pragma once
#include <string>

#include "tasks/task.h"

namespace rawbackup {

struct StoreCopyOptions {
  std::string from;  // store URL: sqlite:///abs/path.sqlite or postgresql://…
  std::string to;
  bool dry_run = false;  // count what would be copied; open the target read-only
};

// Refuses (conflict, nothing written) a target holding records the source does not have:
// stores are moved, never merged. Records already in the target are left as they are, so a
// re-run (after an interruption, or of a finished copy) copies only what is missing.
Result<TaskOutput> run_store_copy(const Context& ctx, const StoreCopyOptions& options);
TaskRunner bind_store(CLI::App& command);

}  // namespace rawbackup
