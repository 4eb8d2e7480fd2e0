#include "model/store/postgresql/pg_schema.h"

#include <array>

namespace rawbackup::pg {
namespace {

// Timestamps are ISO-8601 UTC text as in the SQLite store (the same order, filters and
// values on both); ids and timestamps compare byte-wise (COLLATE "C") whatever the locale.
constexpr std::array<Migration, 10> migrations{{
    {1, R"sql(
CREATE TABLE raw_files (
  id               TEXT COLLATE "C" PRIMARY KEY,
  instrument_id    TEXT NOT NULL,
  project_id       TEXT NOT NULL,
  vendor           TEXT NOT NULL,
  created_at       TEXT COLLATE "C" NOT NULL,
  size             BIGINT NOT NULL,
  status           TEXT NOT NULL,
  backup_status    TEXT NOT NULL,
  backup_base_path TEXT,
  s3_upload_path   TEXT,
  error            TEXT,
  updated_at       TEXT COLLATE "C" NOT NULL,
  last_verified_at TEXT,
  s3_uploads       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX raw_files_by_created ON raw_files(created_at, id);
CREATE INDEX raw_files_by_updated ON raw_files(updated_at);
CREATE TABLE raw_file_files (
  raw_file_id TEXT COLLATE "C" NOT NULL,
  path        TEXT COLLATE "C" NOT NULL,
  size        BIGINT NOT NULL,
  md5         TEXT NOT NULL,
  etag        TEXT NOT NULL,
  part_size   BIGINT NOT NULL,
  mtime_ns    BIGINT NOT NULL,
  part_md5s   BYTEA NOT NULL DEFAULT ''::bytea,
  PRIMARY KEY (raw_file_id, path)
);
CREATE TABLE events (
  seq         BIGSERIAL PRIMARY KEY,
  raw_file_id TEXT COLLATE "C" NOT NULL,
  at          TEXT NOT NULL,
  task        TEXT NOT NULL,
  host        TEXT NOT NULL,
  pid         BIGINT NOT NULL,
  field       TEXT NOT NULL,
  from_value  TEXT,
  to_value    TEXT,
  message     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_by_file ON events(raw_file_id, seq);
CREATE TABLE record_locks (
  raw_file_id  TEXT COLLATE "C" PRIMARY KEY,
  task         TEXT NOT NULL,
  host         TEXT NOT NULL,
  pid          BIGINT NOT NULL,
  acquired_at  TEXT NOT NULL,
  heartbeat_ms BIGINT NOT NULL
);
)sql"},
    {2, R"sql(
ALTER TABLE raw_files ADD COLUMN purged_at TEXT;
)sql"},
    {3, R"sql(
ALTER TABLE raw_file_files ADD COLUMN object_etag TEXT NOT NULL DEFAULT '';
ALTER TABLE raw_file_files ADD COLUMN object_part_size BIGINT NOT NULL DEFAULT 0;
)sql"},
    // The lease holder's process token (see the SQLite store's version 9).
    {4, R"sql(
ALTER TABLE record_locks ADD COLUMN token TEXT NOT NULL DEFAULT '';
)sql"},
    // The local backup folder relative to locations.backup (see the SQLite store's version 10).
    {5, R"sql(
UPDATE raw_files SET backup_base_path = instrument_id || '/' || right(backup_base_path, 7)
 WHERE backup_base_path LIKE '/%'
   AND right(backup_base_path, 7) ~ '^[0-9]{4}_[0-9]{2}$'
   AND right(backup_base_path, length(instrument_id) + 9) = '/' || instrument_id || '/' || right(backup_base_path, 7);
)sql"},
    // When `purge --target backup` deleted the local backup (see the SQLite store's version 11).
    {6, R"sql(
ALTER TABLE raw_files ADD COLUMN backup_purged_at TEXT;
)sql"},
    // What `scan` saw of sets not recorded yet (model/sighting.h; the SQLite store's version 12).
    {7, R"sql(
CREATE TABLE scan_sightings (
  instrument_id TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  size BIGINT NOT NULL,
  mtime_ns BIGINT NOT NULL,
  first_seen_ms BIGINT NOT NULL,
  changed_ms BIGINT NOT NULL,
  seen_ms BIGINT NOT NULL,
  gone_ms BIGINT NOT NULL DEFAULT 0,
  PRIMARY KEY (instrument_id, name)
);
)sql"},
    // Failures in the last 24 h read the newest events only (the SQLite store's version 13).
    {8, R"sql(
CREATE INDEX events_by_time ON events(at);
)sql"},
    // What a noted object ETag is (the SQLite store's version 14).
    {9, R"sql(
ALTER TABLE raw_file_files ADD COLUMN object_etag_kind TEXT NOT NULL DEFAULT '';
)sql"},
    {10, R"sql(
UPDATE raw_file_files SET object_etag_kind = 'other_tool' WHERE object_etag <> '';
)sql"},
}};

// Any fixed number: the key of the advisory lock that serialises migrations.
constexpr const char* migration_lock = "7242081801";

Result<int> current_version(Connection& db) {
  TRY_ASSIGN(rows, db.exec("SELECT coalesce(max(version), 0) FROM rawbackup_schema"));
  return static_cast<int>(rows.integer(0, 0));
}

Status migrate_locked(Connection& db, const std::string& location, std::span<const Migration> steps) {
  TRY(db.exec("SELECT pg_advisory_xact_lock($1)", {migration_lock}));
  if (auto made = db.exec("CREATE TABLE IF NOT EXISTS rawbackup_schema (version INTEGER NOT NULL)"); !made) {
    return std::unexpected(made.error());
  }
  auto current = current_version(db);  // another binary may have migrated while we waited
  if (!current) return std::unexpected(current.error());
  int latest = latest_version(steps);
  TRY(check_version(location, *current, latest, true));
  for (const Migration& step : steps) {
    if (step.version <= *current) continue;
    if (Status done = db.exec_script(step.sql); !done)
      return fail(done.error(), "migration " + std::to_string(step.version));
  }
  if (*current == latest) return {};
  TRY(db.exec("DELETE FROM rawbackup_schema"));
  if (auto set = db.exec("INSERT INTO rawbackup_schema (version) VALUES ($1)", {std::to_string(latest)}); !set) {
    return std::unexpected(set.error());
  }
  return {};
}

}  // namespace

std::span<const Migration> schema_migrations() { return migrations; }

Result<bool> schema_missing(Connection& db) {
  TRY_ASSIGN(rows, db.exec("SELECT to_regclass('rawbackup_schema') IS NULL"));
  return rows.text(0, 0) == "t";
}

Status migrate(Connection& db, const std::string& location, std::span<const Migration> steps, bool read_only) {
  int latest = latest_version(steps);
  auto current = current_version(db);  // the usual case, one statement: up to date
  if (current && *current == latest) return {};
  if (read_only) {
    if (!current)
      return fail(ErrorKind::usage,
                  "store " + location + " has no rawbackup schema yet; run a task with write access first");
    return check_version(location, *current, latest, false);
  }
  if (current) {
    TRY(check_version(location, *current, latest, true));
  }
  TRY(db.exec("BEGIN"));
  Status migrated = migrate_locked(db, location, steps);
  auto end = db.exec(migrated ? "COMMIT" : "ROLLBACK");
  if (!migrated) return migrated;
  if (!end) return std::unexpected(end.error());
  return {};
}

}  // namespace rawbackup::pg
