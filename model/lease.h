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
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "common/result.h"
#include "common/system.h"

namespace rawbackup {

// Who writes: stamped on events and lock rows. `host` is the hostname, or RAWBACKUP_HOST_ID
// where containers get random hostnames. A lease is held by (host, pid, token): the token
// (process_token()) tells apart processes that share a host id and a pid (containers in pid
// namespaces of their own, a reused pid).
struct Actor {
  std::string task;
  std::string host;
  int64_t pid = 0;
  std::string token = process_token();
};

struct LockOptions {
  std::chrono::milliseconds wait{10'000};  // how long to wait for a busy lock
  std::chrono::milliseconds poll{200};
  std::chrono::milliseconds heartbeat{30'000};
  std::chrono::milliseconds stale_after{300'000};  // for holders on other hosts
  // RecordLock::check() asks the store when the lease was last confirmed longer ago than this
  // or the heartbeat period, whichever is shorter: other hosts may have a shorter lease.
  std::chrono::milliseconds confirm_after{1'000};
};

// Held until destroyed; released then.
class RecordLock {
 public:
  virtual ~RecordLock() = default;
  // Before a step others would see (a file renamed into the backup, an S3 PUT, Complete or
  // DELETE, an unlink): ok while this run still holds the lease. A run paused past the lease
  // (a frozen VM, SIGSTOP, the store out of reach) whose lease another run took over gets an
  // error naming that run, and must stop. Asks the store only when the lease was not
  // confirmed within LockOptions::confirm_after (1 s) or one heartbeat period, so calling it
  // per file is cheap.
  virtual Status check() { return {}; }
};

struct LeaseHolder {
  std::string task, host, acquired_at;
  int64_t pid = 0;
  int64_t heartbeat_ms = 0;  // the store's clock when the holder last beat
  int64_t age_ms = 0;        // how long ago that was, by the store's clock
  std::string token{};       // the holder's process_token() ("" in rows of older versions)
};

// "TASK on HOST pid PID since T": a lease holder as messages name it.
std::string describe_holder(const LeaseHolder& holder);
// The error of a run whose lease on `id` was taken over by `holder`; with none (that run has
// finished and released it), `last_change` names who changed the record last ("TASK on HOST
// pid PID at T", "" when unknown).
Error lost_lease(const std::string& id, const std::optional<LeaseHolder>& holder, const std::string& last_change);

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
  // Refreshes `me`'s heartbeat; false when `me` (host, pid and token) no longer holds `id`.
  virtual Result<bool> heartbeat(const std::string& id, const Actor& me) = 0;
  virtual Status release(const std::string& id, const Actor& me) = 0;
  // Who changed record `id` last, from its events: "TASK on HOST pid PID at T" ("" if none).
  virtual Result<std::string> last_change(const std::string& id) = 0;
};

// The records whose lease a store handle holds (its lock() calls not yet released): their
// record writes are fenced, each checked in its own transaction against the lock row.
class HeldLeases {
 public:
  bool holds(const std::string& id) const;
  // `lock` as held for `id` until it is destroyed.
  std::unique_ptr<RecordLock> track(const std::string& id, std::unique_ptr<RecordLock> lock);

 private:
  struct Ids {
    std::mutex mutex;
    std::multiset<std::string> ids;
  };
  std::shared_ptr<Ids> ids_ = std::make_shared<Ids>();
};

// The fence of a record write: ok when the lock row of `id` (read in the write's transaction)
// is still `me`'s; else the lost-lease error naming who holds it now (or, when no one does,
// `last_change`, asked for only then).
Status check_fence(const std::string& id, const std::optional<LeaseHolder>& row, const Actor& me,
                   const std::function<Result<std::string>()>& last_change);
// "TASK on HOST pid PID at T": how last_change() names the author of an event.
std::string describe_change(const std::string& task, const std::string& host, int64_t pid, const std::string& at);

// May `me` take over the lease `holder` has? When its heartbeat is older than `stale_after`,
// and at once when it ran on this host in this pid namespace (its token says so) and its pid
// is not `alive`. A pid from another pid namespace names nothing here: only the heartbeat
// tells whether that holder is gone.
bool lease_expired(const LeaseHolder& holder, const Actor& me, std::chrono::milliseconds stale_after,
                   const std::function<bool(int64_t pid)>& alive);

// Takes the lease on `id` for `me`, waiting up to options.wait (logging once who holds it),
// then kind failed "busy: ID is held by TASK on HOST pid PID since T; retry later".
// Kind interrupted on SIGINT/SIGTERM while waiting.
Result<std::unique_ptr<RecordLock>> acquire_lease(std::unique_ptr<LeaseTable> table, const std::string& id,
                                                  const Actor& me, const LockOptions& options);

}  // namespace rawbackup
