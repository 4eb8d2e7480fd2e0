#include "model/schema.h"

#include <array>
#include <string>

namespace rawbackup {
namespace {

constexpr std::array<Migration, 4> migrations{{
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
}};

}  // namespace

std::span<const Migration> schema_migrations() { return migrations; }

Result<int> schema_version(sqlite::Database& db) {
  sqlite::Statement query = db.prepare("PRAGMA user_version");
  Result<bool> row = query.step();
  if (!row) return std::unexpected(row.error());
  return static_cast<int>(query.integer(0));
}

Status migrate(sqlite::Database& db, std::span<const Migration> steps) {
  int latest = steps.empty() ? 0 : steps.back().version;
  Result<int> current = schema_version(db);
  if (!current) return std::unexpected(current.error());
  if (*current == latest) return {};
  auto txn = sqlite::Transaction::begin(db);
  if (!txn) return std::unexpected(txn.error());
  current = schema_version(db);  // another process may have migrated meanwhile
  if (!current) return std::unexpected(current.error());
  if (*current > latest) {
    return fail(ErrorKind::usage, "store " + db.path() + " has schema version " +
                                      std::to_string(*current) + ", newer than this rawbackup (" +
                                      std::to_string(latest) + "); upgrade rawbackup");
  }
  for (const Migration& step : steps) {
    if (step.version <= *current) continue;
    if (Status s = db.exec(step.sql); !s) return fail(s.error(), "migration " + std::to_string(step.version));
    if (Status s = db.exec("PRAGMA user_version = " + std::to_string(step.version)); !s) return s;
  }
  return txn->commit();
}

}  // namespace rawbackup
