// `status`: show records to operators and DAGs — a table of the newest (streamed, so a store
// of any size prints in bounded memory), a summary counted by the store, or whole records
// with their history.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tasks/task.h"

namespace rawbackup {

inline constexpr uint64_t default_status_rows = 50;

struct StatusOptions {
  std::vector<std::string> ids;  // empty: a table of the (filtered) records
  std::string status;            // a status or backup_status name
  std::string instrument;
  bool history = false;
  std::string since{};                   // records changed since (see parse_since)
  bool summary = false;                  // counts and bytes per instrument, and the last errors
  bool metrics = false;                  // Prometheus text of the whole store (tasks/status_metrics.h)
  bool ids_only = false;                 // only the ids, one per line (shell completion, scripts)
  uint64_t limit = default_status_rows;  // rows of the table (the newest); 0: all (--all)
  std::optional<uint64_t> ids_limit{};   // --ids: the newest N (--limit given); every match otherwise
};

Result<TaskOutput> run_status(const Context& ctx, const StatusOptions& options);
TaskRunner bind_status(CLI::App& command);

}  // namespace rawbackup
