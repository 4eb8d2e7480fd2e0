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
        "INSERT INTO record_locks (raw_file_id, task, host, pid, acquired_at, heartbeat_ms) "
        "VALUES ($1, $2, $3, $4, $5, " +
            std::string(server_ms) + ") ON CONFLICT (raw_file_id) DO NOTHING",
        {id, me.task, me.host, std::to_string(me.pid), now_utc()});
  }

  Result<std::optional<LeaseHolder>> holder(const std::string& id) override {
    std::lock_guard lock(shared_->mutex);
    return with_retries<std::optional<LeaseHolder>>(
        db_, budget_,
        [&]() -> Result<std::optional<LeaseHolder>> {
          auto rows = db_.exec("SELECT task, host, pid, acquired_at, heartbeat_ms, " + std::string(server_ms) +
                                   " - heartbeat_ms FROM record_locks WHERE raw_file_id = $1",
                               {id});
          if (!rows) return std::unexpected(rows.error());
          if (rows->count() == 0) return std::optional<LeaseHolder>{};
          return std::optional(LeaseHolder{rows->text(0, 0), rows->text(0, 1), rows->text(0, 3), rows->integer(0, 2),
                                           rows->integer(0, 4), rows->integer(0, 5)});
        },
        &gave_up_);
  }

  Result<bool> replace(const std::string& id, const LeaseHolder& stale, const Actor& me) override {
    return changed("UPDATE record_locks SET task = $1, host = $2, pid = $3, acquired_at = $4, heartbeat_ms = " +
                       std::string(server_ms) +
                       " WHERE raw_file_id = $5 AND host = $6 AND pid = $7 AND acquired_at = $8 AND heartbeat_ms = $9",
                   {me.task, me.host, std::to_string(me.pid), now_utc(), id, stale.host, std::to_string(stale.pid),
                    stale.acquired_at, std::to_string(stale.heartbeat_ms)});
  }

  Result<bool> heartbeat(const std::string& id, const Actor& me) override {
    return changed("UPDATE record_locks SET heartbeat_ms = " + std::string(server_ms) +
                       " WHERE raw_file_id = $1 AND host = $2 AND pid = $3",
                   {id, me.host, std::to_string(me.pid)});
  }

  Status release(const std::string& id, const Actor& me) override {
    TRY(changed("DELETE FROM record_locks WHERE raw_file_id = $1 AND host = $2 AND pid = $3",
                {id, me.host, std::to_string(me.pid)}));
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

std::unique_ptr<LeaseTable> make_leases(std::shared_ptr<SharedConnection> shared,
                                        std::chrono::milliseconds busy_timeout) {
  return std::make_unique<PgLeases>(std::move(shared), busy_timeout);
}

}  // namespace rawbackup::pg
