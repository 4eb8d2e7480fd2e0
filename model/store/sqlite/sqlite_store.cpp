#include "model/store/sqlite/sqlite_store.h"

#include <nlohmann/json.hpp>
#include <system_error>

#include "common/text.h"
#include "model/store/empty_store.h"
#include "model/store/sqlite/sqlite_health.h"
#include "model/store/sqlite/sqlite_leases.h"
#include "model/store/sqlite/sqlite_rows.h"
#include "model/store/sqlite/sqlite_sightings.h"
#include "model/store/sqlite/sqlite_schema.h"
#include "model/store_common.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;
using sqlite::Statement;

// Every filter as bound parameters ?1 (status), ?2 (instrument), ?3 (changed since).
constexpr const char* filter_where_base =
    " WHERE (?1 IS NULL OR status = ?1 OR backup_status = ?1) AND (?2 IS NULL OR instrument_id = ?2)"
    " AND (?3 IS NULL OR updated_at >= ?3)";

// The filter's WHERE clause; purged records left out for selections that ask (a daily purge).
std::string where_of(const RecordFilter& filter) {
  return std::string(filter_where_base) + purge_conditions(filter);
}

void bind_filter(Statement& query, const RecordFilter& filter) {
  query.bind(1, filter.status).bind(2, filter.instrument_id).bind(3, filter.changed_since);
}

Result<std::map<std::string, std::string>> read_uploads(const RecordRow& r, const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<std::map<std::string, std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return fail("record " + r.id + " has malformed s3_uploads: " + e.what());
  }
}

Status ensure_parent(const fs::path& path) {
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  if (ec) return fail(ErrorKind::usage, "cannot create folder for store " + path.string() + ": " + ec.message());
  return {};
}

class SqliteStore final : public RecordStore {
 public:
  SqliteStore(sqlite::Database db, Actor actor, StoreOptions options, fs::path path)
      : db_(std::move(db)), actor_(std::move(actor)), options_(options), path_(std::move(path)) {}

  std::string location() const override { return "sqlite://" + path_.string(); }
  const Actor& actor() const override { return actor_; }
  Result<StoreHealth> health() override {
    TRY_ASSIGN(version, sqlite::schema_version(db_));
    return StoreHealth{version, sqlite::write_problem(path_)};
  }

  Result<std::optional<RawFile>> get(const std::string& id) override {
    auto row = get_row(id);
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::optional<RawFile>{};
    RawFile record;
    static_cast<RecordRow&>(record) = (*row)->first;
    auto uploads = read_uploads(record, (*row)->second);
    if (!uploads) return std::unexpected(uploads.error());
    record.s3_uploads = std::move(*uploads);
    auto files = read_files(id);
    if (!files) return std::unexpected(files.error());
    record.file_info = std::move(*files);
    return std::optional<RawFile>(std::move(record));
  }

  Status insert(const RawFile& record, const std::string& message) override {
    TRY(writable());
    auto txn = sqlite::Transaction::begin(db_);
    if (!txn) return std::unexpected(txn.error());
    TRY(fence(record.id));
    RawFile stamped_record = record;
    stamped_record.updated_at = now_utc();
    TRY(insert_record(stamped_record));
    TRY(append(stamped(record.id, created_event(record, message), actor_, stamped_record.updated_at)));
    return txn->commit();
  }

  Result<RecordRow> update(const std::string& id, const RecordChange& change) override {
    TRY(writable());
    auto txn = sqlite::Transaction::begin(db_);
    if (!txn) return std::unexpected(txn.error());
    TRY(fence(id));
    auto row = get_row(id);
    if (!row) return std::unexpected(row.error());
    if (!*row) return fail(ErrorKind::usage, "no record for " + id);
    RawFile before;
    static_cast<RecordRow&>(before) = (*row)->first;
    auto uploads = read_uploads(before, (*row)->second);
    if (!uploads) return std::unexpected(uploads.error());
    before.s3_uploads = std::move(*uploads);
    RawFile after = before;
    apply_change(after, change);
    after.updated_at = now_utc();
    TRY(write_row(after, "UPDATE"));
    if (change.file_info) {
      TRY(write_files(id, *change.file_info, true));
    }
    for (const EventDraft& e : events_for(before, after, change.message)) {
      TRY(append(stamped(id, e, actor_, after.updated_at)));
    }
    TRY(txn->commit());
    return static_cast<RecordRow>(after);
  }

  Result<std::vector<Event>> history(const std::string& id) override {
    Statement query = db_.prepare(
        "SELECT seq, raw_file_id, at, task, host, pid, field, from_value, to_value, message "
        "FROM events WHERE raw_file_id = ?1 ORDER BY seq");
    query.bind(1, id);
    std::vector<Event> events;
    while (true) {
      Result<bool> row = query.step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return events;
      events.push_back({query.integer(0), query.text(1), query.text(2), query.text(3), query.text(4), query.integer(5),
                        query.text(6), query.optional_text(7), query.optional_text(8), query.text(9)});
    }
  }

  Status list_rows(const RecordQuery& q, const RowVisitor& visit) override {
    Statement query =
        db_.prepare(std::string(sqlite::row_columns) + where_of(q.filter) + " ORDER BY " + order_by_sql(q.order) + " LIMIT ?4");
    bind_filter(query, q.filter);
    query.bind(4, q.limit == 0 ? int64_t{-1} : static_cast<int64_t>(q.limit));
    return sqlite::visit_rows(query, visit);
  }

  Result<std::vector<std::string>> list_ids(const RecordFilter& filter) override {
    Statement query =
        db_.prepare(std::string("SELECT id FROM raw_files") + where_of(filter) + " ORDER BY created_at DESC, id DESC");
    bind_filter(query, filter);
    std::vector<std::string> ids;
    while (true) {
      Result<bool> more = query.step();
      if (!more) return std::unexpected(more.error());
      if (!*more) return ids;
      ids.push_back(query.text(0));
    }
  }

  Result<uint64_t> count(const RecordFilter& filter) override {
    Statement query = db_.prepare(std::string("SELECT count(*) FROM raw_files") + where_of(filter));
    bind_filter(query, filter);
    Result<bool> row = query.step();
    if (!row) return std::unexpected(row.error());
    return static_cast<uint64_t>(query.integer(0));
  }

  Result<StoreSummary> summarize(const RecordFilter& filter, size_t max_errors) override {
    StoreSummary summary;
    Statement groups = db_.prepare(std::string("SELECT instrument_id, status, backup_status, ") +
                                   summary_group_columns + " FROM raw_files" + where_of(filter) + " GROUP BY 1, 2, 3");
    bind_filter(groups, filter);
    while (true) {
      Result<bool> more = groups.step();
      if (!more) return std::unexpected(more.error());
      if (!*more) break;
      auto n = [&](int c) { return static_cast<uint64_t>(groups.integer(c)); };
      add_group(summary, {groups.text(0), groups.text(1), groups.text(2), n(3), n(4), n(5), n(6), groups.text(7),
                          groups.text(8), n(9), n(10)});
    }
    Statement errors = db_.prepare(std::string("SELECT id, instrument_id, updated_at, error FROM raw_files") +
                                   where_of(filter) + " AND error IS NOT NULL ORDER BY updated_at DESC LIMIT ?4");
    bind_filter(errors, filter);
    errors.bind(4, static_cast<int64_t>(max_errors));
    while (true) {
      Result<bool> more = errors.step();
      if (!more) return std::unexpected(more.error());
      if (!*more) return summary;
      summary.last_errors.push_back({errors.text(0), errors.text(1), errors.text(2), errors.text(3)});
    }
  }

  Result<std::map<std::string, uint64_t>> count_failures(const std::string& since) override {
    std::string sql = failures_by_instrument;
    sql.replace(sql.find("{since}"), 7, "?1");
    Statement query = db_.prepare(sql);
    query.bind(1, since);
    std::map<std::string, uint64_t> out;
    while (true) {
      Result<bool> more = query.step();
      if (!more) return std::unexpected(more.error());
      if (!*more) return out;
      out[query.text(0)] = static_cast<uint64_t>(query.integer(1));
    }
  }

  Result<std::unique_ptr<RecordLock>> lock(const std::string& id, const LockOptions& options) override {
    TRY(writable());
    TRY_ASSIGN(table, open_sqlite_leases(path_.string(), static_cast<int>(options_.busy_timeout.count())));
    TRY_ASSIGN(taken, acquire_lease(std::move(table), id, actor_, options));
    return held_.track(id, std::move(taken));
  }

  Status rows_named(const std::vector<std::string>& ids, const RowVisitor& visit) override {
    Statement query = db_.prepare(std::string(sqlite::row_columns) + " WHERE id IN (SELECT value FROM json_each(?1))");
    query.bind(1, nlohmann::json(ids).dump());
    return sqlite::visit_rows(query, visit);
  }

  Result<std::vector<Sighting>> sightings(const std::string& instrument_id) override {
    return sqlite::read_sightings(db_, instrument_id);
  }

  Status save_sightings(const std::string& instrument_id, const std::vector<Sighting>& seen,
                        const std::vector<std::string>& forget) override {
    TRY(writable());
    TRY_ASSIGN(txn, sqlite::Transaction::begin(db_));
    TRY(sqlite::write_sightings(db_, instrument_id, seen, forget));
    return txn.commit();
  }

  Status import(const std::vector<StoredRecord>& records) override {
    TRY(writable());
    auto txn = sqlite::Transaction::begin(db_);
    if (!txn) return std::unexpected(txn.error());
    for (const StoredRecord& stored : records) {
      TRY(insert_record(stored.record));
      for (const Event& e : stored.events) {
        TRY(append(e));
      }
    }
    return txn->commit();
  }

 private:
  // Inside a write transaction (BEGIN IMMEDIATE: no lease changes hands until it ends): a
  // record whose lease this handle took must still be this run's.
  Status fence(const std::string& id) {
    if (!held_.holds(id)) return {};
    TRY_ASSIGN(row, read_lease_row(db_, id));
    return check_fence(id, row, actor_, [&] { return read_last_change(db_, id); });
  }

  Status writable() const {
    if (options_.read_only) return fail(ErrorKind::usage, "record store " + location() + " is open read-only");
    return {};
  }

  // The row and its s3_uploads text; nullopt when there is no such record.
  Result<std::optional<std::pair<RecordRow, std::string>>> get_row(const std::string& id) {
    Statement query = db_.prepare(std::string(sqlite::row_columns) + " WHERE id = ?1");
    query.bind(1, id);
    Result<bool> found = query.step();
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::optional<std::pair<RecordRow, std::string>>{};
    auto row = sqlite::read_row(query);
    if (!row) return std::unexpected(row.error());
    return std::optional(std::pair(std::move(*row), query.text(13)));
  }

  Result<FileInfo> read_files(const std::string& id) {
    Statement query = db_.prepare(
        "SELECT path, size, md5, etag, part_size, mtime_ns, part_md5s, object_etag, object_part_size, "
        "object_etag_kind FROM "
        "raw_file_files "
        "WHERE raw_file_id = ?1");
    query.bind(1, id);
    FileInfo files;
    while (true) {
      Result<bool> more = query.step();
      if (!more) return std::unexpected(more.error());
      if (!*more) return files;
      TRY_ASSIGN(parts, unpack_part_md5s(query.blob(6)));
      auto kind = object_etag_kind_from(query.text(9));
      if (!kind) return fail("record " + id + " has an unknown object_etag_kind '" + query.text(9) + "'");
      files[query.text(0)] = FileEntry{static_cast<uint64_t>(query.integer(1)),
                                       query.text(2),
                                       query.text(3),
                                       static_cast<uint64_t>(query.integer(4)),
                                       query.integer(5),
                                       std::move(parts),
                                       query.text(7),
                                       static_cast<uint64_t>(query.integer(8)),
                                       *kind};
    }
  }

  Status insert_record(const RawFile& r) {
    if (auto existing = get_row(r.id); !existing || *existing) {
      return existing ? fail(ErrorKind::conflict, "record " + r.id + " already exists")
                      : std::unexpected(existing.error());
    }
    TRY(write_row(r, "INSERT"));
    return write_files(r.id, r.file_info, false);
  }

  Status write_row(const RawFile& r, const std::string& verb) {
    std::string sql =
        verb == "INSERT"
            ? "INSERT INTO raw_files (instrument_id, project_id, vendor, created_at, size, status, backup_status, "
              "backup_base_path, s3_upload_path, error, updated_at, last_verified_at, s3_uploads, id, purged_at, "
              "backup_purged_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)"
            : "UPDATE raw_files SET instrument_id=?1, project_id=?2, vendor=?3, created_at=?4, size=?5, status=?6, "
              "backup_status=?7, backup_base_path=?8, s3_upload_path=?9, error=?10, updated_at=?11, "
              "last_verified_at=?12, s3_uploads=?13, purged_at=?15, backup_purged_at=?16 WHERE id=?14";
    Statement stmt = db_.prepare(sql);
    stmt.bind(1, r.instrument_id).bind(2, r.project_id).bind(3, std::string(to_string(r.vendor)));
    stmt.bind(4, r.created_at).bind(5, static_cast<int64_t>(r.size));
    stmt.bind(6, std::string(to_string(r.status))).bind(7, std::string(to_string(r.backup_status)));
    stmt.bind(8, r.backup_base_path).bind(9, r.s3_upload_path).bind(10, r.error).bind(11, r.updated_at);
    stmt.bind(12, r.last_verified_at)
        .bind(13, nlohmann::json(r.s3_uploads).dump())
        .bind(14, r.id)
        .bind(15, r.purged_at)
        .bind(16, r.backup_purged_at);
    return stmt.run();
  }

  Status write_files(const std::string& id, const FileInfo& files, bool replace) {
    if (replace) {
      Statement clear = db_.prepare("DELETE FROM raw_file_files WHERE raw_file_id = ?1");
      clear.bind(1, id);
      TRY(clear.run());
    }
    Statement add = db_.prepare(
        "INSERT INTO raw_file_files (raw_file_id, path, size, md5, etag, part_size, mtime_ns, part_md5s, object_etag, "
        "object_part_size, object_etag_kind) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    for (const auto& [path, e] : files) {
      add.bind(1, id).bind(2, path).bind(3, static_cast<int64_t>(e.size)).bind(4, e.md5).bind(5, e.etag);
      add.bind(6, static_cast<int64_t>(e.part_size)).bind(7, e.mtime_ns).bind_blob(8, pack_part_md5s(e.part_md5s));
      add.bind(9, e.object_etag).bind(10, static_cast<int64_t>(e.object_part_size));
      add.bind(11, std::string(to_string(e.object_etag_kind)));
      TRY(add.run());
      add.reset();
    }
    return {};
  }

  Status append(const Event& e) {
    Statement stmt = db_.prepare(
        "INSERT INTO events (raw_file_id, at, task, host, pid, field, from_value, to_value, message) "
        "VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
    stmt.bind(1, e.raw_file_id).bind(2, e.at).bind(3, e.task).bind(4, e.host).bind(5, e.pid);
    stmt.bind(6, e.field).bind(7, e.from).bind(8, e.to).bind(9, e.message);
    return stmt.run();
  }

  sqlite::Database db_;
  Actor actor_;
  HeldLeases held_;
  StoreOptions options_;
  fs::path path_;
};

}  // namespace

Result<std::unique_ptr<RecordStore>> open_sqlite_store(const fs::path& path, Actor actor, const StoreOptions& options) {
  std::error_code ec;
  if (fs::is_directory(path, ec))
    return fail(ErrorKind::usage, "store " + path.string() + " is a folder, not a SQLite file");
  int busy_ms = static_cast<int>(options.busy_timeout.count());
  if (options.read_only && !fs::exists(path, ec)) {
    return make_empty_store("sqlite://" + path.string(), std::move(actor),  // nothing recorded yet
                            StoreHealth{0, sqlite::write_problem(path)});
  }
  if (!options.read_only) {
    TRY(ensure_parent(path));
  }
  TRY_ASSIGN(db, sqlite::Database::open(path.string(), busy_ms, options.read_only));
  TRY(options.read_only ? sqlite::check_schema(db, sqlite::schema_migrations())
                        : sqlite::migrate(db, sqlite::schema_migrations()));
  return std::unique_ptr<RecordStore>(std::make_unique<SqliteStore>(std::move(db), std::move(actor), options, path));
}

}  // namespace rawbackup
