// One runner per raw file at a time, across processes and hosts sharing a store: the
// per-record lock is a lease. A row per locked raw file names its holder (task, host, pid)
// and carries a heartbeat that the holder refreshes; a lease whose holder is gone is taken
// over — at once on the same host (its pid is no longer running), after `stale_after`
// without heartbeat from another host (its pid means nothing here).
// The row is written with single statements on a connection of the lock's own (no session
// state such as advisory locks), so it works through transaction-pooling proxies; heartbeat
// ages are measured by the store's own clock, so the hosts' clocks need not agree.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace rawbackup {

// Who writes: stamped on events and lock rows. `host` is the hostname, or RAWBACKUP_HOST_ID
// where containers get random hostnames.
struct Actor {
  std::string task;
  std::string host;
  int64_t pid = 0;
};

struct LockOptions {
  std::chrono::milliseconds wait{10'000};  // how long to wait for a busy lock
  std::chrono::milliseconds poll{200};
  std::chrono::milliseconds heartbeat{30'000};
  std::chrono::milliseconds stale_after{300'000};  // for holders on other hosts
};

// Held until destroyed; released then.
class RecordLock {
 public:
  virtual ~RecordLock() = default;
};

struct LeaseHolder {
  std::string task, host, acquired_at;
  int64_t pid = 0;
  int64_t heartbeat_ms = 0;  // the store's clock when the holder last beat
  int64_t age_ms = 0;        // how long ago that was, by the store's clock
};

// The lock rows of one store, on a connection of their own (the heartbeat runs on its own
// thread). Each call is atomic on its own.
class LeaseTable {
 public:
  virtual ~LeaseTable() = default;
  // Makes `me` the holder of `id` when no one holds it; true when it did.
  virtual Result<bool> insert_if_free(const std::string& id, const Actor& me) = 0;
  virtual Result<std::optional<LeaseHolder>> holder(const std::string& id) = 0;
  // Makes `me` the holder in place of `stale`, only if `stale` (same host, pid, acquired_at
  // and heartbeat) still holds it: true when it did. Two takers: one wins.
  virtual Result<bool> replace(const std::string& id, const LeaseHolder& stale, const Actor& me) = 0;
  // Refreshes `me`'s heartbeat; false when `me` no longer holds `id` (taken over).
  virtual Result<bool> heartbeat(const std::string& id, const Actor& me) = 0;
  virtual Status release(const std::string& id, const Actor& me) = 0;
};

// May `me` take over the lease `holder` has? Same host: when its pid is not `alive`; another
// host: when its heartbeat is older than `stale_after`.
bool lease_expired(const LeaseHolder& holder, const Actor& me, std::chrono::milliseconds stale_after,
                   const std::function<bool(int64_t pid)>& alive);

// Takes the lease on `id` for `me`, waiting up to options.wait (logging once who holds it),
// then kind failed "busy: ID is held by TASK on HOST pid PID since T; retry later".
// Kind interrupted on SIGINT/SIGTERM while waiting.
Result<std::unique_ptr<RecordLock>> acquire_lease(std::unique_ptr<LeaseTable> table, const std::string& id,
                                                  const Actor& me, const LockOptions& options);

}  // namespace rawbackup
