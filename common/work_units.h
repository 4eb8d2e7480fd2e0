// Units of work on a pool of threads, the caller's among them: each thread takes the next
// unit until none is left. The first failure (a unit's error, SIGINT/SIGTERM before a unit,
// or an exception thrown by a unit, which never reaches std::terminate) stops the rest: the
// others finish the unit they have and take no other. One helper for every engine that
// spreads work over threads (hashing, copying, uploading, fetching).
#pragma once
#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>

#include "common/result.h"

namespace rawbackup {

class WorkUnits {
 public:
  // Runs `unit(i)` for every i in [0, count) on min(workers, count) threads (at least one:
  // the caller's); returns the first failure.
  Status run(size_t count, unsigned workers, const std::function<Status(size_t)>& unit);
  // True once a unit failed: long units poll it to stop early (a GET cancelled mid-way).
  bool stopping() const { return stop_; }
  const std::atomic<bool>& stop_flag() const { return stop_; }

 private:
  void work(size_t count, const std::function<Status(size_t)>& unit);
  void record(Error error);

  std::atomic<size_t> next_{0};
  std::atomic<bool> stop_{false};
  std::mutex error_mutex_;
  std::optional<Error> error_;
};

}  // namespace rawbackup
