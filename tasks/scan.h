// `scan`: the front door. Lists each instrument folder once, looks the names up in the store in
// one query, stats only the main files of sets not recorded yet, and says per set whether the
// per-file pipeline can run now (tasks/scan_rules.h decides; what it saw is kept in the store as
// sightings). A folder that is missing, unreadable, not the mount point it must be, or empty
// while the store saw sets there within a day is an error naming it (exit 1), never an empty
// list; the other instruments are still reported.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace rawbackup {

struct ScanOptions {
  std::vector<std::string> instruments;  // empty: every configured instrument
  uint64_t limit = 0;                    // at most N ready sets, the oldest first; 0: all
  bool all = false;                      // also list the recorded sets
};

Result<TaskOutput> run_scan(const Context& ctx, const ScanOptions& options);
TaskRunner bind_scan(CLI::App& command);

}  // namespace rawbackup
