// Runs a task once per selected raw file: each independently (one failure does not stop the
// others), a summary at the end, the exit code of the worst outcome.
#pragma once
#include <functional>
#include <memory>
#include <string>

#include "tasks/selection.h"
#include "tasks/task.h"

namespace rawbackup {

using RunOne = std::function<Result<TaskOutput>(const std::string& id)>;

// One id named and no filter (unless `summarize_one`): that run's output unchanged (the
// single-file contract DAGs rely on). Otherwise result {"task", "outcome" ("ok" when the exit
// code is 0 or a skip code), "selected", "counts" {outcome or error kind: n}, "results" [each
// run's result, or error_result()], "exit_code"}; text: each run's text, then a summary line.
// An interruption stops the batch (exit 130).
Result<TaskOutput> run_batch(const Context& ctx, const std::string& task, const Selection& selection,
                             const RunOne& run_one, bool summarize_one = false);

// The result of a run that failed: {"task", "outcome": "failed" (or "not-ready" for a set
// still being written), "kind", "error" (one line),
// "exit_code"}, and "id" unless empty.
nlohmann::json error_result(const std::string& task, const std::string& id, const Error& error);

// The worse of two exit codes: 130 > 4 > 3 > 2 > 1 > any other non-zero (a skip code) > 0.
int worst_exit_code(int a, int b);

// The runner of a task whose options have an `id`: run_batch over `selection`, each run with
// a copy of `options` for that id.
template <class Options>
TaskRunner per_selected_id(const char* task, std::shared_ptr<Options> options, std::shared_ptr<Selection> selection,
                           Result<TaskOutput> (*run)(const Context&, const Options&)) {
  return [=](const Context& ctx) {
    return run_batch(ctx, task, *selection, [&](const std::string& id) {
      Options one = *options;
      one.id = id;
      return run(ctx, one);
    });
  };
}

}  // namespace rawbackup
