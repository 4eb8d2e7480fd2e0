#include "model/store/postgresql/pg_records.h"

#include <nlohmann/json.hpp>

#include "model/store_common.h"

namespace rawbackup::pg {
namespace {

// JSON text of `j`; kind usage for text that is not UTF-8 (PostgreSQL stores UTF-8 only).
Result<std::string> json_text(const nlohmann::json& j, const std::string& what) {
  try {
    return j.dump();
  } catch (const nlohmann::json::exception&) {
    return fail(ErrorKind::usage, what + " is not valid UTF-8, which a PostgreSQL store cannot hold");
  }
}

Params row_params(const RawFile& r) {
  return {r.id,
          r.instrument_id,
          r.project_id,
          std::string(to_string(r.vendor)),
          r.created_at,
          std::to_string(r.size),
          std::string(to_string(r.status)),
          std::string(to_string(r.backup_status)),
          r.backup_base_path,
          r.s3_upload_path,
          r.error,
          r.updated_at,
          r.last_verified_at,
          nlohmann::json(r.s3_uploads).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          r.purged_at,
          r.backup_purged_at};
}

Result<FileInfo> files_from_json(const std::string& id, const std::string& text) {
  FileInfo files;
  try {
    for (const nlohmann::json& f : nlohmann::json::parse(text)) {
      TRY_ASSIGN(parts, part_md5s_from_hex(f.at(6).get<std::string>()));
      auto kind = object_etag_kind_from(f.at(9).get<std::string>());
      if (!kind) return fail("record " + id + " has an unknown object_etag_kind");
      files[f.at(0).get<std::string>()] =
          FileEntry{f.at(1).get<uint64_t>(),    f.at(2).get<std::string>(), f.at(3).get<std::string>(),
                    f.at(4).get<uint64_t>(),    f.at(5).get<int64_t>(),     std::move(parts),
                    f.at(7).get<std::string>(), f.at(8).get<uint64_t>(),    *kind};
    }
  } catch (const nlohmann::json::exception& e) {
    return fail("record " + id + " has malformed files: " + e.what());
  }
  return files;
}

Result<std::map<std::string, std::string>> uploads_from_json(const std::string& id, const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<std::map<std::string, std::string>>();
  } catch (const nlohmann::json::exception& e) {
    return fail("record " + id + " has malformed s3_uploads: " + e.what());
  }
}

// The row of `rows` with its s3_uploads (column 13).
Result<RawFile> read_head(const Rows& rows, int row) {
  TRY_ASSIGN(head, read_row(rows, row));
  RawFile record;
  static_cast<RecordRow&>(record) = std::move(head);
  TRY_ASSIGN(uploads, uploads_from_json(record.id, rows.text(row, 13)));
  record.s3_uploads = std::move(uploads);
  return record;
}

}  // namespace

const char* const row_columns =
    "id, instrument_id, project_id, vendor, created_at, size, status, backup_status, backup_base_path, "
    "s3_upload_path, error, updated_at, last_verified_at, s3_uploads, purged_at, backup_purged_at";

Result<RecordRow> read_row(const Rows& rows, int i) {
  RecordRow r;
  r.id = rows.text(i, 0);
  r.instrument_id = rows.text(i, 1);
  r.project_id = rows.text(i, 2);
  auto vendor = vendor_from(rows.text(i, 3));
  auto status = raw_file_status_from(rows.text(i, 6));
  auto backup = backup_status_from(rows.text(i, 7));
  if (!vendor || !status || !backup)
    return fail("record " + r.id + " has an unknown vendor or status; upgrade rawbackup");
  r.vendor = *vendor;
  r.created_at = rows.text(i, 4);
  r.size = static_cast<uint64_t>(rows.integer(i, 5));
  r.status = *status;
  r.backup_status = *backup;
  r.backup_base_path = rows.optional_text(i, 8);
  r.s3_upload_path = rows.optional_text(i, 9);
  r.error = rows.optional_text(i, 10);
  r.updated_at = rows.text(i, 11);
  r.last_verified_at = rows.optional_text(i, 12);
  r.purged_at = rows.optional_text(i, 14);
  r.backup_purged_at = rows.optional_text(i, 15);
  return r;
}

Result<std::optional<RawFile>> read_record(Connection& db, const std::string& id) {
  TRY_ASSIGN(rows,
             db.exec(std::string("SELECT ") + row_columns +
                         ", (SELECT coalesce(json_agg(json_build_array(path, size, md5, etag, part_size, mtime_ns, "
                         "encode(part_md5s, 'hex'), object_etag, object_part_size, object_etag_kind)), '[]') FROM raw_file_files f "
                         "WHERE f.raw_file_id = r.id) "
                         "FROM raw_files r WHERE id = $1",
                     {id}));
  if (rows.count() == 0) return std::optional<RawFile>{};
  TRY_ASSIGN(record, read_head(rows, 0));
  TRY_ASSIGN(files, files_from_json(id, rows.text(0, 16)));
  record.file_info = std::move(files);
  return std::optional<RawFile>(std::move(record));
}

Result<std::optional<RawFile>> lock_row(Connection& db, const std::string& id) {
  TRY_ASSIGN(rows, db.exec(std::string("SELECT ") + row_columns + " FROM raw_files WHERE id = $1 FOR UPDATE", {id}));
  if (rows.count() == 0) return std::optional<RawFile>{};
  TRY_ASSIGN(record, read_head(rows, 0));
  return std::optional<RawFile>(std::move(record));
}

Status insert_row(Connection& db, const RawFile& r) {
  auto done = db.exec(
      "INSERT INTO raw_files (id, instrument_id, project_id, vendor, created_at, size, status, backup_status, "
      "backup_base_path, s3_upload_path, error, updated_at, last_verified_at, s3_uploads, purged_at, backup_purged_at) "
      "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
      row_params(r));
  if (!done && done.error().kind == ErrorKind::conflict)
    return fail(ErrorKind::conflict, "record " + r.id + " already exists");
  if (!done) return std::unexpected(done.error());
  return {};
}

Status update_row(Connection& db, const RawFile& r) {
  TRY(db.exec(
      "UPDATE raw_files SET instrument_id=$2, project_id=$3, vendor=$4, created_at=$5, size=$6, status=$7, "
      "backup_status=$8, backup_base_path=$9, s3_upload_path=$10, error=$11, updated_at=$12, last_verified_at=$13, "
      "s3_uploads=$14, purged_at=$15, backup_purged_at=$16 WHERE id=$1",
      row_params(r)));
  return {};
}

Status write_files(Connection& db, const std::string& id, const FileInfo& files, bool replace) {
  if (replace) {
    if (auto cleared = db.exec("DELETE FROM raw_file_files WHERE raw_file_id = $1", {id}); !cleared) {
      return std::unexpected(cleared.error());
    }
  }
  if (files.empty()) return {};
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& [path, e] : files) {
    rows.push_back({path, e.size, e.md5, e.etag, e.part_size, e.mtime_ns, part_md5s_hex(e.part_md5s), e.object_etag,
                    e.object_part_size, to_string(e.object_etag_kind)});
  }
  TRY_ASSIGN(text, json_text(rows, "a file name of " + id));
  TRY(db.exec(
      "INSERT INTO raw_file_files (raw_file_id, path, size, md5, etag, part_size, mtime_ns, part_md5s, "
      "object_etag, object_part_size, object_etag_kind) "
      "SELECT $1, f->>0, (f->>1)::bigint, f->>2, f->>3, (f->>4)::bigint, (f->>5)::bigint, decode(f->>6, 'hex'), "
      "f->>7, (f->>8)::bigint, f->>9 "
      "FROM jsonb_array_elements($2::jsonb) AS f",
      {id, text}));
  return {};
}

Status append_events(Connection& db, const std::vector<Event>& events) {
  if (events.empty()) return {};
  nlohmann::json rows = nlohmann::json::array();
  auto nullable = [](const std::optional<std::string>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  for (const Event& e : events) {
    rows.push_back({e.raw_file_id, e.at, e.task, e.host, e.pid, e.field, nullable(e.from), nullable(e.to), e.message});
  }
  TRY_ASSIGN(text, json_text(rows, "an event"));
  TRY(
      db.exec("INSERT INTO events (raw_file_id, at, task, host, pid, field, from_value, to_value, message) "
              "SELECT e->>0, e->>1, e->>2, e->>3, (e->>4)::bigint, e->>5, e->>6, e->>7, e->>8 "
              "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, n) ORDER BY n",
              {text}));
  return {};
}

}  // namespace rawbackup::pg
