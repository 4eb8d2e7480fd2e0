#include "model/store/postgresql/pg_leases.h"

#include "common/text.h"
#include "model/store/postgresql/pg_retry.h"

namespace rawbackup::pg {
namespace {

constexpr const char* server_ms = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

class PgLeases final : public LeaseTable {
 public:
  PgLeases(std::shared_ptr<SharedConnection> shared, std::chrono::milliseconds busy_timeout)
      : shared_(std::move(shared)), db_(shared_->db), budget_(busy_timeout) {}

  Result<bool> insert_if_free(const std::string& id, const Actor& me) override {
    return changed(
        "INSERT INTO record_locks (raw_file_id, task, host, pid, acquired_at, token, heartbeat_ms) "
        "VALUES ($1, $2, $3, $4, $5, $6, " +
            std::string(server_ms) + ") ON CONFLICT (raw_file_id) DO NOTHING",
        {id, me.task, me.host, std::to_string(me.pid), now_utc(), me.token});
  }

  Result<std::optional<LeaseHolder>> holder(const std::string& id) override {
    std::lock_guard lock(shared_->mutex);
    return with_retries<std::optional<LeaseHolder>>(
        db_, budget_, [&] { return read_lease_row(db_, id, false); }, &gave_up_);
  }

  Result<bool> replace(const std::string& id, const LeaseHolder& stale, const Actor& me) override {
    return changed(
        "UPDATE record_locks SET task = $1, host = $2, pid = $3, acquired_at = $4, token = $10, "
        "heartbeat_ms = " +
            std::string(server_ms) +
            " WHERE raw_file_id = $5 AND host = $6 AND pid = $7 AND acquired_at = $8 AND heartbeat_ms = $9"
            " AND token = $11",
        {me.task, me.host, std::to_string(me.pid), now_utc(), id, stale.host, std::to_string(stale.pid),
         stale.acquired_at, std::to_string(stale.heartbeat_ms), me.token, stale.token});
  }

  Result<bool> heartbeat(const std::string& id, const Actor& me) override {
    return changed("UPDATE record_locks SET heartbeat_ms = " + std::string(server_ms) +
                       " WHERE raw_file_id = $1 AND host = $2 AND pid = $3 AND token = $4",
                   {id, me.host, std::to_string(me.pid), me.token});
  }

  Result<std::string> last_change(const std::string& id) override {
    std::lock_guard lock(shared_->mutex);
    return with_retries<std::string>(
        db_, budget_, [&] { return read_last_change(db_, id); }, &gave_up_);
  }

  Status release(const std::string& id, const Actor& me) override {
    TRY(changed("DELETE FROM record_locks WHERE raw_file_id = $1 AND host = $2 AND pid = $3 AND token = $4",
                {id, me.host, std::to_string(me.pid), me.token}));
    return {};
  }

 private:
  // One statement; true when it changed a row.
  Result<bool> changed(const std::string& sql, const Params& params) {
    std::lock_guard lock(shared_->mutex);
    return with_retries<bool>(
        db_, budget_,
        [&]() -> Result<bool> {
          auto rows = db_.exec(sql, params);
          if (!rows) return std::unexpected(rows.error());
          return rows->affected() == 1;
        },
        &gave_up_);
  }

  std::shared_ptr<SharedConnection> shared_;
  Connection& db_;
  std::chrono::milliseconds budget_;
  bool gave_up_ = false;  // see with_retries (one thread at a time: the heartbeat, then release)
};

}  // namespace

Result<std::string> read_last_change(Connection& db, const std::string& id) {
  auto rows = db.exec("SELECT task, host, pid, at FROM events WHERE raw_file_id = $1 ORDER BY seq DESC LIMIT 1", {id});
  if (!rows) return std::unexpected(rows.error());
  if (rows->count() == 0) return std::string();
  return describe_change(rows->text(0, 0), rows->text(0, 1), rows->integer(0, 2), rows->text(0, 3));
}

Result<std::optional<LeaseHolder>> read_lease_row(Connection& db, const std::string& id, bool for_share) {
  auto rows =
      db.exec("SELECT task, host, pid, acquired_at, heartbeat_ms, " + std::string(server_ms) +
                  " - heartbeat_ms, token FROM record_locks WHERE raw_file_id = $1" + (for_share ? " FOR SHARE" : ""),
              {id});
  if (!rows) return std::unexpected(rows.error());
  if (rows->count() == 0) return std::optional<LeaseHolder>{};
  return std::optional(LeaseHolder{rows->text(0, 0), rows->text(0, 1), rows->text(0, 3), rows->integer(0, 2),
                                   rows->integer(0, 4), rows->integer(0, 5), rows->text(0, 6)});
}

std::unique_ptr<LeaseTable> make_leases(std::shared_ptr<SharedConnection> shared,
                                        std::chrono::milliseconds busy_timeout) {
  return std::make_unique<PgLeases>(std::move(shared), busy_timeout);
}

}  // namespace rawbackup::pg
