// `status`: show records (a table, or whole records with their history) to operators and DAGs.
#pragma once
#include <string>
#include <vector>

#include "tasks/task.h"

namespace rawbackup {

struct StatusOptions {
  std::vector<std::string> ids;  // empty: a table of all (filtered) records
  std::string status;            // a status or backup_status name
  std::string instrument;
  bool history = false;
  std::string since{};    // records changed since (see parse_since)
  bool summary = false;   // counts and bytes per instrument, and the last errors
};

Result<TaskOutput> run_status(const Context& ctx, const StatusOptions& options);
TaskRunner bind_status(CLI::App& command);

}  // namespace rawbackup
