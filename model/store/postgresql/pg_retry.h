// Retrying what a retry may cure — a lost connection, a server restarting, a serialization
// failure, a deadlock — with exponential backoff and jitter, until the store's busy timeout.
#pragma once
#include <chrono>
#include <functional>
#include <random>
#include <thread>

#include "common/interrupt.h"
#include "model/store/postgresql/pg.h"

namespace rawbackup::pg {

// Runs `attempt` until it succeeds, fails for good, `budget` has passed or SIGINT/SIGTERM
// came; before each retry a broken connection is re-established. `attempt` must leave no
// transaction open when it fails (see transaction()). `gave_up`, when given, remembers that
// the budget ran out once: later calls then try once, so a task whose store is gone fails in
// one busy timeout, not one per statement.
template <class T>
Result<T> with_retries(Connection& db, std::chrono::milliseconds budget, const std::function<Result<T>()>& attempt,
                       bool* gave_up = nullptr) {
  bool failing_fast = gave_up != nullptr && *gave_up;
  if (failing_fast) budget = std::chrono::milliseconds(0);
  static thread_local std::mt19937 random{std::random_device{}()};
  auto deadline = std::chrono::steady_clock::now() + budget;
  std::chrono::milliseconds delay{50};
  while (true) {
    Status connected = db.healthy() ? Status{} : db.reconnect();
    Result<T> result = connected ? attempt() : Result<T>(std::unexpected(connected.error()));
    if (result) {
      if (gave_up != nullptr) *gave_up = false;  // the store is back
      return result;
    }
    if (!result.error().transient || interrupted()) return result;
    if (failing_fast) {
      Error e = result.error();
      e.message += "; gave up retrying earlier in this run";
      return std::unexpected(e);
    }
    if (std::chrono::steady_clock::now() + delay >= deadline) {
      Error e = result.error();
      e.message += "; gave up after " + std::to_string(budget.count() / 1000) + " s of retries";
      if (gave_up != nullptr) *gave_up = true;
      return std::unexpected(e);
    }
    std::uniform_int_distribution<int64_t> jitter(delay.count() / 2, delay.count());
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter(random)));
    delay = std::min(delay * 2, std::chrono::milliseconds(2000));
  }
}

// Runs `body` between BEGIN and COMMIT, rolling back when it fails. A COMMIT whose reply
// was lost is not retried (whether it was applied is unknown): kind failed, not transient.
template <class T>
Result<T> transaction(Connection& db, const std::function<Result<T>()>& body) {
  TRY(db.exec("BEGIN"));
  Result<T> result = body();
  if (!result) {
    if (db.healthy()) (void)db.exec("ROLLBACK");
    return result;
  }
  if (auto committed = db.exec("COMMIT"); !committed) {
    Error e = committed.error();
    if (!db.healthy()) {
      e.transient = false;
      e.message += " (while committing: whether the change was recorded is unknown; re-run the task)";
    }
    return std::unexpected(e);
  }
  return result;
}

}  // namespace rawbackup::pg
