#include "model/lease.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/interrupt.h"
#include "common/system.h"
#include "common/text.h"

namespace rawbackup {
namespace {

using std::chrono::milliseconds;

std::string held_by(const std::string& id, const LeaseHolder& h) {
  return id + " is held by " + h.task + " on " + h.host + " pid " + std::to_string(h.pid) + " since " + h.acquired_at;
}

// The lease, kept alive by a heartbeat thread until destroyed.
class Lease final : public RecordLock {
 public:
  Lease(std::unique_ptr<LeaseTable> table, std::string id, Actor me, milliseconds heartbeat)
      : table_(std::move(table)), id_(std::move(id)), me_(std::move(me)), heartbeat_(heartbeat) {
    thread_ = std::thread([this] { beat(); });
  }

  ~Lease() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
    if (Status s = table_->release(id_, me_); !s) spdlog::warn("releasing the lock on {}: {}", id_, s.error().message);
  }

 private:
  void beat() {
    std::unique_lock lock(mutex_);
    while (!stop_cv_.wait_for(lock, heartbeat_, [this] { return stop_; })) {
      auto mine = table_->heartbeat(id_, me_);
      if (!mine) {
        spdlog::warn("lock heartbeat for {}: {}", id_, mine.error().message);
      } else if (!*mine) {
        spdlog::error("the lock on {} was taken over by another run (no heartbeat reached the store in time)", id_);
      }
    }
  }

  std::unique_ptr<LeaseTable> table_;
  std::string id_;
  Actor me_;
  milliseconds heartbeat_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

struct Attempt {
  bool taken = false;
  std::optional<LeaseHolder> holder;  // who has it, when not taken (none: released meanwhile)
};

// One attempt: takes a free or expired lease; otherwise says who holds it.
Result<Attempt> try_take(LeaseTable& table, const std::string& id, const Actor& me, milliseconds stale_after) {
  TRY_ASSIGN(inserted, table.insert_if_free(id, me));
  if (inserted) return Attempt{true, {}};
  TRY_ASSIGN(holder, table.holder(id));
  if (!holder) return Attempt{false, {}};
  // Ours already: an insert whose reply was lost (a retry after a dropped connection).
  if (holder->host == me.host && holder->pid == me.pid && holder->task == me.task) return Attempt{true, {}};
  if (!lease_expired(*holder, me, stale_after, process_alive)) return Attempt{false, holder};
  TRY_ASSIGN(replaced, table.replace(id, *holder, me));
  if (!replaced) return Attempt{false, holder};  // another run took it first
  const LeaseHolder& h = *holder;
  spdlog::warn("took over the lock on {} left by {} on {} pid {} ({})", id, h.task, h.host, h.pid,
               h.host == me.host ? "no longer running" : "no heartbeat for " + std::to_string(h.age_ms / 1000) + " s");
  return Attempt{true, {}};
}

}  // namespace

bool lease_expired(const LeaseHolder& holder, const Actor& me, milliseconds stale_after,
                   const std::function<bool(int64_t pid)>& alive) {
  if (holder.host == me.host) return !alive(holder.pid);
  return holder.age_ms > stale_after.count();
}

Result<std::unique_ptr<RecordLock>> acquire_lease(std::unique_ptr<LeaseTable> table, const std::string& id,
                                                  const Actor& me, const LockOptions& options) {
  auto deadline = std::chrono::steady_clock::now() + options.wait;
  bool announced = false;
  while (true) {
    TRY_ASSIGN(attempt, try_take(*table, id, me, options.stale_after));
    if (attempt.taken) {
      return std::unique_ptr<RecordLock>(std::make_unique<Lease>(std::move(table), id, me, options.heartbeat));
    }
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted while waiting for the lock on " + id);
    if (!attempt.holder) continue;  // released between our two looks: try again at once
    const LeaseHolder& h = *attempt.holder;
    if (std::chrono::steady_clock::now() >= deadline) return fail("busy: " + held_by(id, h) + "; retry later");
    if (!announced) {
      spdlog::info("{}; waiting up to {} for it to finish", held_by(id, h),
                   format_duration(std::chrono::duration<double>(options.wait).count()));
      announced = true;
    }
    std::this_thread::sleep_for(options.poll);
  }
}

}  // namespace rawbackup
