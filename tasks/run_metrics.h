// The metrics one run of a task leaves for node_exporter's textfile collector
// (--metrics-file): how long it took, the bytes it moved, its outcome and exit code, when it
// ended. Each task writes its own file (a later run of the same task replaces it).
#pragma once
#include <cstdint>
#include <string>

#include "common/text.h"

namespace rawbackup {

struct RunFacts {
  std::string task;
  std::string outcome = "failed";  // the result's outcome ("done", "skipped", …), else "failed"
  int exit_code = 1;
  uint64_t bytes = 0;  // hashed, copied, uploaded, restored or read to verify
  double duration_s = 0;
  Clock::time_point ended{};
};

std::string run_metrics(const RunFacts& run);

}  // namespace rawbackup
