#include "model/store/postgresql/pg_store.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/text.h"
#include "config/store_url.h"
#include "model/store/empty_store.h"
#include "model/store/postgresql/pg_health.h"
#include "model/store/postgresql/pg_leases.h"
#include "model/store/postgresql/pg_sightings.h"
#include "model/store/postgresql/pg_records.h"
#include "model/store/postgresql/pg_retry.h"
#include "model/store/postgresql/pg_schema.h"
#include "model/store_common.h"

namespace rawbackup {
namespace {

using pg::Connection;
using pg::Params;

// The filter as $1 (status), $2 (instrument), $3 (changed since); NULL matches anything.
constexpr const char* filter_where_base =
    " WHERE ($1::text IS NULL OR status = $1 OR backup_status = $1) AND ($2::text IS NULL OR instrument_id = $2)"
    " AND ($3::text IS NULL OR updated_at >= $3)";

// The filter's WHERE clause; purged records left out for selections that ask (a daily purge).
std::string where_of(const RecordFilter& filter) {
  return std::string(filter_where_base) + purge_conditions(filter);
}

Params filter_params(const RecordFilter& f) { return {f.status, f.instrument_id, f.changed_since}; }

// A connection, retried while the server is unreachable (starting, restarting) for `budget`;
// the first failure is logged, so a wait is never silent.
Result<Connection> connect(const std::string& url, const std::string& location, std::chrono::milliseconds budget) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  for (bool first = true;; first = false) {
    auto db = Connection::open(url, location);
    if (db || !db.error().transient || interrupted()) return db;
    if (std::chrono::steady_clock::now() >= deadline) {
      db.error().message += "; gave up after " + std::to_string(budget.count() / 1000) + " s of retries";
      return db;
    }
    if (first) {
      spdlog::warn("{}; retrying for up to {} s (the server may be starting or restarting)", db.error().message,
                   budget.count() / 1000);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

constexpr int64_t rows_per_fetch = 1000;

class PgStore final : public RecordStore {
 public:
  PgStore(Connection db, std::string url, Actor actor, StoreOptions options)
      : shared_(std::make_shared<pg::SharedConnection>(std::move(db))),
        db_(shared_->db),
        url_(std::move(url)),
        location_(redact_store_url(url_)),
        actor_(std::move(actor)),
        options_(options) {}

  std::string location() const override { return location_; }
  const Actor& actor() const override { return actor_; }
  Result<StoreHealth> health() override {
    return retried<StoreHealth>([&] { return pg::store_health(db_); });
  }

  Result<std::optional<RawFile>> get(const std::string& id) override {
    return retried<std::optional<RawFile>>([&] { return pg::read_record(db_, id); });
  }

  Status insert(const RawFile& record, const std::string& message) override {
    TRY(writable());
    return written([&]() -> Status {
      TRY(fence(record.id));
      RawFile stamped_record = record;
      stamped_record.updated_at = now_utc();
      TRY(insert_record(stamped_record));
      return pg::append_events(db_,
                               {stamped(record.id, created_event(record, message), actor_, stamped_record.updated_at)});
    });
  }

  Result<RecordRow> update(const std::string& id, const RecordChange& change) override {
    TRY(writable());
    return retried<RecordRow>([&] {
      return pg::transaction<RecordRow>(db_, [&]() -> Result<RecordRow> {
        TRY(fence(id));
        TRY_ASSIGN(before, pg::lock_row(db_, id));
        if (!before) return fail(ErrorKind::usage, "no record for " + id);
        RawFile after = *before;
        apply_change(after, change);
        after.updated_at = now_utc();
        TRY(pg::update_row(db_, after));
        if (change.file_info) {
          TRY(pg::write_files(db_, id, *change.file_info, true));
        }
        std::vector<Event> events;
        for (const EventDraft& e : events_for(*before, after, change.message))
          events.push_back(stamped(id, e, actor_, after.updated_at));
        TRY(pg::append_events(db_, events));
        return static_cast<RecordRow>(after);
      });
    });
  }

  Result<std::vector<Event>> history(const std::string& id) override {
    return retried<std::vector<Event>>([&]() -> Result<std::vector<Event>> {
      auto rows = db_.exec(
          "SELECT seq, raw_file_id, at, task, host, pid, field, from_value, to_value, message FROM events "
          "WHERE raw_file_id = $1 ORDER BY seq",
          {id});
      if (!rows) return std::unexpected(rows.error());
      std::vector<Event> events;
      for (int i = 0; i < rows->count(); ++i) {
        events.push_back({rows->integer(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3), rows->text(i, 4),
                          rows->integer(i, 5), rows->text(i, 6), rows->optional_text(i, 7), rows->optional_text(i, 8),
                          rows->text(i, 9)});
      }
      return events;
    });
  }

  // Through a cursor, a thousand rows at a time: memory does not grow with the store.
  Status list_rows(const RecordQuery& q, const RowVisitor& visit) override {
    Params params = filter_params(q.filter);
    params.push_back(q.limit == 0 ? std::nullopt : std::optional(std::to_string(q.limit)));
    return retried<void>([&] {
      return pg::transaction<void>(db_, [&]() -> Status {
        TRY(db_.exec(std::string("DECLARE listing NO SCROLL CURSOR FOR SELECT ") + pg::row_columns + " FROM raw_files" +
                         where_of(q.filter) + " ORDER BY " + order_by_sql(q.order) + " LIMIT $4::bigint",
                     params));
        while (true) {
          auto rows = db_.exec("FETCH " + std::to_string(rows_per_fetch) + " FROM listing");
          if (!rows) return std::unexpected(rows.error());
          for (int i = 0; i < rows->count(); ++i) {
            TRY_ASSIGN(row, pg::read_row(*rows, i));
            TRY(visit(row));
          }
          if (rows->count() < rows_per_fetch) return {};
        }
      });
    });
  }

  Result<std::vector<std::string>> list_ids(const RecordFilter& filter) override {
    return retried<std::vector<std::string>>([&]() -> Result<std::vector<std::string>> {
      auto rows =
          db_.exec(std::string("SELECT id FROM raw_files") + where_of(filter) + " ORDER BY created_at DESC, id DESC",
                   filter_params(filter));
      if (!rows) return std::unexpected(rows.error());
      std::vector<std::string> ids;
      ids.reserve(static_cast<size_t>(rows->count()));
      for (int i = 0; i < rows->count(); ++i) ids.push_back(rows->text(i, 0));
      return ids;
    });
  }

  Result<uint64_t> count(const RecordFilter& filter) override {
    return retried<uint64_t>([&]() -> Result<uint64_t> {
      auto rows = db_.exec(std::string("SELECT count(*) FROM raw_files") + where_of(filter), filter_params(filter));
      if (!rows) return std::unexpected(rows.error());
      return static_cast<uint64_t>(rows->integer(0, 0));
    });
  }

  Result<StoreSummary> summarize(const RecordFilter& filter, size_t max_errors) override {
    return retried<StoreSummary>([&]() -> Result<StoreSummary> {
      StoreSummary summary;
      TRY_ASSIGN(groups, db_.exec(std::string("SELECT instrument_id, status, backup_status, ") + summary_group_columns +
                                      " FROM raw_files" + where_of(filter) + " GROUP BY 1, 2, 3",
                                  filter_params(filter)));
      for (int i = 0; i < groups.count(); ++i) {
        auto n = [&](int c) { return static_cast<uint64_t>(groups.integer(i, c)); };
        add_group(summary, {groups.text(i, 0), groups.text(i, 1), groups.text(i, 2), n(3), n(4), n(5), n(6),
                            groups.text(i, 7), groups.text(i, 8), n(9), n(10)});
      }
      Params params = filter_params(filter);
      params.push_back(std::to_string(max_errors));
      TRY_ASSIGN(errors, db_.exec(std::string("SELECT id, instrument_id, updated_at, error FROM raw_files") +
                                      where_of(filter) + " AND error IS NOT NULL ORDER BY updated_at DESC LIMIT $4::bigint",
                                  params));
      for (int i = 0; i < errors.count(); ++i) {
        summary.last_errors.push_back({errors.text(i, 0), errors.text(i, 1), errors.text(i, 2), errors.text(i, 3)});
      }
      return summary;
    });
  }

  Result<std::map<std::string, uint64_t>> count_failures(const std::string& since) override {
    return retried<std::map<std::string, uint64_t>>([&]() -> Result<std::map<std::string, uint64_t>> {
      std::string sql = failures_by_instrument;
      sql.replace(sql.find("{since}"), 7, "$1");
      TRY_ASSIGN(rows, db_.exec(sql, {since}));
      std::map<std::string, uint64_t> out;
      for (int i = 0; i < rows.count(); ++i) out[rows.text(i, 0)] = static_cast<uint64_t>(rows.integer(i, 1));
      return out;
    });
  }

  Result<std::unique_ptr<RecordLock>> lock(const std::string& id, const LockOptions& options) override {
    TRY(writable());
    // The lease's own connection: a store call retrying for the busy timeout on the store's
    // connection must not hold back the heartbeat (lease_seconds may be shorter than it).
    TRY_ASSIGN(own, connect(url_, location_, options_.busy_timeout));
    auto leases = pg::make_leases(std::make_shared<pg::SharedConnection>(std::move(own)), options_.busy_timeout);
    TRY_ASSIGN(taken, acquire_lease(std::move(leases), id, actor_, options));
    return held_.track(id, std::move(taken));
  }

  Status import(const std::vector<StoredRecord>& records) override {
    TRY(writable());
    return written([&]() -> Status {
      std::vector<Event> events;
      for (const StoredRecord& stored : records) {
        TRY(insert_record(stored.record));
        events.insert(events.end(), stored.events.begin(), stored.events.end());
      }
      return pg::append_events(db_, events);
    });
  }

  Status rows_named(const std::vector<std::string>& ids, const RowVisitor& visit) override {
    TRY_ASSIGN(rows, retried<pg::Rows>([&] {  // visited after the retries: each row once
      return db_.exec(std::string("SELECT ") + pg::row_columns +
                          " FROM raw_files WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))",
                      {nlohmann::json(ids).dump()});
    }));
    for (int i = 0; i < rows.count(); ++i) {
      TRY_ASSIGN(row, pg::read_row(rows, i));
      TRY(visit(row));
    }
    return {};
  }

  Result<std::vector<Sighting>> sightings(const std::string& instrument_id) override {
    return retried<std::vector<Sighting>>([&] { return pg::read_sightings(db_, instrument_id); });
  }

  Status save_sightings(const std::string& instrument_id, const std::vector<Sighting>& seen,
                        const std::vector<std::string>& forget) override {
    TRY(writable());
    return written([&] { return pg::write_sightings(db_, instrument_id, seen, forget); });
  }

 private:
  // Inside a write transaction: a record whose lease this handle took must still be this
  // run's; the lock row is read FOR SHARE, so no takeover lands before the write commits.
  Status fence(const std::string& id) {
    if (!held_.holds(id)) return {};
    TRY_ASSIGN(row, pg::read_lease_row(db_, id, true));
    return check_fence(id, row, actor_, [&] { return pg::read_last_change(db_, id); });
  }

  Status writable() const {
    if (options_.read_only) return fail(ErrorKind::usage, "record store " + location_ + " is open read-only");
    return {};
  }

  // Every use of the connection: under its mutex (a lock's heartbeat shares it).
  template <class T>
  Result<T> retried(const std::function<Result<T>()>& attempt) {
    std::lock_guard lock(shared_->mutex);
    return pg::with_retries<T>(db_, options_.busy_timeout, attempt, &gave_up_);
  }

  // `body` in one transaction, retried as a whole.
  Status written(const std::function<Status()>& body) {
    return retried<void>([&] { return pg::transaction<void>(db_, body); });
  }

  Status insert_record(const RawFile& r) {
    TRY(pg::insert_row(db_, r));
    return pg::write_files(db_, r.id, r.file_info, false);
  }

  std::shared_ptr<pg::SharedConnection> shared_;
  Connection& db_;
  std::string url_;
  std::string location_;
  Actor actor_;
  HeldLeases held_;
  StoreOptions options_;
  bool gave_up_ = false;  // the store was unreachable for a whole busy timeout: fail fast
};

}  // namespace

Result<std::unique_ptr<RecordStore>> open_postgresql_store(const std::string& url, Actor actor,
                                                           const StoreOptions& options) {
  std::string location = redact_store_url(url);
  TRY_ASSIGN(db, connect(url, location, options.busy_timeout));
  if (options.read_only) {
    TRY_ASSIGN(missing, pg::schema_missing(db));
    if (missing) {  // nothing recorded yet
      TRY_ASSIGN(health, pg::empty_store_health(db));
      return make_empty_store(location, std::move(actor), std::move(health));
    }
  }
  TRY(pg::with_retries<void>(db, options.busy_timeout,
                             [&] { return pg::migrate(db, location, pg::schema_migrations(), options.read_only); }));
  return std::unique_ptr<RecordStore>(std::make_unique<PgStore>(std::move(db), url, std::move(actor), options));
}

}  // namespace rawbackup
