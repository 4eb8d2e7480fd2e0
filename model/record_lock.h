// One runner per raw file at a time, across processes and hosts sharing the store.
// A lock row names its holder (task, host, pid); the holder refreshes a heartbeat, so a lock
// left by a dead process is taken over: at once on the same host (the pid is gone), after
// `stale_after` without heartbeat from another host.
#pragma once
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include "common/result.h"
#include "model/record_store.h"

namespace rawbackup {

struct LockOptions {
  std::chrono::milliseconds wait{10'000};            // how long to wait for a busy lock
  std::chrono::milliseconds poll{200};
  std::chrono::milliseconds heartbeat{30'000};
  std::chrono::milliseconds stale_after{300'000};    // for holders on other hosts
};

// Held until destroyed; the row is deleted then.
class RecordLock {
 public:
  // Takes the lock on `id` or fails (kind failed) with "busy: held by TASK on HOST pid PID
  // since T" once options.wait has passed.
  static Result<std::unique_ptr<RecordLock>> acquire(const std::filesystem::path& store_path,
                                                     const std::string& id, const Actor& actor,
                                                     const LockOptions& options = {});
  ~RecordLock();
  RecordLock(const RecordLock&) = delete;
  RecordLock& operator=(const RecordLock&) = delete;

 private:
  RecordLock(sqlite::Database db, std::string id, Actor actor, std::chrono::milliseconds heartbeat);
  void beat();

  sqlite::Database db_;  // a connection of its own: the heartbeat runs on its own thread
  std::string id_;
  Actor actor_;
  std::chrono::milliseconds heartbeat_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace rawbackup
