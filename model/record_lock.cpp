#include "model/record_lock.h"

#include "common/interrupt.h"
#include "common/system.h"
#include "common/text.h"

namespace rawbackup {
namespace {

using std::chrono::milliseconds;

struct Holder {
  std::string task, host, acquired_at;
  int64_t pid = 0;
  int64_t heartbeat_ms = 0;  // since the epoch
};

int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(Clock::now().time_since_epoch()).count();
}

bool stale(const Holder& h, const Actor& me, milliseconds stale_after) {
  if (h.host == me.host) return !process_alive(h.pid);
  return now_ms() - h.heartbeat_ms > stale_after.count();
}

Result<std::optional<Holder>> current_holder(sqlite::Database& db, const std::string& id) {
  auto query = db.prepare(
      "SELECT task, host, pid, acquired_at, heartbeat_ms FROM record_locks WHERE raw_file_id=?1");
  query.bind(1, id);
  Result<bool> row = query.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<Holder>{};
  return std::optional<Holder>(
      Holder{query.text(0), query.text(1), query.text(3), query.integer(2), query.integer(4)});
}

// One attempt: takes a free or stale lock; otherwise returns the live holder.
Result<std::optional<Holder>> try_take(sqlite::Database& db, const std::string& id,
                                       const Actor& me, milliseconds stale_after) {
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return std::unexpected(txn.error());
  auto holder = current_holder(db, id);
  if (!holder) return std::unexpected(holder.error());
  if (*holder && !stale(**holder, me, stale_after)) return holder;
  if (*holder) {
    spdlog::warn("taking over the lock on {} left by {} on {} pid {} (no longer running)", id,
                 (*holder)->task, (*holder)->host, (*holder)->pid);
  }
  auto take = db.prepare(
      "INSERT OR REPLACE INTO record_locks (raw_file_id, task, host, pid, acquired_at, "
      "heartbeat_ms) VALUES (?1,?2,?3,?4,?5,?6)");
  take.bind(1, id).bind(2, me.task).bind(3, me.host).bind(4, me.pid).bind(5, now_utc());
  take.bind(6, now_ms());
  if (Status s = take.run(); !s) return std::unexpected(s.error());
  if (Status s = txn->commit(); !s) return std::unexpected(s.error());
  return std::optional<Holder>{};
}

std::string busy_message(const std::string& id, const Holder& h) {
  return "busy: " + id + " is held by " + h.task + " on " + h.host + " pid " +
         std::to_string(h.pid) + " since " + h.acquired_at + "; retry later";
}

}  // namespace

Result<std::unique_ptr<RecordLock>> RecordLock::acquire(const std::filesystem::path& store_path,
                                                        const std::string& id, const Actor& actor,
                                                        const LockOptions& options) {
  auto db = sqlite::Database::open(store_path.string(), 10'000);
  if (!db) return std::unexpected(db.error());
  auto deadline = std::chrono::steady_clock::now() + options.wait;
  bool announced = false;
  while (true) {
    auto holder = try_take(*db, id, actor, options.stale_after);
    if (!holder) return std::unexpected(holder.error());
    if (!*holder) {
      return std::unique_ptr<RecordLock>(new RecordLock(std::move(*db), id, actor, options.heartbeat));
    }
    if (std::chrono::steady_clock::now() >= deadline) return fail(busy_message(id, **holder));
    if (interrupted()) return fail(ErrorKind::interrupted, "interrupted while waiting for the lock");
    if (!announced) spdlog::info("waiting for {}", busy_message(id, **holder).substr(6));
    announced = true;
    std::this_thread::sleep_for(options.poll);
  }
}

RecordLock::RecordLock(sqlite::Database db, std::string id, Actor actor, milliseconds heartbeat)
    : db_(std::move(db)), id_(std::move(id)), actor_(std::move(actor)), heartbeat_(heartbeat) {
  thread_ = std::thread([this] { beat(); });
}

void RecordLock::beat() {
  std::unique_lock lock(mutex_);
  while (!stop_cv_.wait_for(lock, heartbeat_, [this] { return stop_; })) {
    auto update = db_.prepare(
        "UPDATE record_locks SET heartbeat_ms=?1 WHERE raw_file_id=?2 AND host=?3 AND pid=?4");
    update.bind(1, now_ms()).bind(2, id_).bind(3, actor_.host).bind(4, actor_.pid);
    if (Status s = update.run(); !s) spdlog::warn("lock heartbeat: {}", s.error().message);
  }
}

RecordLock::~RecordLock() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
  auto release = db_.prepare("DELETE FROM record_locks WHERE raw_file_id=?1 AND host=?2 AND pid=?3");
  release.bind(1, id_).bind(2, actor_.host).bind(3, actor_.pid);
  if (Status s = release.run(); !s) spdlog::warn("releasing the lock on {}: {}", id_, s.error().message);
}

}  // namespace rawbackup
