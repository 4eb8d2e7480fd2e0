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

std::string held_by(const std::string& id, const LeaseHolder& h) { return id + " is held by " + describe_holder(h); }

// The lease, kept alive by a heartbeat thread until destroyed. No exception leaves the thread
// or the destructor: a store that throws (SQLite's prepare) is logged as a failed beat.
class Lease final : public RecordLock {
 public:
  Lease(std::unique_ptr<LeaseTable> table, std::string id, Actor me, milliseconds heartbeat, milliseconds confirm_after)
      : table_(std::move(table)),
        id_(std::move(id)),
        me_(std::move(me)),
        heartbeat_(heartbeat),
        confirm_after_(std::min(heartbeat, confirm_after)) {
    thread_ = std::thread([this] { beat(); });
  }

  ~Lease() override {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    thread_.join();
    if (lost_) return;  // the row is another run's now
    auto s = guarded<bool>([&]() -> Result<bool> {
      TRY(table_->release(id_, me_));
      return true;
    });
    if (!s) spdlog::warn("releasing the lock on {}: {}", id_, s.error().message);
  }

  Status check() override {
    std::lock_guard lock(mutex_);
    if (lost_) return std::unexpected(*lost_);
    if (std::chrono::steady_clock::now() - confirmed_ < confirm_after_) return {};
    return confirm();  // the heartbeat is late (this run was paused?): ask the store now
  }

 private:
  // With mutex_ held: one heartbeat; a lease found taken over is lost for good.
  Status confirm() {
    auto mine = guarded<bool>([&] { return table_->heartbeat(id_, me_); });
    if (!mine) return fail(mine.error(), "cannot confirm the lock on " + id_);
    if (*mine) {
      confirmed_ = std::chrono::steady_clock::now();
      return {};
    }
    auto holder = guarded<std::optional<LeaseHolder>>([&] { return table_->holder(id_); });
    std::string last;
    if (!holder || !*holder) last = guarded<std::string>([&] { return table_->last_change(id_); }).value_or("");
    lost_ = lost_lease(id_, holder ? *holder : std::nullopt, last);
    spdlog::error("{}", lost_->message);
    return std::unexpected(*lost_);
  }

  template <typename T, typename F>
  static Result<T> guarded(F&& call) {
    try {
      return call();
    } catch (const std::exception& e) {
      return fail(std::string("store: ") + e.what());
    }
  }

  void beat() {
    std::unique_lock lock(mutex_);
    while (!lost_ && !stop_cv_.wait_for(lock, heartbeat_, [this] { return stop_; })) {
      if (Status s = confirm(); !s && !lost_) spdlog::warn("lock heartbeat for {}: {}", id_, s.error().message);
    }
  }

  std::unique_ptr<LeaseTable> table_;
  std::string id_;
  Actor me_;
  milliseconds heartbeat_;
  milliseconds confirm_after_;
  std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::chrono::steady_clock::time_point confirmed_ = std::chrono::steady_clock::now();
  std::optional<Error> lost_;  // set once the store says another run holds the lease
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
  if (holder->host == me.host && holder->pid == me.pid && holder->task == me.task && holder->token == me.token) {
    return Attempt{true, {}};
  }
  if (!lease_expired(*holder, me, stale_after, process_alive)) return Attempt{false, holder};
  TRY_ASSIGN(replaced, table.replace(id, *holder, me));
  if (!replaced) return Attempt{false, holder};  // another run took it first
  const LeaseHolder& h = *holder;
  spdlog::warn("took over the lock on {} left by {} on {} pid {} ({})", id, h.task, h.host, h.pid,
               h.age_ms <= stale_after.count() ? "no longer running"
                                               : "no heartbeat for " + std::to_string(h.age_ms / 1000) + " s");
  return Attempt{true, {}};
}

}  // namespace

std::string describe_holder(const LeaseHolder& h) {
  return h.task + " on " + h.host + " pid " + std::to_string(h.pid) + " since " + h.acquired_at;
}

Error lost_lease(const std::string& id, const std::optional<LeaseHolder>& holder, const std::string& last_change) {
  std::string by = holder ? " by " + describe_holder(*holder)
                   : last_change.empty()
                       ? " by another run, which has finished since"
                       : " by another run, which has finished since (last change: " + last_change + ")";
  return Error{ErrorKind::failed, "the lock on " + id + " was taken over" + by +
                                      " while this run was paused or cut off from the store (longer than "
                                      "store.lease_seconds); this run stops without writing more"};
}

std::string describe_change(const std::string& task, const std::string& host, int64_t pid, const std::string& at) {
  return task + " on " + host + " pid " + std::to_string(pid) + " at " + at;
}

namespace {

// A lock that counts its record as held (HeldLeases) while it lives.
class TrackedLock final : public RecordLock {
 public:
  TrackedLock(std::unique_ptr<RecordLock> inner, std::function<void()> on_release)
      : inner_(std::move(inner)), on_release_(std::move(on_release)) {}
  ~TrackedLock() override {
    inner_.reset();  // released first: a write after this is not this lease's
    on_release_();
  }
  Status check() override { return inner_->check(); }

 private:
  std::unique_ptr<RecordLock> inner_;
  std::function<void()> on_release_;
};

}  // namespace

bool HeldLeases::holds(const std::string& id) const {
  std::lock_guard lock(ids_->mutex);
  return ids_->ids.contains(id);
}

std::unique_ptr<RecordLock> HeldLeases::track(const std::string& id, std::unique_ptr<RecordLock> lock) {
  {
    std::lock_guard guard(ids_->mutex);
    ids_->ids.insert(id);
  }
  return std::make_unique<TrackedLock>(std::move(lock), [ids = ids_, id] {
    std::lock_guard guard(ids->mutex);
    ids->ids.erase(ids->ids.find(id));
  });
}

Status check_fence(const std::string& id, const std::optional<LeaseHolder>& row, const Actor& me,
                   const std::function<Result<std::string>()>& last_change) {
  if (row && row->host == me.host && row->pid == me.pid && row->token == me.token) return {};
  return std::unexpected(lost_lease(id, row, row ? "" : last_change().value_or("")));
}

bool lease_expired(const LeaseHolder& holder, const Actor& me, milliseconds stale_after,
                   const std::function<bool(int64_t pid)>& alive) {
  if (holder.age_ms > stale_after.count()) return true;
  bool pid_means_something_here = holder.host == me.host && (holder.token.empty() || shares_pid_space(holder.token));
  return pid_means_something_here && !alive(holder.pid);
}

Result<std::unique_ptr<RecordLock>> acquire_lease(std::unique_ptr<LeaseTable> table, const std::string& id,
                                                  const Actor& me, const LockOptions& options) {
  auto deadline = std::chrono::steady_clock::now() + options.wait;
  bool announced = false;
  while (true) {
    TRY_ASSIGN(attempt, try_take(*table, id, me, options.stale_after));
    if (attempt.taken) {
      return std::unique_ptr<RecordLock>(
          std::make_unique<Lease>(std::move(table), id, me, options.heartbeat, options.confirm_after));
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
