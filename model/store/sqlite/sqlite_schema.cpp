#include "model/store/sqlite/sqlite_schema.h"

#include <array>
#include <string>

namespace rawbackup::sqlite {
namespace {

constexpr std::array<Migration, 15> migrations{{
    {1, R"sql(
CREATE TABLE raw_files (
  id               TEXT PRIMARY KEY,
  instrument_id    TEXT NOT NULL,
  project_id       TEXT NOT NULL,
  vendor           TEXT NOT NULL,
  created_at       TEXT NOT NULL,
  size             INTEGER NOT NULL,
  file_info        TEXT NOT NULL DEFAULT '{}',
  status           TEXT NOT NULL,
  backup_status    TEXT NOT NULL,
  backup_base_path TEXT,
  s3_upload_path   TEXT,
  error            TEXT,
  updated_at       TEXT NOT NULL
);
CREATE INDEX raw_files_by_created ON raw_files(created_at);
CREATE TABLE events (
  seq         INTEGER PRIMARY KEY AUTOINCREMENT,
  raw_file_id TEXT NOT NULL,
  at          TEXT NOT NULL,
  task        TEXT NOT NULL,
  host        TEXT NOT NULL,
  pid         INTEGER NOT NULL,
  field       TEXT NOT NULL,
  from_value  TEXT,
  to_value    TEXT,
  message     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_file ON events(raw_file_id, seq);
)sql"},
    {2, R"sql(
CREATE TABLE record_locks (
  raw_file_id  TEXT PRIMARY KEY,
  task         TEXT NOT NULL,
  host         TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  acquired_at  TEXT NOT NULL,
  heartbeat_ms INTEGER NOT NULL
);
)sql"},
    {3, R"sql(
ALTER TABLE raw_files ADD COLUMN last_verified_at TEXT;
)sql"},
    {4, R"sql(
ALTER TABLE raw_files ADD COLUMN s3_uploads TEXT NOT NULL DEFAULT '{}';
)sql"},
    // The files of a record move to a table of their own, with their part MD5s: listings
    // and counts no longer read (and a change no longer rewrites) every file of a record.
    {5, R"sql(
CREATE TABLE raw_file_files (
  raw_file_id TEXT NOT NULL,
  path        TEXT NOT NULL,
  size        INTEGER NOT NULL,
  md5         TEXT NOT NULL,
  etag        TEXT NOT NULL,
  part_size   INTEGER NOT NULL,
  mtime_ns    INTEGER NOT NULL,
  part_md5s   BLOB NOT NULL DEFAULT x'',
  PRIMARY KEY (raw_file_id, path)
) WITHOUT ROWID;
INSERT INTO raw_file_files (raw_file_id, path, size, md5, etag, part_size, mtime_ns)
  SELECT r.id, f.key, json_extract(f.value, '$.size'), json_extract(f.value, '$.md5'),
         json_extract(f.value, '$.etag'), json_extract(f.value, '$.part_size'),
         coalesce(json_extract(f.value, '$.mtime_ns'), 0)
  FROM raw_files r, json_each(r.file_info) f;
ALTER TABLE raw_files DROP COLUMN file_info;
DROP INDEX raw_files_by_created;
CREATE INDEX raw_files_by_created ON raw_files(created_at, id);
CREATE INDEX raw_files_by_updated ON raw_files(updated_at);
)sql"},
    // status --summary groups every record: a covering index keeps it from reading (and
    // sorting) the table itself (96 → 22 ms at 100,000 records, bench/status_at_scale.sh).
    {6, R"sql(
CREATE INDEX raw_files_by_group
  ON raw_files(instrument_id, status, backup_status, size, backup_base_path, s3_upload_path);
)sql"},
    {7, R"sql(
ALTER TABLE raw_files ADD COLUMN purged_at TEXT;
)sql"},
    // The object another tool uploaded with other parts, once proven to hold the file's bytes.
    {8, R"sql(
ALTER TABLE raw_file_files ADD COLUMN object_etag TEXT NOT NULL DEFAULT '';
ALTER TABLE raw_file_files ADD COLUMN object_part_size INTEGER NOT NULL DEFAULT 0;
)sql"},
    // The lease holder's process token: hosts that share a host id and a pid stay apart, and
    // every record write of a lease holder is checked against it (fencing).
    {9, R"sql(
ALTER TABLE record_locks ADD COLUMN token TEXT NOT NULL DEFAULT '';
)sql"},
    // The local backup folder is recorded relative to locations.backup ("<instrument>/<YYYY_MM>"),
    // so hosts that mount the backup at other paths resolve it each with its own config. An
    // absolute path copy-local wrote ends in that folder; any other is left as it is (used as is).
    {10, R"sql(
UPDATE raw_files SET backup_base_path = instrument_id || '/' || substr(backup_base_path, -7)
 WHERE backup_base_path LIKE '/%'
   AND substr(backup_base_path, -7) GLOB '[0-9][0-9][0-9][0-9]_[0-9][0-9]'
   AND substr(backup_base_path, -(length(instrument_id) + 9)) = '/' || instrument_id || '/' || substr(backup_base_path, -7);
)sql"},
    // When `purge --target backup` deleted the local backup (the record keeps where it was).
    {11, R"sql(
ALTER TABLE raw_files ADD COLUMN backup_purged_at TEXT;
)sql"},
    // What `scan` saw of sets not recorded yet (model/sighting.h).
    {12, R"sql(
CREATE TABLE scan_sightings (
  instrument_id TEXT NOT NULL,
  name TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  changed_ms INTEGER NOT NULL,
  seen_ms INTEGER NOT NULL,
  gone_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (instrument_id, name)
) WITHOUT ROWID;
)sql"},
    // Failures in the last 24 h (status --metrics, serve's overview) read the newest events
    // only (0.8 s at 400,000 events before); the summary's index covers every column it reads
    // again (the filter reads updated_at; purged_at, backup_purged_at, created_at and
    // last_verified_at came after version 6): 0.28 → 0.03 s for `status --summary` at 100,000.
    {13, R"sql(
CREATE INDEX events_by_time ON events(at);
DROP INDEX raw_files_by_group;
CREATE INDEX raw_files_by_group
  ON raw_files(instrument_id, status, backup_status, size, backup_base_path, s3_upload_path, backup_purged_at,
               purged_at, created_at, last_verified_at, updated_at);
)sql"},
    // What a noted object ETag is (model/raw_file.h ObjectEtagKind): before, only other tools'.
    {14, R"sql(
ALTER TABLE raw_file_files ADD COLUMN object_etag_kind TEXT NOT NULL DEFAULT '';
)sql"},
    {15, R"sql(
UPDATE raw_file_files SET object_etag_kind = 'other_tool' WHERE object_etag <> '';
)sql"},
}};

}  // namespace

std::span<const Migration> schema_migrations() { return migrations; }

Result<int> schema_version(Database& db) {
  sqlite::Statement query = db.prepare("PRAGMA user_version");
  TRY(query.step());
  return static_cast<int>(query.integer(0));
}

Status check_schema(Database& db, std::span<const Migration> steps) {
  Result<int> current = schema_version(db);
  if (!current) return std::unexpected(current.error());
  return check_version(db.path(), *current, latest_version(steps), false);
}

Status migrate(Database& db, std::span<const Migration> steps) {
  int latest = latest_version(steps);
  Result<int> current = schema_version(db);
  if (!current) return std::unexpected(current.error());
  if (*current == latest) return {};
  TRY_ASSIGN(txn, Transaction::begin(db));
  current = schema_version(db);  // another process may have migrated meanwhile
  if (!current) return std::unexpected(current.error());
  TRY(check_version(db.path(), *current, latest, true));
  for (const Migration& step : steps) {
    if (step.version <= *current) continue;
    if (Status s = db.exec(step.sql); !s) return fail(s.error(), "migration " + std::to_string(step.version));
    TRY(db.exec("PRAGMA user_version = " + std::to_string(step.version)));
  }
  return txn.commit();
}

}  // namespace rawbackup::sqlite
