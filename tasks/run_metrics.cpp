#include "tasks/run_metrics.h"

#include "common/metrics_text.h"

namespace rawbackup {

std::string run_metrics(const RunFacts& run) {
  MetricLabels task{{"task", run.task}};
  MetricsText m;
  m.family("run_duration_seconds", "How long the last run of the task took.").sample(task, run.duration_s);
  m.family("run_bytes", "Bytes the last run hashed, copied, uploaded, restored or read to verify.")
      .sample(task, static_cast<double>(run.bytes));
  m.family("run_exit_code",
           "Exit code of the last run: 0 success, 1 retryable failure, 2 usage, 3 conflict, 4 "
           "verification, 130 interrupted.")
      .sample(task, run.exit_code);
  m.family("run_success", "1 when the last run exited 0.").sample(task, run.exit_code == 0 ? 1 : 0);
  m.family("run_outcome", "The last run's outcome, as a label (the sample is 1).")
      .sample({{"task", run.task}, {"outcome", run.outcome}}, 1);
  m.family("run_end_timestamp_seconds", "When the last run ended (Unix time).")
      .sample(task, static_cast<double>(
                        std::chrono::duration_cast<std::chrono::seconds>(run.ended.time_since_epoch()).count()));
  return m.text();
}

}  // namespace rawbackup
