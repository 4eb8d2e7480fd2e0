#include "model/record_store.h"

#include <nlohmann/json.hpp>
#include <system_error>

#include "common/text.h"
#include "model/schema.h"

namespace rawbackup {
namespace {

namespace fs = std::filesystem;

constexpr const char* select_columns =
    "SELECT id, instrument_id, project_id, vendor, created_at, size, file_info, status, "
    "backup_status, backup_base_path, s3_upload_path, error, updated_at, last_verified_at, s3_uploads FROM raw_files";

Result<RawFile> read_row(const sqlite::Statement& row) {
  RawFile r;
  r.id = row.text(0);
  r.instrument_id = row.text(1);
  r.project_id = row.text(2);
  auto vendor = vendor_from(row.text(3));
  auto status = raw_file_status_from(row.text(7));
  auto backup = backup_status_from(row.text(8));
  if (!vendor || !status || !backup) {
    return fail("record " + r.id + " has an unknown vendor or status; upgrade rawbackup");
  }
  r.vendor = *vendor;
  r.created_at = row.text(4);
  r.size = static_cast<uint64_t>(row.integer(5));
  try {
    r.file_info = file_info_from_json(nlohmann::json::parse(row.text(6)));
  } catch (const nlohmann::json::exception& e) {
    return fail("record " + r.id + " has malformed file_info: " + e.what());
  }
  r.status = *status;
  r.backup_status = *backup;
  r.backup_base_path = row.optional_text(9);
  r.s3_upload_path = row.optional_text(10);
  r.error = row.optional_text(11);
  r.updated_at = row.text(12);
  r.last_verified_at = row.optional_text(13);
  try {
    r.s3_uploads = nlohmann::json::parse(row.text(14)).get<std::map<std::string, std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return fail("record " + r.id + " has malformed s3_uploads: " + e.what());
  }
  return r;
}

Status ensure_parent(const fs::path& path) {
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  if (ec) return fail(ErrorKind::usage, "cannot create folder for store " + path.string() + ": " + ec.message());
  return {};
}

// Applies `c` to `r` in memory.
void apply_change(RawFile& r, const RecordChange& c) {
  if (c.status) r.status = *c.status;
  if (c.backup_status) r.backup_status = *c.backup_status;
  if (c.file_info) r.file_info = *c.file_info;
  if (c.size) r.size = *c.size;
  if (c.created_at) r.created_at = *c.created_at;
  if (c.project_id) r.project_id = *c.project_id;
  if (c.error) r.error = *c.error;
  if (c.backup_base_path) r.backup_base_path = *c.backup_base_path;
  if (c.s3_upload_path) r.s3_upload_path = *c.s3_upload_path;
  if (c.last_verified_at) r.last_verified_at = *c.last_verified_at;
  if (c.s3_uploads) r.s3_uploads = *c.s3_uploads;
}

}  // namespace

Result<RecordStore> RecordStore::open(const fs::path& path, Actor actor, int busy_timeout_ms) {
  if (Status s = ensure_parent(path); !s) return std::unexpected(s.error());
  auto db = sqlite::Database::open(path.string(), busy_timeout_ms);
  if (!db) return std::unexpected(db.error());
  if (Status s = migrate(*db, schema_migrations()); !s) return std::unexpected(s.error());
  return RecordStore(std::move(*db), std::move(actor));
}

Result<std::optional<RawFile>> RecordStore::get(const std::string& id) {
  sqlite::Statement query = db_.prepare(std::string(select_columns) + " WHERE id = ?1");
  query.bind(1, id);
  Result<bool> row = query.step();
  if (!row) return std::unexpected(row.error());
  if (!*row) return std::optional<RawFile>{};
  Result<RawFile> record = read_row(query);
  if (!record) return std::unexpected(record.error());
  return std::optional<RawFile>(std::move(*record));
}

Result<std::vector<RawFile>> RecordStore::list(const RecordFilter& filter) {
  std::string sql = std::string(select_columns) +
                    " WHERE (?1 IS NULL OR status = ?1 OR backup_status = ?1)"
                    " AND (?2 IS NULL OR instrument_id = ?2)"
                    " AND (?3 IS NULL OR updated_at >= ?3)"
                    " ORDER BY created_at DESC, id";
  sqlite::Statement query = db_.prepare(sql);
  query.bind(1, filter.status).bind(2, filter.instrument_id).bind(3, filter.changed_since);
  std::vector<RawFile> records;
  while (true) {
    Result<bool> row = query.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    Result<RawFile> record = read_row(query);
    if (!record) return std::unexpected(record.error());
    if (filter.ids.empty() || std::find(filter.ids.begin(), filter.ids.end(), record->id) !=
                                  filter.ids.end()) {
      records.push_back(std::move(*record));
    }
  }
  return records;
}

Status RecordStore::write(const RawFile& r, bool insert) {
  std::string sql =
      insert ? "INSERT INTO raw_files (instrument_id, project_id, vendor, created_at, size, "
               "file_info, status, backup_status, backup_base_path, s3_upload_path, error, "
               "updated_at, last_verified_at, s3_uploads, id) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?14,?15,?13)"
             : "UPDATE raw_files SET instrument_id=?1, project_id=?2, vendor=?3, created_at=?4, "
               "size=?5, file_info=?6, status=?7, backup_status=?8, backup_base_path=?9, "
               "s3_upload_path=?10, error=?11, updated_at=?12, last_verified_at=?14, s3_uploads=?15 WHERE id=?13";
  sqlite::Statement stmt = db_.prepare(sql);
  stmt.bind(1, r.instrument_id).bind(2, r.project_id).bind(3, std::string(to_string(r.vendor)));
  stmt.bind(4, r.created_at).bind(5, static_cast<int64_t>(r.size));
  stmt.bind(6, file_info_to_json(r.file_info).dump());
  stmt.bind(7, std::string(to_string(r.status))).bind(8, std::string(to_string(r.backup_status)));
  stmt.bind(9, r.backup_base_path).bind(10, r.s3_upload_path).bind(11, r.error);
  stmt.bind(12, r.updated_at).bind(13, r.id).bind(14, r.last_verified_at);
  stmt.bind(15, nlohmann::json(r.s3_uploads).dump());
  return stmt.run();
}

Status RecordStore::append_event(const std::string& id, const std::string& field,
                                 const std::optional<std::string>& from,
                                 const std::optional<std::string>& to, const std::string& message) {
  sqlite::Statement stmt = db_.prepare(
      "INSERT INTO events (raw_file_id, at, task, host, pid, field, from_value, to_value, "
      "message) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)");
  stmt.bind(1, id).bind(2, now_utc()).bind(3, actor_.task).bind(4, actor_.host);
  stmt.bind(5, actor_.pid).bind(6, field).bind(7, from).bind(8, to).bind(9, message);
  return stmt.run();
}

Status RecordStore::insert(const RawFile& record, const std::string& message) {
  auto txn = sqlite::Transaction::begin(db_);
  if (!txn) return std::unexpected(txn.error());
  auto existing = get(record.id);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) return fail(ErrorKind::conflict, "record " + record.id + " already exists");
  RawFile stamped = record;
  stamped.updated_at = now_utc();
  if (Status s = write(stamped, true); !s) return s;
  if (Status s = append_event(record.id, "status", std::nullopt, to_string(record.status), message); !s) return s;
  return txn->commit();
}

Result<RawFile> RecordStore::update(const std::string& id, const RecordChange& change) {
  auto txn = sqlite::Transaction::begin(db_);
  if (!txn) return std::unexpected(txn.error());
  auto existing = get(id);
  if (!existing) return std::unexpected(existing.error());
  if (!*existing) return fail(ErrorKind::usage, "no record for " + id);
  RawFile before = **existing;
  RawFile after = before;
  apply_change(after, change);
  after.updated_at = now_utc();
  if (Status s = write(after, false); !s) return std::unexpected(s.error());
  bool evented = false;
  if (after.status != before.status) {
    evented = true;
    if (Status s = append_event(id, "status", to_string(before.status), to_string(after.status), change.message); !s) return std::unexpected(s.error());
  }
  if (after.backup_status != before.backup_status) {
    evented = true;
    if (Status s = append_event(id, "backup_status", to_string(before.backup_status), to_string(after.backup_status), change.message); !s) return std::unexpected(s.error());
  }
  if (!evented && !change.message.empty()) {
    if (Status s = append_event(id, "record", std::nullopt, std::nullopt, change.message); !s) return std::unexpected(s.error());
  }
  if (Status s = txn->commit(); !s) return std::unexpected(s.error());
  return after;
}

Result<std::vector<Event>> RecordStore::history(const std::string& id) {
  sqlite::Statement query = db_.prepare(
      "SELECT seq, raw_file_id, at, task, host, pid, field, from_value, to_value, message "
      "FROM events WHERE raw_file_id = ?1 ORDER BY seq");
  query.bind(1, id);
  std::vector<Event> events;
  while (true) {
    Result<bool> row = query.step();
    if (!row) return std::unexpected(row.error());
    if (!*row) break;
    events.push_back({query.integer(0), query.text(1), query.text(2), query.text(3),
                      query.text(4), query.integer(5), query.text(6), query.optional_text(7),
                      query.optional_text(8), query.text(9)});
  }
  return events;
}

}  // namespace rawbackup
