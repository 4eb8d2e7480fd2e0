#include "model/store/sqlite/sqlite_leases.h"

#include "common/text.h"
#include "model/store/sqlite/sqlite.h"

namespace rawbackup {
namespace {

// One host shares a SQLite store, so its own clock is the store's clock.
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

class SqliteLeases final : public LeaseTable {
 public:
  explicit SqliteLeases(sqlite::Database db) : db_(std::move(db)) {}

  Result<bool> insert_if_free(const std::string& id, const Actor& me) override {
    auto stmt = db_.prepare(
        "INSERT OR IGNORE INTO record_locks (raw_file_id, task, host, pid, acquired_at, heartbeat_ms, token) "
        "VALUES (?1,?2,?3,?4,?5,?6,?7)");
    stmt.bind(1, id).bind(2, me.task).bind(3, me.host).bind(4, me.pid).bind(5, now_utc()).bind(6, now_ms());
    stmt.bind(7, me.token);
    return changed(stmt);
  }

  Result<std::optional<LeaseHolder>> holder(const std::string& id) override { return read_lease_row(db_, id); }
  Result<std::string> last_change(const std::string& id) override { return read_last_change(db_, id); }

  Result<bool> replace(const std::string& id, const LeaseHolder& stale, const Actor& me) override {
    auto stmt = db_.prepare(
        "UPDATE record_locks SET task=?1, host=?2, pid=?3, acquired_at=?4, heartbeat_ms=?5, token=?11 "
        "WHERE raw_file_id=?6 AND host=?7 AND pid=?8 AND acquired_at=?9 AND heartbeat_ms=?10 AND token=?12");
    stmt.bind(1, me.task).bind(2, me.host).bind(3, me.pid).bind(4, now_utc()).bind(5, now_ms()).bind(6, id);
    stmt.bind(7, stale.host).bind(8, stale.pid).bind(9, stale.acquired_at).bind(10, stale.heartbeat_ms);
    stmt.bind(11, me.token).bind(12, stale.token);
    return changed(stmt);
  }

  Result<bool> heartbeat(const std::string& id, const Actor& me) override {
    auto stmt =
        db_.prepare("UPDATE record_locks SET heartbeat_ms=?1 WHERE raw_file_id=?2 AND host=?3 AND pid=?4 AND token=?5");
    stmt.bind(1, now_ms()).bind(2, id).bind(3, me.host).bind(4, me.pid).bind(5, me.token);
    return changed(stmt);
  }

  Status release(const std::string& id, const Actor& me) override {
    auto stmt = db_.prepare("DELETE FROM record_locks WHERE raw_file_id=?1 AND host=?2 AND pid=?3 AND token=?4");
    stmt.bind(1, id).bind(2, me.host).bind(3, me.pid).bind(4, me.token);
    return stmt.run();
  }

 private:
  static Result<bool> changed(sqlite::Statement& stmt) {
    TRY(stmt.run());
    return stmt.changes() == 1;
  }

  sqlite::Database db_;
};

}  // namespace

Result<std::optional<LeaseHolder>> read_lease_row(sqlite::Database& db, const std::string& id) {
  auto query =
      db.prepare("SELECT task, host, pid, acquired_at, heartbeat_ms, token FROM record_locks WHERE raw_file_id=?1");
  query.bind(1, id);
  Result<bool> row = query.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<LeaseHolder>{};
  int64_t beat = query.integer(4);
  return std::optional(
      LeaseHolder{query.text(0), query.text(1), query.text(3), query.integer(2), beat, now_ms() - beat, query.text(5)});
}

Result<std::string> read_last_change(sqlite::Database& db, const std::string& id) {
  auto query = db.prepare("SELECT task, host, pid, at FROM events WHERE raw_file_id=?1 ORDER BY seq DESC LIMIT 1");
  query.bind(1, id);
  Result<bool> row = query.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::string();
  return describe_change(query.text(0), query.text(1), query.integer(2), query.text(3));
}

Result<std::unique_ptr<LeaseTable>> open_sqlite_leases(const std::string& path, int busy_timeout_ms) {
  TRY_ASSIGN(db, sqlite::Database::open(path, busy_timeout_ms));
  return std::unique_ptr<LeaseTable>(std::make_unique<SqliteLeases>(std::move(db)));
}

}  // namespace rawbackup
